# seek rl / seek distill from the command line (docs/reasoning.md): the whole flow on a tiny
# random model (tests/reason/rl_flow.cmake), and bad input exiting 1 with a message naming it.
set(_rvocab ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-coder.gguf)
set(_rfail ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)
set(_rmodel ${CMAKE_CURRENT_BINARY_DIR}/reason_cli/tiny.gguf)

add_test(NAME reason_cli_flow
         COMMAND ${CMAKE_COMMAND} -DSEEK=$<TARGET_FILE:seek> -DVOCAB=${_rvocab} -DDIR=${CMAKE_CURRENT_BINARY_DIR}/reason_cli
                 -DBUNDLED=${PROJECT_SOURCE_DIR}/models/seek-quickstart.gguf
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/reason/rl_flow.cmake)
set_tests_properties(reason_cli_flow PROPERTIES LABELS "cli;reason" TIMEOUT 600 FIXTURES_SETUP reason_tiny)

function(reason_expect_fail name msg)
  add_test(NAME reason_cli_${name} COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;${ARGN}" "-DMSG=${msg}" -P ${_rfail})
  set_tests_properties(reason_cli_${name} PROPERTIES LABELS "cli;reason" FIXTURES_REQUIRED reason_tiny)
endfunction()
reason_expect_fail(missing_model "model file not found" rl -m /nonexistent.gguf)
reason_expect_fail(unknown_task "unknown task 'sudoku'" rl -m ${_rmodel} --task sudoku --steps 1)
reason_expect_fail(bad_mode "--mode 'ppo'" rl -m ${_rmodel} --mode ppo)
reason_expect_fail(bad_group "group size: expected >= 1, got 0" rl -m ${_rmodel} -G 0 --steps 1)
reason_expect_fail(bad_difficulty "arithmetic difficulty (digits): expected 1..40, got 99" rl -m ${_rmodel} --task arithmetic --difficulty 99 --steps 1 -q)
reason_expect_fail(bad_aggregation "loss aggregation 'mean'" rl -m ${_rmodel} --aggregation mean)
reason_expect_fail(bad_replay_share "replay share: expected 0..1, got 2" rl -m ${_rmodel} --task arithmetic --replay-difficulty 1 --replay-share 2 --steps 1 -q)
reason_expect_fail(bad_replay_difficulty "replay difficulty 99: task arithmetic accepts 1..40" rl -m ${_rmodel} --task arithmetic --replay-difficulty 99 --replay-share 0.5 --steps 1 -q)
reason_expect_fail(distill_bad_mode "--mode 'dpo'" distill --teacher ${_rmodel} --student ${_rmodel} --mode dpo)
# an untrained teacher gets nothing right, so reward filtering leaves no trace to learn from
reason_expect_fail(distill_no_traces "no usable trace" distill --teacher ${_rmodel} --student ${_rmodel}
                   --task arithmetic --prompts 2 --samples 2 --max-new 4 -t 2 -q)

# seek quickstart (docs/reasoning.md) at a toy size, and seek chat without -m (SEEK_MODEL, bundled model).
add_test(NAME reason_cli_quickstart
         COMMAND ${CMAKE_COMMAND} -DSEEK=$<TARGET_FILE:seek> -DDIR=${CMAKE_CURRENT_BINARY_DIR}/quickstart_cli
                 -DBUNDLED=${PROJECT_SOURCE_DIR}/models/seek-quickstart.gguf
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/reason/quickstart_flow.cmake)
set_tests_properties(reason_cli_quickstart PROPERTIES LABELS "cli;reason" TIMEOUT 600)
reason_expect_fail(quickstart_bad_difficulty "quickstart difficulty 99" quickstart --hard 99 --no-serve -q)
reason_expect_fail(quickstart_bad_vocab "vocab size: expected 258..65536, got 10" quickstart --vocab-size 10 --no-serve -q)
add_test(NAME reason_cli_serve_missing_default
         COMMAND ${CMAKE_COMMAND} -E env SEEK_MODEL=/nonexistent/model.gguf
                 ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;serve;--port;0" "-DMSG=/nonexistent/model.gguf" -P ${_rfail})
set_tests_properties(reason_cli_serve_missing_default PROPERTIES LABELS "cli;reason")
