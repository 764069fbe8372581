#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"

namespace nicodec {
namespace {

namespace fs = std::filesystem;

TEST(FileIo, AtomicWriteThenRead) {
  fs::path dir = fs::temp_directory_path() / ("nicodec_fileio_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string path = (dir / "out.bin").string();
  std::vector<uint8_t> data(100000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i % 251);
  write_file_atomic(path, data);
  EXPECT_EQ(read_file(path), data);
  EXPECT_THROW(read_file(path, 1000), Error);  // over the size limit
  // Nothing but the final file is left behind.
  size_t files = 0;
  for (auto& e : fs::directory_iterator(dir)) files += e.is_regular_file();
  EXPECT_EQ(files, 1u);
  fs::remove_all(dir);
}

TEST(FileIo, ClearErrorsForMissingFilesAndFolders) {
  EXPECT_THROW(read_file("/nonexistent/nicodec/file"), Error);
  std::vector<uint8_t> d = {1, 2, 3};
  EXPECT_THROW(write_file_atomic("/nonexistent/nicodec/out.bin", d), Error);
}

}  // namespace
}  // namespace nicodec
