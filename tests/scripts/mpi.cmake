# Tests of the dist layer that need several processes: built as their own programs (not
# test_dist) and run under `mpirun -np 2 --oversubscribe`, label "mpi".
find_program(SEEK_MPIRUN mpirun)
if(SEEK_MPIRUN)
  file(GLOB mpi_test_srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/test_*.cpp)
  add_executable(test_dist_mpi ${mpi_test_srcs})
  target_link_libraries(test_dist_mpi PRIVATE seek_dist GTest::gtest GTest::gtest_main)
  target_include_directories(test_dist_mpi PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_definitions(test_dist_mpi PRIVATE SEEK_TEST_DATA="${SEEK_TEST_DATA}")
  set(mpi_np2 ${SEEK_MPIRUN} -np 2 --oversubscribe)
  add_test(NAME mpi_dist_np2 COMMAND ${mpi_np2} $<TARGET_FILE:test_dist_mpi>)
  add_test(NAME mpi_dist_np3 COMMAND ${SEEK_MPIRUN} -np 3 --oversubscribe $<TARGET_FILE:test_dist_mpi>)
  set_tests_properties(mpi_dist_np2 mpi_dist_np3 PROPERTIES LABELS mpi TIMEOUT 300)
  # containers often build as root; Open MPI refuses that unless told (harmless otherwise)
  set(SEEK_MPI_ENV OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1)

  add_executable(dist_peer_death_probe ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/peer_death_probe.cpp)
  target_link_libraries(dist_peer_death_probe PRIVATE seek_dist)
  # what the job's output must show: mpirun saw the signal, or rank 0's deadline fired
  set(expect_kill "signal 9|[Kk]illed")
  set(expect_hang "no progress on rank 0")
  set(expect_throw "rank 1 fails on purpose")
  foreach(mode kill hang throw)
    add_test(NAME mpi_dist_peer_${mode}_stops_job
             COMMAND ${CMAKE_COMMAND} -DMPIRUN=${SEEK_MPIRUN} -DPROBE=$<TARGET_FILE:dist_peer_death_probe>
                     -DMODE=${mode} -DLIMIT=30 "-DEXPECT=${expect_${mode}}"
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/expect_job_stops.cmake)
    set_tests_properties(mpi_dist_peer_${mode}_stops_job PROPERTIES LABELS mpi TIMEOUT 150)
  endforeach()
  # a measurement, not a test: docs/distributed.md
  add_executable(bench_dist_allreduce ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/bench_allreduce.cpp)
  target_link_libraries(bench_dist_allreduce PRIVATE seek_dist)
  add_executable(bench_dist_alltoall ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/bench_alltoall.cpp)
  target_link_libraries(bench_dist_alltoall PRIVATE seek_dist)

  # seek train under mpirun == one process with the same global batch (train_trajectory.py)
  if(TARGET seek AND EXISTS /usr/bin/python3)
    set(traj ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/train_trajectory.py)
    set(traj_args --seek $<TARGET_FILE:seek> --mpirun ${SEEK_MPIRUN} --corpus ${SEEK_TEST_DATA}/gguf/ppl.txt)
    foreach(np 2 3)
      add_test(NAME mpi_train_trajectory_np${np}
               COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode trajectory --ranks ${np}
                       --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_np${np})
      set_tests_properties(mpi_train_trajectory_np${np} PROPERTIES LABELS "mpi;train" TIMEOUT 300)
    endforeach()
    # Resuming with another number of ranks at the same global batch (batch x ranks x grad_accum).
    add_test(NAME mpi_train_resume_other_world
             COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode resume --ranks 2
                     --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_resume)
    set_tests_properties(mpi_train_resume_other_world PROPERTIES LABELS "mpi;train" TIMEOUT 300)
    # Expert parallelism (--expert-parallel): 8 routed experts split over 2 and 4 ranks; loads
    # and final weights too; resume of an EP checkpoint by EP ranks and by one process; 3 ranks
    # (8 experts do not split) refused with a message.
    foreach(np 2 4)
      add_test(NAME mpi_train_ep_np${np}
               COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode ep --ranks ${np}
                       --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_ep_np${np})
    endforeach()
    add_test(NAME mpi_train_ep_resume
             COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode ep_resume --ranks 2
                     --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_ep_resume)
    add_test(NAME mpi_train_ep_refuses_uneven_split
             COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode ep_refuse --ranks 3
                     --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_ep_refuse)
    # Faults in a real training job: rank 1 of an expert-parallel run SIGKILLed, or stopped (a hung
    # peer: the deadline fires inside an all-to-all or all-reduce) once a checkpoint exists; the
    # job ends by itself within 30 s saying why, and resuming continues as one process would.
    foreach(sig kill stop)
      add_test(NAME mpi_train_ep_rank_${sig}_stops_job_then_resumes
               COMMAND /usr/bin/python3 ${traj} ${traj_args} --mode fault --ep --signal ${sig} --ranks 2
                       --work ${CMAKE_CURRENT_BINARY_DIR}/mpi_traj_fault_${sig})
    endforeach()
    set_tests_properties(mpi_train_ep_np2 mpi_train_ep_np4 mpi_train_ep_resume mpi_train_ep_refuses_uneven_split
                         mpi_train_ep_rank_kill_stops_job_then_resumes mpi_train_ep_rank_stop_stops_job_then_resumes
                         PROPERTIES LABELS "mpi;train" TIMEOUT 300)
  endif()
  # GRPO rollouts spread over the ranks (each generates its share of the prompts) == one process.
  add_test(NAME mpi_rl_rollouts_spread_np2
           COMMAND ${CMAKE_COMMAND} -DSEEK=$<TARGET_FILE:seek> -DMPIRUN=${SEEK_MPIRUN}
                   -DMODEL=${CMAKE_CURRENT_BINARY_DIR}/reason_cli/tiny.gguf -DDIR=${CMAKE_CURRENT_BINARY_DIR}/mpi_rl_spread
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/dist/mpi/rl_spread.cmake)
  set_tests_properties(mpi_rl_rollouts_spread_np2 PROPERTIES LABELS "mpi;reason" TIMEOUT 300
                       FIXTURES_REQUIRED reason_tiny)

  get_property(mpi_tests DIRECTORY PROPERTY TESTS)
  foreach(t ${mpi_tests})
    if(t MATCHES "^mpi_")
      set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT ${SEEK_MPI_ENV})
    endif()
  endforeach()
endif()
