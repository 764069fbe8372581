#include "entropy/rans.h"

#include <string>

namespace nicodec::entropy {

std::vector<uint8_t> RansEncoder::finish() {
  uint64_t x[kRansLanes];
  for (auto& s : x) s = kRansL;
  std::vector<uint32_t> words;
  words.reserve(ops_.size() / 2 + 16);
  for (size_t i = ops_.size(); i-- > 0;) {
    const uint64_t op = ops_[i];
    const uint64_t start = op & ((uint64_t{1} << 25) - 1);
    const uint64_t freq = (op >> 25) & ((uint64_t{1} << 25) - 1);
    const uint32_t scale = static_cast<uint32_t>(op >> 50);
    uint64_t& s = x[i & (kRansLanes - 1)];
    const uint64_t x_max = ((kRansL >> scale) << 32) * freq;  // keeps the state below 2^63 after coding
    if (s >= x_max) {
      words.push_back(static_cast<uint32_t>(s));
      s >>= 32;
    }
    s = ((s / freq) << scale) + (s % freq) + start;
  }
  std::vector<uint8_t> out;
  out.reserve(8 * kRansLanes + 4 * words.size());
  for (uint64_t s : x)
    for (int b = 0; b < 8; ++b) out.push_back(static_cast<uint8_t>(s >> (8 * b)));
  for (size_t i = words.size(); i-- > 0;)
    for (int b = 0; b < 4; ++b) out.push_back(static_cast<uint8_t>(words[i] >> (8 * b)));
  ops_.clear();
  return out;
}

RansDecoder::RansDecoder(const uint8_t* data, size_t size) : p_(data), end_(data + size) {
  if (size < 8 * kRansLanes)
    throw FormatError("rANS stream truncated: " + std::to_string(size) + " bytes, needs at least " +
                      std::to_string(8 * kRansLanes));
  for (int l = 0; l < kRansLanes; ++l) {
    uint64_t s = 0;
    for (int b = 0; b < 8; ++b) s |= uint64_t{p_[b]} << (8 * b);
    p_ += 8;
    if (s < kRansL || s >= (uint64_t{1} << 63)) throw FormatError("rANS stream corrupted: state out of range");
    x_[l] = s;
  }
}

void RansDecoder::finish() const {
  for (uint64_t s : x_)
    if (s != kRansL) throw FormatError("rANS stream corrupted: final state mismatch");
  if (p_ != end_) throw FormatError("rANS stream corrupted: " + std::to_string(end_ - p_) + " bytes left over");
}

}  // namespace nicodec::entropy
