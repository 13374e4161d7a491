# `seek tokenizer train` oracle: seek trains a byte-level BPE tokenizer on the project's own
# docs and sources, then @lenml/tokenizers (npm, installed in tests/oracle) loads the written
# tokenizer.json and must give the same ids as seek (from the tokenizer.json and the GGUF).
find_program(SEEK_NODE node)
if(SEEK_NODE)
  file(GLOB _toktrain_corpus ${PROJECT_SOURCE_DIR}/docs/*.md ${PROJECT_SOURCE_DIR}/src/tokenizer/*.cpp)
  foreach(pre deepseek-v3 llama3 gpt2)
    add_test(NAME tokenizer_train_oracle_${pre}
             COMMAND ${SEEK_NODE} ${PROJECT_SOURCE_DIR}/tests/oracle/compare_trained_tokenizer.js
                     $<TARGET_FILE:seek> ${pre} ${_toktrain_corpus}
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/oracle)
    set_tests_properties(tokenizer_train_oracle_${pre} PROPERTIES LABELS "oracle;tokenizer" TIMEOUT 300)
  endforeach()
endif()
