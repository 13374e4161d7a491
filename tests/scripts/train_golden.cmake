# The trainer against the PyTorch training oracle (tests/train/test_train_golden.cpp,
# docs/reference.md "Training oracle"): per preset, make_fixture.py writes a tiny checkpoint,
# train_ref.py computes in float64 the losses, logits, every gradient and 10 AdamW steps on it,
# then the TrainGolden.* GoogleTests replay them (SEEK_TRAIN_REF). Needs /usr/bin/python3 + torch.
set(SEEK_TRAIN_PYTHON /usr/bin/python3)
if(EXISTS ${SEEK_TRAIN_PYTHON})
  execute_process(COMMAND ${SEEK_TRAIN_PYTHON} -c "import torch, numpy"
                  RESULT_VARIABLE seek_tgold_torch_rc OUTPUT_QUIET ERROR_QUIET)
endif()
if(NOT EXISTS ${SEEK_TRAIN_PYTHON} OR NOT seek_tgold_torch_rc EQUAL 0 OR NOT TARGET test_train)
  message(STATUS "trainer golden tests skipped: ${SEEK_TRAIN_PYTHON} with torch+numpy not found")
else()
  set(seek_tgold_dir ${CMAKE_CURRENT_BINARY_DIR}/train_golden)
  set(seek_tgold_tests "")
  foreach(preset v3 v2lite)
    set(dir ${seek_tgold_dir}/${preset})
    add_test(NAME train_golden_${preset}
             COMMAND sh -c "${SEEK_TRAIN_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/make_fixture.py --preset ${preset} --out ${dir}/fixture > /dev/null && ${SEEK_TRAIN_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/train_ref.py --fixture ${dir}/fixture --out ${dir}/ref > /dev/null && SEEK_TRAIN_REF=${dir}/ref $<TARGET_FILE:test_train> --gtest_filter=TrainGolden.*")
    list(APPEND seek_tgold_tests train_golden_${preset})
  endforeach()
  set_tests_properties(${seek_tgold_tests} PROPERTIES LABELS "reference;python;train" TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
