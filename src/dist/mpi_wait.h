// Internal to dist: MPI error checking and deadline-bounded waits on non-blocking requests.
// A collective that makes no progress for Comm::timeout_s() marks the group failed and throws,
// naming the call; Comm's exit path then aborts the whole job instead of waiting in finalize.
#pragma once
#include <mpi.h>

#include <string>

#include "dist/comm.h"

namespace seek::dist {

inline MPI_Comm mpi_comm(const Comm& c) { return static_cast<MPI_Comm>(c.native()); }

// Throws seek::Error "MPI_<call>: <MPI's message>" when rc is not MPI_SUCCESS.
void mpi_check(Comm& c, int rc, const char* call);

// Waits for req (spinning briefly, then sleeping in 20 us slices so an oversubscribed machine
// keeps its cores); throws when c.timeout_s() passes first. what: "MPI_Iallreduce (1234 floats)".
void mpi_wait(Comm& c, MPI_Request& req, const std::string& what);
// True when req completed; never blocks (MPI_Test, checked).
bool mpi_test(Comm& c, MPI_Request& req, const char* call);

}  // namespace seek::dist
