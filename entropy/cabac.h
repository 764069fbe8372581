// Context-adaptive binary arithmetic coder (CABAC-style), for binary latents, signs, magnitudes and weights.
//
// Probability estimation: VVC-style dual-rate estimator (BinContext). Each context keeps two exponential
// moving averages of P(bin = 1) with window 2^rate_fast and 2^rate_slow and codes with their mean: the fast
// one adapts quickly after a change, the slow one gives a precise estimate once statistics settle. We chose it
// over HEVC's 64-state machine because it needs no tables, its precision is not capped by 64 states (HEVC
// cannot go below p = 0.02), rates can be set per context, and VVC measured it as the better estimator.
//
// Arithmetic engine: a 32-bit range coder with carry propagation (the multiplicative "M-coder" generalized to
// 16-bit probabilities). HEVC's 9-bit range and LPS table exist for hardware; on a CPU a 32x16-bit multiply is
// cheap and avoids the precision loss of the table (measured in docs/results.md).
//
// Stream: bytes, big-endian code value; the decoder reads exactly the bytes the encoder wrote.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/error.h"

namespace nicodec::entropy {

struct BinContext {
  static constexpr uint32_t kStateBits = 30;  // estimator state precision: P(1) in 1/2^30
  static constexpr uint32_t kOne = 1u << kStateBits;
  uint32_t p_fast = kOne / 2, p_slow = kOne / 2;  // each stays in (0, kOne)
  uint8_t rate_fast = 4, rate_slow = 7;

  BinContext() = default;
  BinContext(uint8_t fast, uint8_t slow, double p1 = 0.5);
  // Slow windows for bins whose statistics do not change (e.g. within one latent channel).
  static BinContext stationary(double p1 = 0.5) { return BinContext(7, 10, p1); }
  // P(bin = 1) used for coding, in 1/65536, in [1, 65535]. The 30-bit states keep even a 2^-10 window
  // precise for rare bins (a 16-bit state could not go below p = 2^rate / 2^16).
  uint32_t p1() const {
    const uint32_t p = (p_fast >> 1) + (p_slow >> 1) + 0x2000u;  // mean, rounded to 16 bits below
    const uint32_t p16 = p >> (kStateBits - 16);
    return p16 < 1 ? 1 : (p16 > 65535 ? 65535 : p16);
  }
  void update(uint32_t bin) {
    if (bin) {
      p_fast += (kOne - p_fast) >> rate_fast;
      p_slow += (kOne - p_slow) >> rate_slow;
    } else {
      p_fast -= p_fast >> rate_fast;
      p_slow -= p_slow >> rate_slow;
    }
  }
};

class CabacEncoder {
 public:
  void encode(BinContext& ctx, uint32_t bin) {
    encode_with_p1(bin, ctx.p1());
    ctx.update(bin);
  }
  // A bin with a fixed P(1) in 1/65536 (1..65535), no adaptation.
  void encode_with_p1(uint32_t bin, uint32_t p1) {
    const uint32_t bound = (range_ >> 16) * p1;
    if (bin) {
      range_ = bound;
    } else {
      low_ += bound;
      range_ -= bound;
    }
    while (range_ < (1u << 24)) {
      range_ <<= 8;
      shift_low();
    }
  }
  // Equiprobable bins, no context: 'value' low nbits (<= 32), most significant first.
  void encode_bypass(uint32_t value, int nbits) {
    for (int i = nbits - 1; i >= 0; --i) {
      range_ >>= 1;
      if ((value >> i) & 1) low_ += range_;
      while (range_ < (1u << 24)) {
        range_ <<= 8;
        shift_low();
      }
    }
  }
  // End-of-data flag with P(1) = 1/65536: a continuing stream pays ~2e-5 bits per flag.
  void encode_terminate(uint32_t last) { encode_with_p1(last ? 1 : 0, 1); }
  // Flushes and returns the stream; the encoder is reset.
  std::vector<uint8_t> finish();
  size_t bytes_so_far() const { return out_.size() + cache_size_; }

 private:
  void shift_low();
  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t cache_size_ = 1;
  bool first_ = true;  // the first byte out is always 0 and is not stored
  std::vector<uint8_t> out_;
};

class CabacDecoder {
 public:
  // Throws FormatError if the stream is shorter than the 4-byte minimum.
  CabacDecoder(const uint8_t* data, size_t size);
  uint32_t decode(BinContext& ctx) {
    const uint32_t bin = decode_with_p1(ctx.p1());
    ctx.update(bin);
    return bin;
  }
  uint32_t decode_with_p1(uint32_t p1) {
    const uint32_t bound = (range_ >> 16) * p1;
    uint32_t bin;
    if (code_ < bound) {
      range_ = bound;
      bin = 1;
    } else {
      code_ -= bound;
      range_ -= bound;
      bin = 0;
    }
    while (range_ < (1u << 24)) {
      range_ <<= 8;
      code_ = (code_ << 8) | next_byte();
    }
    return bin;
  }
  uint32_t decode_bypass(int nbits) {
    uint32_t v = 0;
    for (int i = 0; i < nbits; ++i) {
      range_ >>= 1;
      uint32_t bit = code_ >= range_;
      code_ -= range_ & (0u - bit);
      v = (v << 1) | bit;
      while (range_ < (1u << 24)) {
        range_ <<= 8;
        code_ = (code_ << 8) | next_byte();
      }
    }
    return v;
  }
  uint32_t decode_terminate() { return decode_with_p1(1); }
  // Throws FormatError unless every byte was consumed (call after the last bin).
  void finish() const;

 private:
  uint32_t next_byte() {
    if (p_ == end_) throw FormatError("CABAC stream truncated or corrupted: read past its end");
    return *p_++;
  }
  uint32_t range_ = 0xFFFFFFFFu, code_ = 0;
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace nicodec::entropy
