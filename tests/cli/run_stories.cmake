# `seek run` greedy from the story's opening must continue exactly as llama2.c's golden text, both
# from the opening sentence and from its first word alone ("Once" + " upon a time": the
# SentencePiece space at the seam between prompt and continuation is kept, as llama.cpp prints it),
# and with the bundled-model default replaced by -m (run takes -m like chat and serve).
file(READ ${GOLDEN} golden)
foreach(prompt "Once upon a time" "Once")
  execute_process(COMMAND ${SEEK} run -m ${MODEL} -p "${prompt}" -n 60 --temp 0 -q
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "seek run -p '${prompt}' failed (${rc}): ${err}")
  endif()
  string(REGEX REPLACE "\n$" "" out "${out}")  # the newline seek prints after the text
  set(text "${prompt}${out}")
  string(LENGTH "${text}" n)
  string(FIND "${golden}" "${text}" at)
  if(NOT at EQUAL 0 OR n LESS 100)
    message(FATAL_ERROR "seek run -p '${prompt}' output is not a prefix of the golden text:\n${text}")
  endif()
endforeach()
