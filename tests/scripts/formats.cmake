# CLI tests of the formats layer: `seek info` prints every test model file (text and JSON,
# the JSON checked against llama.cpp's dump and the files' own headers by a Python script),
# and every malformed file or bad flag gives exit status 1 with a message naming the problem.
set(_fmt_data ${CMAKE_CURRENT_SOURCE_DIR}/formats/data)
file(GLOB _fmt_models ${CMAKE_CURRENT_SOURCE_DIR}/data/gguf/*.gguf ${CMAKE_CURRENT_SOURCE_DIR}/data/vocab/*.gguf)
foreach(f ${_fmt_models} ${_fmt_data}/ref/all_dtypes.safetensors ${_fmt_data}/ref/sharded)
  get_filename_component(n ${f} NAME)
  add_test(NAME cli_info_${n} COMMAND seek info ${f})
  set_tests_properties(cli_info_${n} PROPERTIES LABELS "cli;formats" PASS_REGULAR_EXPRESSION "total: [0-9]+ tensors")
endforeach()

find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND)
  add_test(NAME cli_info_json COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/formats/check_info_json.py
           $<TARGET_FILE:seek> ${CMAKE_CURRENT_SOURCE_DIR}/data ${_fmt_data})
  set_tests_properties(cli_info_json PROPERTIES LABELS "cli;formats")
endif()

# name | file under formats/data/bad | text stderr must contain
set(_fmt_bad
  "bad_magic.gguf|not a GGUF file"
  "v1.gguf|GGUF version 1 is not supported"
  "truncated.gguf|truncated"
  "huge_kv.gguf|header claims"
  "huge_string.gguf|truncated reading string value"
  "huge_array.gguf|array of"
  "bad_tensor_type.gguf|unknown tensor type id 99"
  "five_dims.gguf|n_dims = 5"
  "bad_alignment.gguf|not a power of two"
  "partial_block.gguf|not a whole number of q8_0 blocks"
  "dup_tensor.gguf|duplicate tensor name t"
  "empty.gguf|truncated reading magic"
  "header_past_end.safetensors|runs past the end of the file"
  "bad_json.safetensors|header is not valid JSON"
  "offsets_past_end.safetensors|outside the data section"
  "size_mismatch.safetensors|needs 3 x 4"
  "unknown_dtype.safetensors|unknown or unsupported dtype \"C64\""
)
foreach(entry ${_fmt_bad})
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 file)
  list(GET parts 1 msg)
  add_test(NAME cli_info_bad_${file}
           COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;info;${_fmt_data}/bad/${file}" "-DMSG=${msg}"
                   -P ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)
  set_tests_properties(cli_info_bad_${file} PROPERTIES LABELS "cli;formats")
endforeach()

add_test(NAME cli_info_bad_flag
         COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;info;--bogus;${_fmt_data}/ref/sharded" "-DMSG=--bogus"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)
add_test(NAME cli_info_no_file
         COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;info" "-DMSG=FILE is required"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)
add_test(NAME cli_info_missing_file
         COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;info;/nonexistent/model.gguf" "-DMSG=cannot open /nonexistent/model.gguf"
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)
set_tests_properties(cli_info_bad_flag cli_info_no_file cli_info_missing_file PROPERTIES LABELS "cli;formats")
