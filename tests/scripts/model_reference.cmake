# seek's inference against the PyTorch reference (tests/model/test_reference.cpp, docs/reference.md):
# each test writes a make_fixture.py checkpoint for one preset into the build tree, then runs the
# Reference.* GoogleTests of test_model on it (SEEK_REF_FIXTURE). Needs /usr/bin/python3 with torch.
set(SEEK_REF_PYTHON /usr/bin/python3)
if(EXISTS ${SEEK_REF_PYTHON})
  execute_process(COMMAND ${SEEK_REF_PYTHON} -c "import torch, numpy"
                  RESULT_VARIABLE seek_mref_torch_rc OUTPUT_QUIET ERROR_QUIET)
endif()
if(NOT EXISTS ${SEEK_REF_PYTHON} OR NOT seek_mref_torch_rc EQUAL 0 OR NOT TARGET test_model)
  message(STATUS "model reference tests skipped: ${SEEK_REF_PYTHON} with torch+numpy not found")
else()
  set(seek_mref_fixtures ${CMAKE_CURRENT_BINARY_DIR}/ref_fixtures)
  set(seek_mref_tests "")
  # name;make_fixture.py arguments (comma-separated)
  foreach(spec "v2lite;--preset,v2lite" "v3;--preset,v3" "v2;--preset,v2" "qwen2;--preset,qwen2"
               "qwen3;--preset,qwen3" "llama;--preset,llama" "llama2;--preset,llama2"
               "v3_fp8;--preset,v3,--fp8")
    list(GET spec 0 name)
    list(GET spec 1 args)
    string(REPLACE "," " " args "${args}")
    set(dir ${seek_mref_fixtures}/${name})
    add_test(NAME model_ref_${name}
             COMMAND sh -c "${SEEK_REF_PYTHON} ${PROJECT_SOURCE_DIR}/tools/ref/make_fixture.py ${args} --out ${dir} > /dev/null && SEEK_REF_FIXTURE=${dir} $<TARGET_FILE:test_model> --gtest_filter=Reference.*")
    list(APPEND seek_mref_tests model_ref_${name})
  endforeach()
  set_tests_properties(${seek_mref_tests} PROPERTIES LABELS "reference;python" TIMEOUT 300
                       ENVIRONMENT "OMP_NUM_THREADS=1")
endif()
