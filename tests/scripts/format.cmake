# Every tracked C++ file is formatted as .clang-format says (clang-format 14, installed by
# scripts/install-deps.sh --test). Fix with: git ls-files '*.cpp' '*.h' | xargs clang-format -i
find_program(SEEK_CLANG_FORMAT NAMES clang-format-14 clang-format)
find_program(SEEK_GIT git)
if(SEEK_CLANG_FORMAT AND SEEK_GIT AND EXISTS ${PROJECT_SOURCE_DIR}/.git)
  add_test(NAME clang_format_clean
           COMMAND sh -c "cd ${PROJECT_SOURCE_DIR} && ${SEEK_GIT} ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h' 'fuzz/*.cpp' 'fuzz/*.h' | xargs ${SEEK_CLANG_FORMAT} --dry-run --Werror")
  set_tests_properties(clang_format_clean PROPERTIES LABELS "scripts" TIMEOUT 120)
else()
  message(STATUS "clang_format_clean skipped: clang-format or a git checkout not found")
endif()
