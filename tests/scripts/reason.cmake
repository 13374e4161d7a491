# GRPO maths against the PyTorch autograd reference (tools/ref/grpo_ref.py, docs/reasoning.md):
# each test writes a fixture for one variant (GRPO, Dr. GRPO, DAPO with and without KL), then runs
# GrpoReference.* of test_reason on it; the model tests run the whole loss through a tiny V3
# checkpoint (GrpoModelReference.*). Needs /usr/bin/python3 with torch; skipped otherwise.
set(SEEK_REF_PYTHON /usr/bin/python3)
if(EXISTS ${SEEK_REF_PYTHON})
  execute_process(COMMAND ${SEEK_REF_PYTHON} -c "import torch, numpy"
                  RESULT_VARIABLE seek_reason_torch_rc OUTPUT_QUIET ERROR_QUIET)
endif()
if(NOT EXISTS ${SEEK_REF_PYTHON} OR NOT seek_reason_torch_rc EQUAL 0 OR NOT TARGET test_reason)
  message(STATUS "GRPO reference tests skipped: ${SEEK_REF_PYTHON} with torch+numpy not found")
else()
  set(seek_reason_fixtures ${CMAKE_CURRENT_BINARY_DIR}/grpo_fixtures)
  file(MAKE_DIRECTORY ${seek_reason_fixtures})
  set(seek_reason_tests "")
  foreach(variant grpo dr_grpo dapo dapo_kl)
    set(fx ${seek_reason_fixtures}/${variant}.safetensors)
    add_test(NAME reason_grpo_ref_${variant}
             COMMAND sh -c "${SEEK_REF_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/grpo_ref.py --variant ${variant} --out ${fx} && SEEK_GRPO_FIXTURE=${fx} $<TARGET_FILE:test_reason> --gtest_filter=GrpoReference.*")
    list(APPEND seek_reason_tests reason_grpo_ref_${variant})
  endforeach()
  # The whole GRPO gradient through a tiny V3 TrainModel vs autograd through tools/ref/deepseek.py.
  foreach(variant grpo dapo_kl)
    set(dir ${seek_reason_fixtures}/model_${variant})
    add_test(NAME reason_grpo_model_ref_${variant}
             COMMAND sh -c "${SEEK_REF_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/make_fixture.py --preset v3 --out ${dir}/fixture > /dev/null && ${SEEK_REF_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/grpo_ref.py --variant ${variant} --model-fixture ${dir}/fixture --out ${dir}/grpo_model.safetensors && SEEK_GRPO_MODEL_FIXTURE=${dir}/fixture SEEK_GRPO_MODEL_REF=${dir}/grpo_model.safetensors $<TARGET_FILE:test_reason> --gtest_filter=GrpoModelReference.*")
    list(APPEND seek_reason_tests reason_grpo_model_ref_${variant})
  endforeach()
  set_tests_properties(${seek_reason_tests} PROPERTIES LABELS "reference;python" TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
