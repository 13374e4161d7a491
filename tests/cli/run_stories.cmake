# `seek run` greedy from the story's opening must continue exactly as llama2.c's golden text.
execute_process(COMMAND ${SEEK} run -m ${MODEL} -p "Once upon a time" -n 60 -q
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "seek run failed (${rc}): ${err}")
endif()
file(READ ${GOLDEN} golden)
string(STRIP "Once upon a time${out}" out)
string(FIND "${golden}" "${out}" at)
if(NOT at EQUAL 0 OR out STREQUAL "")
  message(FATAL_ERROR "seek run output is not a prefix of the golden text:\n${out}")
endif()
