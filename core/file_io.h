// Whole-file reads with a size limit, and writes that never leave a partial file behind.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nicodec {

// Reads a whole file ("-" is standard input). Throws Error if it cannot be read or exceeds max_bytes.
std::vector<uint8_t> read_file(const std::string& path, size_t max_bytes = size_t{1} << 32);

// Writes to "<path>.tmp-<pid>" and renames it over path, so a failure leaves no partial file ("-" is stdout).
void write_file_atomic(const std::string& path, const uint8_t* data, size_t size);
inline void write_file_atomic(const std::string& path, const std::vector<uint8_t>& data) {
  write_file_atomic(path, data.data(), data.size());
}

}  // namespace nicodec
