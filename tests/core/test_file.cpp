// core/file: whole-file reads refuse what is not a regular file (a FIFO would block forever,
// /dev/zero would be read until memory runs out) and name the path and the reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "core/error.h"
#include "core/file.h"

using namespace seek;

namespace {

std::string error_of(const std::string& path, const std::string& what = "") {
  try {
    read_file(path, what);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string temp_path(const char* name) { return testing::TempDir() + name + std::to_string(::getpid()); }

}  // namespace

TEST(File, ReadsARegularFileWhole) {
  const std::string p = temp_path("seek_file_text");
  std::ofstream(p, std::ios::binary) << "one\ntwo\r\n\nthree";
  EXPECT_EQ(read_file(p), "one\ntwo\r\n\nthree");
  EXPECT_EQ(read_lines(p), (std::vector<std::string>{"one", "two\r", "", "three"}));
  EXPECT_EQ(regular_file_size(p), 15u);
  EXPECT_TRUE(is_regular_file(p));
  EXPECT_FALSE(is_dir(p));
  std::remove(p.c_str());
}

TEST(File, MissingFileNamesPathAndReason) {
  EXPECT_EQ(error_of("/nonexistent/x.json", "config file"),
            "cannot open config file /nonexistent/x.json: No such file or directory");
}

TEST(File, RefusesFifoDeviceAndDirectory) {
  const std::string fifo = temp_path("seek_file_fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(error_of(fifo), "cannot open " + fifo + ": not a regular file");  // returns at once
  std::remove(fifo.c_str());
  EXPECT_EQ(error_of("/dev/zero", "prompt file"), "cannot open prompt file /dev/zero: not a regular file");
  EXPECT_EQ(error_of("/tmp"), "cannot open /tmp: not a regular file");
  EXPECT_TRUE(is_dir("/tmp"));
  EXPECT_THROW(regular_file_size("/dev/null"), Error);
}

TEST(File, EndsWith) {
  EXPECT_TRUE(ends_with("model.safetensors.index.json", ".json"));
  EXPECT_TRUE(ends_with("x", ""));
  EXPECT_FALSE(ends_with("json", ".json"));
}
