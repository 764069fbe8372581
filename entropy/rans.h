// rANS coder core: 64-bit states, 32-bit renormalization, kLanes interleaved states in one word stream.
//
// Why this shape: a 64-bit state (kept in [2^31, 2^63)) lets a symbol carry up to 24 bits of probability
// precision and renormalizes with at most one 32-bit word per symbol, so the decoder's hot loop has a single,
// rarely taken branch (ryg_rans' rans64 idea). Consecutive operations go to different states, so the CPU
// overlaps their dependency chains. rANS is last-in-first-out; RansEncoder hides that by queuing operations
// and coding them backwards in finish(), so callers encode and decode in the same, natural order.
//
// Stream layout: kLanes little-endian u64 final states (lane 0 first), then u32 little-endian words.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace nicodec::entropy {

constexpr int kRansLanes = 4;
constexpr uint64_t kRansL = uint64_t{1} << 31;  // lower bound of the normalized state interval
constexpr uint32_t kRansMaxScaleBits = 24;

class RansEncoder {
 public:
  // Queues a symbol that occupies [start, start + freq) out of 2^scale_bits.
  void put(uint32_t start, uint32_t freq, uint32_t scale_bits) {
    if (freq == 0 || scale_bits > kRansMaxScaleBits || start + uint64_t{freq} > (uint64_t{1} << scale_bits))
      throw UsageError("rANS put: invalid interval");
    ops_.push_back(uint64_t{start} | (uint64_t{freq} << 25) | (uint64_t{scale_bits} << 50));
  }
  // Queues nbits (<= 16) raw bits, each 0/1 equally likely.
  void put_bits(uint32_t value, uint32_t nbits) { put(value & ((1u << nbits) - 1), 1, nbits); }
  size_t pending() const { return ops_.size(); }
  // Codes everything queued and returns the stream; the encoder is empty again afterwards.
  std::vector<uint8_t> finish();

 private:
  std::vector<uint64_t> ops_;  // start:25 | freq:25 | scale_bits:5, in caller order
};

class RansDecoder {
 public:
  // Throws FormatError if the stream is too short to hold the initial states or a state is out of range.
  RansDecoder(const uint8_t* data, size_t size);

  // The next symbol's cumulative frequency slot, in [0, 2^scale_bits).
  uint32_t peek(uint32_t scale_bits) const {
    return static_cast<uint32_t>(x_[lane_] & ((uint64_t{1} << scale_bits) - 1));
  }
  // Removes the symbol [start, start + freq) that peek() pointed into. Throws FormatError past the stream end.
  void advance(uint32_t start, uint32_t freq, uint32_t scale_bits) {
    uint64_t x = x_[lane_];
    x = freq * (x >> scale_bits) + (x & ((uint64_t{1} << scale_bits) - 1)) - start;
    if (x < kRansL) x = (x << 32) | next_word();
    x_[lane_] = x;
    lane_ = (lane_ + 1) & (kRansLanes - 1);
  }
  uint32_t get_bits(uint32_t nbits) {
    uint32_t v = peek(nbits);
    advance(v, 1, nbits);
    return v;
  }
  // Checks that the stream ended exactly where the encoder's began: every state back at kRansL and no words
  // left. A corrupted stream almost always fails here. Throws FormatError.
  void finish() const;

 private:
  uint32_t next_word() {
    if (end_ - p_ < 4) throw FormatError("rANS stream truncated or corrupted: read past its end");
    uint32_t w = uint32_t{p_[0]} | uint32_t{p_[1]} << 8 | uint32_t{p_[2]} << 16 | uint32_t{p_[3]} << 24;
    p_ += 4;
    return w;
  }
  uint64_t x_[kRansLanes];
  unsigned lane_ = 0;
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace nicodec::entropy
