# The web chat page: its Markdown renderer under node (XSS cases included), and an end-to-end
# run in headless Chromium against `seek serve` with a tiny random model (skipped, exit 77, only
# when /usr/bin/chromium is absent). Screenshots land in the build dir (tests/ui-screenshots).
find_program(SEEK_NODE node)
if(NOT SEEK_NODE)
  message(WARNING "node not found: the UI and load tests are not registered")
  return()
endif()

# A ds-tiny deepseek2 model with the DeepSeek LLM vocabulary (random weights; seconds to make),
# shared by the UI and load tests.
set(SEEK_TINY_SERVE_MODEL ${CMAKE_CURRENT_BINARY_DIR}/serve-ds-tiny.gguf)
add_test(NAME serve_tiny_model
         COMMAND seek init --preset ds-tiny --vocab ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-llm.gguf
                 --out ${SEEK_TINY_SERVE_MODEL} --type F32)
set_tests_properties(serve_tiny_model PROPERTIES FIXTURES_SETUP seek_tiny_serve_model LABELS "ui;load")

add_test(NAME ui_markdown COMMAND ${SEEK_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/ui/markdown.test.js)
set_tests_properties(ui_markdown PROPERTIES LABELS "ui")

add_test(NAME ui_chat_e2e
         COMMAND ${SEEK_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/ui/chat_ui.test.js --seek $<TARGET_FILE:seek>
                 --model ${SEEK_TINY_SERVE_MODEL} --out ${CMAKE_CURRENT_BINARY_DIR}/ui-screenshots)
set_tests_properties(ui_chat_e2e PROPERTIES LABELS "ui" TIMEOUT 60 SKIP_RETURN_CODE 77
                     FIXTURES_REQUIRED seek_tiny_serve_model)
