#include "core/file_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

void write_file_atomic(const std::string& path, const uint8_t* data, size_t size) {
  if (path == "-") {
    if (std::fwrite(data, 1, size, stdout) != size || std::fflush(stdout) != 0)
      throw Error(std::string("error writing to standard output: ") + std::strerror(errno));
    return;
  }
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  {
    FilePtr f(std::fopen(tmp.c_str(), "wb"));
    if (!f) throw Error("cannot create '" + tmp + "': " + std::strerror(errno) + " (does the folder exist and is it writable?)");
    bool ok = std::fwrite(data, 1, size, f.get()) == size && std::fflush(f.get()) == 0;
    if (!ok) {
      int e = errno;
      f.reset();
      std::remove(tmp.c_str());
      throw Error("error writing '" + tmp + "': " + std::strerror(e));
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    std::remove(tmp.c_str());
    throw Error("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(e));
  }
}

}  // namespace nicodec
