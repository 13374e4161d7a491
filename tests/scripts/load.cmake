# A short load test of `seek serve` (8 streaming clients for 15 s, a quarter hanging up
# mid-stream): no 5xx, no busy slot or queued request left after, RSS growth under 20%.
# The full 32-client, 2-minute run is described in docs/server.md ("Load").
find_program(SEEK_NODE node)
if(SEEK_NODE)
  add_test(NAME load_serve_short
           COMMAND ${SEEK_NODE} ${CMAKE_CURRENT_SOURCE_DIR}/load/load_test.js --seek $<TARGET_FILE:seek>
                   --model ${CMAKE_CURRENT_BINARY_DIR}/serve-ds-tiny.gguf --clients 8 --duration 15
                   --disconnect 0.25 --max-tokens 48 --serve-args "--parallel 4 --ctx 1024")
  set_tests_properties(load_serve_short PROPERTIES LABELS "load" TIMEOUT 90 FIXTURES_REQUIRED seek_tiny_serve_model)
endif()
