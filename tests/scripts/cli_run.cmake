# seek run / chat / perplexity / init from the command line: real output on real files, and
# bad input giving exit status 1 with a message naming the problem.
set(_stories ${SEEK_TEST_DATA}/gguf/stories260K-F32.gguf)
set(_micro ${SEEK_TEST_DATA}/gguf/ds2-micro-Q8_0.gguf)
set(_fail ${CMAKE_CURRENT_SOURCE_DIR}/formats/expect_fail.cmake)

function(seek_expect_fail name msg)
  add_test(NAME cli_${name} COMMAND ${CMAKE_COMMAND} "-DCMD=$<TARGET_FILE:seek>;${ARGN}" "-DMSG=${msg}" -P ${_fail})
  set_tests_properties(cli_${name} PROPERTIES LABELS "cli")
endfunction()

# (an empty argument cannot pass through a CMake list: these go through sh -c)
function(seek_expect_fail_sh name msg line)
  add_test(NAME cli_${name} COMMAND ${CMAKE_COMMAND} "-DCMD=sh;-c;${line}" "-DMSG=${msg}" -P ${_fail})
  set_tests_properties(cli_${name} PROPERTIES LABELS "cli")
endfunction()
seek_expect_fail_sh(run_empty_prompt_no_bos "the prompt is empty and --no-bos" "'$<TARGET_FILE:seek>' run -m '${_stories}' -p '' --no-bos")
seek_expect_fail_sh(run_empty_model_path "the model path is empty" "'$<TARGET_FILE:seek>' run -m '' -p hi")
seek_expect_fail_sh(run_empty_seed "--seed: expects a whole number" "'$<TARGET_FILE:seek>' run -m '${_stories}' -p hi --seed ''")
seek_expect_fail(run_fractional_seed "--seed: expects a whole number" run -m ${_stories} -p hi --seed 1e20)
seek_expect_fail(init_negative_threads "--threads: Value -3 not in range" init --preset ds-tiny --vocab ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-coder.gguf --out /tmp/x.gguf -t -3)
seek_expect_fail(data_negative_threads "--threads: Value -1 not in range" data prepare --tokenizer x -t -1 --out /tmp/y a)
seek_expect_fail_sh(chat_empty_model_path "the model path is empty" "'$<TARGET_FILE:seek>' chat -m '' </dev/null")
# A FIFO given as the model is refused at once (it used to wait forever for a writer).
seek_expect_fail_sh(info_fifo "not a regular file" "f=$(mktemp -u) && mkfifo $f && '$<TARGET_FILE:seek>' info $f; rc=$?; rm -f $f; exit $rc")
seek_expect_fail_sh(run_fifo_gguf "not a regular file" "f=$(mktemp -u).gguf && mkfifo $f && '$<TARGET_FILE:seek>' run -m $f -p hi; rc=$?; rm -f $f; exit $rc")
set_tests_properties(cli_info_fifo cli_run_fifo_gguf PROPERTIES TIMEOUT 20)
seek_expect_fail(tokenize_decode_not_id "'abc' is not a token id" tokenize -m ${_stories} -d abc)
seek_expect_fail(tokenize_decode_overflow "token id 4294967296 is outside the vocabulary" tokenize -m ${_stories} -d 4294967296)
seek_expect_fail(run_missing_model "model file not found" run -m /nonexistent.gguf -p hi)
seek_expect_fail(run_prompt_too_long "context holds 16" run -m ${_stories} -c 16 -p "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen")
seek_expect_fail(run_bad_temp "--temp" run -m ${_stories} -p hi --temp -1)
seek_expect_fail(run_bad_flag "--bogus" run -m ${_stories} -p hi --bogus)
seek_expect_fail(run_vocab_only "missing tensor token_embd.weight" run -m ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-llm.gguf -p hi)
# Files that are not regular files are refused by name, never read forever (/dev/zero) or waited on.
seek_expect_fail(run_prompt_file_device "cannot open prompt file /dev/zero: not a regular file" run -m ${_stories} -f /dev/zero)
seek_expect_fail(perplexity_file_dir "cannot open text file /tmp: not a regular file" perplexity -m ${_stories} -f /tmp)
seek_expect_fail(tokenize_hf_device "cannot open /dev/zero: not a regular file" tokenize --tokenizer /dev/zero hi)
seek_expect_fail(perplexity_short_text "fewer than one chunk" perplexity -m ${_stories} -c 4096 -f ${SEEK_TEST_DATA}/gguf/ppl.txt)
seek_expect_fail(init_bad_preset "unknown preset" init --preset nope --vocab ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-coder.gguf --out /tmp/x.gguf)
seek_expect_fail(init_bad_type "unknown type" init --preset ds-tiny --type q9 --vocab ${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-coder.gguf --out /tmp/x.gguf)
# Benchmark flags: a number that is not one, or out of range, is named (never a bare "stoul").
seek_expect_fail(bench_kernels_mb_not_number "--mb: Value abc not in range" bench kernels --mb abc)
seek_expect_fail(bench_kernels_mb_negative "--mb: Value -5 not in range" bench kernels --mb -5)
seek_expect_fail(bench_kernels_k_trailing "--k: Value 4096x not in range" bench kernels --k 4096x)
seek_expect_fail(bench_kernels_k_not_multiple "--k: must be a multiple of 256" bench kernels --k 300)
seek_expect_fail(bench_kernels_unknown_type "unknown type 'nope'" bench kernels --types nope)
seek_expect_fail(bench_model_threads "--threads: Value two not in range" bench -m ${_stories} -t two)

# The known story, through the whole CLI path (tokenizer, sampler, streaming output).
add_test(NAME cli_run_stories_greedy
         COMMAND ${CMAKE_COMMAND} -DSEEK=$<TARGET_FILE:seek> -DMODEL=${_stories}
                 -DGOLDEN=${SEEK_TEST_DATA}/llama2c/stories260K_expected_t0_n200.txt
                 -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/run_stories.cmake)
# seek init writes a file seek loads and runs (ds-tiny: every deepseek2 feature, Q4_0 weights; its 64-wide rows are too narrow for Q4_K).
add_test(NAME cli_init_then_run
         COMMAND ${CMAKE_COMMAND} -DSEEK=$<TARGET_FILE:seek> -DVOCAB=${SEEK_TEST_DATA}/vocab/ggml-vocab-deepseek-coder.gguf
                 -DOUT=${CMAKE_CURRENT_BINARY_DIR}/ds-tiny-q4_0.gguf -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/init_then_run.cmake)
set_tests_properties(cli_run_stories_greedy cli_init_then_run PROPERTIES LABELS "cli")
# Same defaults everywhere: run without -m takes $SEEK_MODEL, else the bundled model, as chat and
# serve do; an empty prompt generates from BOS alone (as llama.cpp does).
add_test(NAME cli_run_default_model
         COMMAND ${CMAKE_COMMAND} -E env --unset=SEEK_MODEL $<TARGET_FILE:seek> run -p "What is 2 + 3?" -n 4 -t 2)
add_test(NAME cli_run_seek_model_env
         COMMAND ${CMAKE_COMMAND} -E env SEEK_MODEL=${_stories} $<TARGET_FILE:seek> run -p "" -n 8 --temp 0 -t 2)
set_tests_properties(cli_run_default_model PROPERTIES LABELS "cli" PASS_REGULAR_EXPRESSION "seek-quickstart.gguf")
set_tests_properties(cli_run_seek_model_env PROPERTIES LABELS "cli" PASS_REGULAR_EXPRESSION "stories260K-F32.gguf")
