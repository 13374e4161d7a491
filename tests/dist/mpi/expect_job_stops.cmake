# cmake -P script: runs `mpirun -np 2 PROBE MODE` and requires that the job ends by itself, with a
# non-zero status, within LIMIT seconds (a dead or stuck rank must never hang the others).
# -D MPIRUN=... -D PROBE=... -D MODE=kill|hang|throw -D LIMIT=seconds -D EXPECT=regex of the output
string(TIMESTAMP t0 "%s")
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env SEEK_DIST_TIMEOUT_S=3
          ${MPIRUN} -np 2 --oversubscribe ${PROBE} ${MODE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
string(TIMESTAMP t1 "%s")
math(EXPR dt "${t1} - ${t0}")
message(STATUS "mode ${MODE}: exit '${rc}' after ${dt} s\n${out}\n${err}")
if(rc STREQUAL "0" OR rc MATCHES "timeout")
  message(FATAL_ERROR "mode ${MODE}: expected the job to stop with a non-zero status, got '${rc}'")
endif()
if(dt GREATER ${LIMIT})
  message(FATAL_ERROR "mode ${MODE}: the job took ${dt} s to stop, expected at most ${LIMIT} s")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "mode ${MODE}: the output does not show why the job stopped (expected /${EXPECT}/)")
endif()
