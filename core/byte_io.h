// Little-endian byte writer/reader with LEB128 varints. The reader checks every read against the end of its
// buffer and throws FormatError instead of reading past it, so parsers built on it are safe on hostile input.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace nicodec {

class ByteWriter {
 public:
  void u8(uint8_t v) { buf_.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void varint(uint64_t v) {
    while (v >= 0x80) {
      buf_.push_back(static_cast<uint8_t>(v | 0x80));
      v >>= 7;
    }
    buf_.push_back(static_cast<uint8_t>(v));
  }
  // Zigzag so that small negative numbers stay short.
  void svarint(int64_t v) { varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    buf_.insert(buf_.end(), b, b + n);
  }
  void string(std::string_view s) {
    varint(s.size());
    bytes(s.data(), s.size());
  }
  const std::vector<uint8_t>& data() const { return buf_; }
  std::vector<uint8_t> take() { return std::move(buf_); }
  size_t size() const { return buf_.size(); }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) buf_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> buf_;
};

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, std::string what = "stream")
      : p_(data), end_(data + size), begin_(data), what_(std::move(what)) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  size_t position() const { return static_cast<size_t>(p_ - begin_); }
  bool at_end() const { return p_ == end_; }

  uint8_t u8() { need(1); return *p_++; }
  uint16_t u16() { return static_cast<uint16_t>(le(2)); }
  uint32_t u32() { return static_cast<uint32_t>(le(4)); }
  uint64_t u64() { return le(8); }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      uint8_t b = u8();
      if (shift == 63 && (b & 0x7e)) fail("varint overflows 64 bits");
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
    fail("varint longer than 10 bytes");
  }
  int64_t svarint() {
    uint64_t u = varint();
    return static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
  }
  // A varint that must lie in [0, max]; checked before the caller allocates anything with it.
  uint64_t varint_max(uint64_t max, const char* field) {
    uint64_t v = varint();
    if (v > max) fail(std::string(field) + " = " + std::to_string(v) + " exceeds the limit " + std::to_string(max));
    return v;
  }
  const uint8_t* bytes(size_t n) {
    need(n);
    const uint8_t* r = p_;
    p_ += n;
    return r;
  }
  std::string string(size_t max_len, const char* field) {
    size_t n = static_cast<size_t>(varint_max(max_len, field));
    const uint8_t* b = bytes(n);
    return std::string(reinterpret_cast<const char*>(b), n);
  }
  [[noreturn]] void fail(const std::string& msg) const {
    throw FormatError(what_ + ": " + msg + " (at byte " + std::to_string(position()) + ")");
  }

 private:
  void need(size_t n) const {
    if (n > remaining())
      fail("truncated: needs " + std::to_string(n) + " more bytes, " + std::to_string(remaining()) + " left");
  }
  uint64_t le(int n) {
    need(static_cast<size_t>(n));
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[i]) << (8 * i);
    p_ += n;
    return v;
  }
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* begin_;
  std::string what_;
};

}  // namespace nicodec
