# Python reference (tools/ref, docs/reference.md): self-checks of the PyTorch oracle and its
# agreement with real llama.cpp / llama2.c outputs. Needs Debian's python3-torch under
# /usr/bin/python3; skipped (with a message) when torch is not importable there.
set(SEEK_REF_PYTHON /usr/bin/python3)
if(EXISTS ${SEEK_REF_PYTHON})
  execute_process(COMMAND ${SEEK_REF_PYTHON} -c "import torch, numpy"
                  RESULT_VARIABLE seek_ref_torch_rc OUTPUT_QUIET ERROR_QUIET)
endif()
if(NOT EXISTS ${SEEK_REF_PYTHON} OR NOT seek_ref_torch_rc EQUAL 0)
  message(STATUS "reference tests skipped: ${SEEK_REF_PYTHON} with torch+numpy not found")
else()
  set(seek_ref_dir ${PROJECT_SOURCE_DIR}/tools/ref)
  add_test(NAME ref_selfcheck COMMAND ${SEEK_REF_PYTHON} ${seek_ref_dir}/test_ref.py)
  add_test(NAME ref_gguf_ds2_greedy COMMAND ${SEEK_REF_PYTHON} ${seek_ref_dir}/run_gguf.py)
  add_test(NAME ref_gguf_ds2_ppl COMMAND ${SEEK_REF_PYTHON} ${seek_ref_dir}/run_gguf_ppl.py)
  add_test(NAME ref_gguf_stories_greedy COMMAND ${SEEK_REF_PYTHON} ${seek_ref_dir}/run_stories.py)
  add_test(NAME ref_train_selfcheck COMMAND ${SEEK_REF_PYTHON} ${seek_ref_dir}/test_train_ref.py)
  set_tests_properties(ref_selfcheck ref_gguf_ds2_greedy ref_gguf_ds2_ppl ref_gguf_stories_greedy
                       ref_train_selfcheck
                       PROPERTIES LABELS "reference;python" TIMEOUT 300
                                  ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
