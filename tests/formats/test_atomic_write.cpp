// atomic_write: the output appears whole (or not at all), and a path that names anything but a
// regular file (a character device, a FIFO, a directory) is refused with its kind named, never
// replaced: as root, renaming a temporary file onto /dev/null would destroy the device node.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "formats/atomic_write.h"

namespace seek {
namespace {

void write_text(const std::string& path, const std::string& text) {
  atomic_write(path, [&](const ByteSink& sink) { sink(text.data(), text.size()); });
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void expect_refused(const std::string& path, const std::string& kind) {
  try {
    write_text(path, "x");
    FAIL() << path << " was replaced";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(kind), std::string::npos) << e.what();
  }
}

TEST(AtomicWrite, WritesAndReplacesRegularFiles) {
  const std::string dir = ::testing::TempDir() + "/seek_atomic_write";
  std::filesystem::create_directories(dir);
  write_text(dir + "/a.txt", "first");
  EXPECT_EQ(read_text(dir + "/a.txt"), "first");
  write_text(dir + "/a.txt", "second");
  EXPECT_EQ(read_text(dir + "/a.txt"), "second");
  std::filesystem::remove_all(dir);
}

TEST(AtomicWrite, RefusesFifosAndDirectories) {
  // (not tried on /dev/null: were the check ever lost, the test would destroy the machine's device
  // node; a FIFO and a directory take the same path through stat)
  const std::string dir = ::testing::TempDir() + "/seek_atomic_write_special";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sub");
  expect_refused(dir + "/sub", "a directory");
  const std::string fifo = dir + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_refused(fifo, "a FIFO");
  struct stat st {};
  ASSERT_EQ(::stat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  // no temporary file is left behind by a refusal
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    n += e.path().filename().string().find(".tmp.") != std::string::npos;
  EXPECT_EQ(n, 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace seek
