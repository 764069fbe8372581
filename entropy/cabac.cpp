#include "entropy/cabac.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace nicodec::entropy {

BinContext::BinContext(uint8_t fast, uint8_t slow, double p1) : rate_fast(fast), rate_slow(slow) {
  if (fast < 1 || fast > 14 || slow < 1 || slow > 14) throw UsageError("BinContext: rates must be 1..14");
  if (!(p1 > 0 && p1 < 1)) throw UsageError("BinContext: initial probability must be in (0, 1)");
  const double scaled = std::round(p1 * kOne);
  p_fast = p_slow = static_cast<uint32_t>(std::min<double>(kOne - 1, std::max<double>(1, scaled)));
}

// Carry handling as in LZMA's range coder: bytes that might still receive a carry wait in cache_/cache_size_.
void CabacEncoder::shift_low() {
  if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
    const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
    uint8_t byte = cache_;
    do {
      if (first_) first_ = false;
      else out_.push_back(static_cast<uint8_t>(byte + carry));
      byte = 0xFF;
    } while (--cache_size_ != 0);
    cache_ = static_cast<uint8_t>(low_ >> 24);
  }
  ++cache_size_;
  low_ = (low_ & 0x00FFFFFFu) << 8;
}

std::vector<uint8_t> CabacEncoder::finish() {
  for (int i = 0; i < 5; ++i) shift_low();
  std::vector<uint8_t> out;
  out.swap(out_);
  *this = CabacEncoder();
  return out;
}

CabacDecoder::CabacDecoder(const uint8_t* data, size_t size) : p_(data), end_(data + size) {
  if (size < 4) throw FormatError("CABAC stream truncated: " + std::to_string(size) + " bytes, needs at least 4");
  for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next_byte();
}

void CabacDecoder::finish() const {
  if (p_ != end_) throw FormatError("CABAC stream corrupted: " + std::to_string(end_ - p_) + " bytes left over");
}

}  // namespace nicodec::entropy
