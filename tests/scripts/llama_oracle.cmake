# llama.cpp as the oracle (issue 17, items 4 and 5): tests/oracle/llama_oracle.js drives llama.cpp
# de3ff81 through node-llama-cpp 3.22.1's prebuilt linux-x64 CPU binary (npm install in
# tests/oracle, `scripts/install-deps.sh --test`; Node >= 20; nothing is compiled).
#   llama_loads_seek_files: every GGUF seek writes (seek init: every preset x every type, ds-1b
#     in F32 only; a seek train export; models/seek-quickstart.gguf) loads in llama.cpp and
#     generates; on F32 files llama.cpp's 32 greedy ids and text equal seek's (ids need
#     `seek run --json`). One line per file in the log; about 3 minutes on 2 cores.
#   llama_spm_detok: seek's text on the SentencePiece seams of stories260K equals llama.cpp's
#     detokenizer on llama.cpp's own greedy ids (expected strings computed live).
find_program(SEEK_NODE node)
if(SEEK_NODE AND TARGET seek)
  set(_llama_oracle ${PROJECT_SOURCE_DIR}/tests/oracle/llama_oracle.js)
  add_test(NAME llama_loads_seek_files
           COMMAND ${SEEK_NODE} ${_llama_oracle} files $<TARGET_FILE:seek> ${PROJECT_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/llama_oracle_work
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/oracle)
  add_test(NAME llama_spm_detok
           COMMAND ${SEEK_NODE} ${_llama_oracle} spm $<TARGET_FILE:seek> ${SEEK_TEST_DATA}/gguf/stories260K-F32.gguf
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/oracle)
  set_tests_properties(llama_loads_seek_files PROPERTIES LABELS "oracle;llama" TIMEOUT 600)
  set_tests_properties(llama_spm_detok PROPERTIES LABELS "oracle;llama;tokenizer" TIMEOUT 120)
elseif(NOT SEEK_NODE)
  message(WARNING "node not found: the llama.cpp oracle tests are not registered")
endif()
