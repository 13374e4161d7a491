# cmake -P helper for CLI error tests: runs CMD (a ;-list) and passes only when it exits with
# status 1 and its stderr contains MSG.  -DCMD="a;b" -DMSG="text"
execute_process(COMMAND ${CMD} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit status 1, got '${rc}'\nstdout: ${out}\nstderr: ${err}")
endif()
string(FIND "${err}" "${MSG}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "stderr lacks '${MSG}':\n${err}")
endif()
