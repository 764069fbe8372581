// Whole-file reads with a size limit, and writes that never leave a partial file behind.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace nicodec {

// Reads a whole file ("-" is standard input). Throws Error if it cannot be read or exceeds max_bytes.
std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes = size_t{1} << 32);

// For media readers: throws Error "cannot read NAME: no such file" when `path` is not a regular file, and
// "NAME is empty, not WHAT" (e.g. "an image") when it has no bytes. NAME is how messages show the input.
void require_input_file(const std::string& path, const std::string& name, const std::string& what);

// A file written piece by piece into "<path>.tmp-<pid>" and renamed over path by commit(), so an error (or an
// exception that destroys the writer first) leaves no partial file. "-" writes to standard output directly.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(const std::string& path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  void write(const void* data, size_t size);
  void commit();
  uint64_t bytes_written() const { return written_; }

 private:
  std::string path_, tmp_;
  FILE* f_ = nullptr;
  uint64_t written_ = 0;
};

// The whole file at once, through AtomicFileWriter.
void write_file_atomic(const std::string& path, const uint8_t* data, size_t size);
inline void write_file_atomic(const std::string& path, const std::vector<uint8_t>& data) {
  write_file_atomic(path, data.data(), data.size());
}

}  // namespace nicodec
