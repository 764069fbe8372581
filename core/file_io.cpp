#include "core/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>

#include "core/error.h"

namespace nicodec {
namespace {
struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;
}  // namespace

std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) throw Error("cannot open '" + path + "': " + std::strerror(errno));
  FilePtr owner(path == "-" ? nullptr : f);
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    if (out.size() + n > max_bytes)
      throw Error("'" + path + "' is larger than the limit of " + std::to_string(max_bytes) + " bytes");
    out.insert(out.end(), buf, buf + n);
  }
  if (std::ferror(f)) throw Error("error reading '" + path + "': " + std::strerror(errno));
  return out;
}

void require_input_file(const std::string& path, const std::string& name, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error("cannot read " + name + ": no such file");
  if (std::filesystem::file_size(path, ec) == 0) throw Error(name + " is empty, not " + what);
}

AtomicFileWriter::AtomicFileWriter(const std::string& path) : path_(path) {
  if (path == "-") {
    f_ = stdout;
    return;
  }
  tmp_ = path + ".tmp-" + std::to_string(::getpid());
  f_ = std::fopen(tmp_.c_str(), "wb");
  if (!f_) throw Error("cannot create '" + tmp_ + "': " + std::strerror(errno) + " (does the folder exist and is it writable?)");
}

AtomicFileWriter::~AtomicFileWriter() {
  if (f_ && f_ != stdout) {
    std::fclose(f_);
    std::remove(tmp_.c_str());
  }
}

void AtomicFileWriter::write(const void* data, size_t size) {
  if (!f_) throw UsageError("AtomicFileWriter: already committed");
  if (std::fwrite(data, 1, size, f_) != size)
    throw Error("error writing '" + (f_ == stdout ? std::string("standard output") : tmp_) + "': " + std::strerror(errno));
  written_ += size;
}

void AtomicFileWriter::commit() {
  if (!f_) return;
  if (f_ == stdout) {
    f_ = nullptr;
    if (std::fflush(stdout) != 0) throw Error(std::string("error writing to standard output: ") + std::strerror(errno));
    return;
  }
  const bool closed = std::fclose(f_) == 0;
  const int e = errno;
  f_ = nullptr;
  if (!closed) {
    std::remove(tmp_.c_str());
    throw Error("error writing '" + tmp_ + "': " + std::strerror(e));
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const int e2 = errno;
    std::remove(tmp_.c_str());
    throw Error("cannot rename '" + tmp_ + "' to '" + path_ + "': " + std::strerror(e2));
  }
}

void write_file_atomic(const std::string& path, const uint8_t* data, size_t size) {
  AtomicFileWriter w(path);
  w.write(data, size);
  w.commit();
}

}  // namespace nicodec
