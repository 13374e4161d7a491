# seek serve end to end: the official `openai` npm client (tests/oracle/node_modules) against a
# running server (chat, streaming, tools, thinking, errors, auth, disconnects, == seek run), and
# curl for the raw HTTP/SSE bytes. Each test starts its own server on a free port (--port 0).
find_program(SEEK_NODE node)
if(SEEK_NODE AND EXISTS ${PROJECT_SOURCE_DIR}/tests/oracle/node_modules/openai)
  add_test(NAME server_openai_client
           COMMAND ${SEEK_NODE} ${PROJECT_SOURCE_DIR}/tests/oracle/server_openai.js $<TARGET_FILE:seek>
                   ${SEEK_TEST_DATA}/gguf/ds2-micro-F32.gguf
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/oracle)
  set_tests_properties(server_openai_client PROPERTIES LABELS "server;oracle" TIMEOUT 60)
else()
  message(WARNING "node or tests/oracle/node_modules/openai missing: server_openai_client is not registered")
endif()
find_program(SEEK_CURL curl)
if(SEEK_CURL)
  add_test(NAME server_curl
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/scripts/server_curl.sh $<TARGET_FILE:seek>
                   ${SEEK_TEST_DATA}/gguf/stories260K-F32.gguf)
  set_tests_properties(server_curl PROPERTIES LABELS "server" TIMEOUT 60)
endif()
