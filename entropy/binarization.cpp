#include "entropy/binarization.h"

#include <algorithm>

namespace nicodec::entropy {
namespace {
BinContext& pick(BinContext* ctx, int num_ctx, uint32_t i) {
  return ctx[std::min<uint32_t>(i, static_cast<uint32_t>(num_ctx - 1))];
}
void check_bits(int nbits) {
  if (nbits < 0 || nbits > 32) throw UsageError("fixed-length binarization: nbits must be 0..32");
}
}  // namespace

void encode_fixed_length(CabacEncoder& enc, uint32_t value, int nbits) {
  check_bits(nbits);
  if (nbits > 16) {
    enc.encode_bypass(value >> 16, nbits - 16);
    nbits = 16;
  }
  enc.encode_bypass(value, nbits);
}

uint32_t decode_fixed_length(CabacDecoder& dec, int nbits) {
  check_bits(nbits);
  uint32_t v = 0;
  if (nbits > 16) {
    v = dec.decode_bypass(nbits - 16) << 16;
    nbits = 16;
  }
  return v | dec.decode_bypass(nbits);
}

void encode_truncated_unary(CabacEncoder& enc, uint32_t value, uint32_t max, BinContext* ctx, int num_ctx) {
  if (value > max) throw UsageError("truncated unary: value above max");
  if (num_ctx < 1) throw UsageError("truncated unary: needs at least one context");
  for (uint32_t i = 0; i < value; ++i) enc.encode(pick(ctx, num_ctx, i), 1);
  if (value < max) enc.encode(pick(ctx, num_ctx, value), 0);
}

uint32_t decode_truncated_unary(CabacDecoder& dec, uint32_t max, BinContext* ctx, int num_ctx) {
  if (num_ctx < 1) throw UsageError("truncated unary: needs at least one context");
  uint32_t v = 0;
  while (v < max && dec.decode(pick(ctx, num_ctx, v))) ++v;
  return v;
}

void encode_exp_golomb(CabacEncoder& enc, uint32_t value, int k) {
  if (k < 0 || k > 31) throw UsageError("Exp-Golomb: k must be 0..31");
  // value + 2^k written as (n - k) ones, a zero, then the n low bits, where 2^n <= value + 2^k < 2^(n+1).
  const uint64_t v = uint64_t{value} + (uint64_t{1} << k);
  const int n = 63 - __builtin_clzll(v);
  for (int i = k; i < n; ++i) enc.encode_bypass(1, 1);
  enc.encode_bypass(0, 1);
  const uint64_t rest = v - (uint64_t{1} << n);
  if (n > 16) {
    enc.encode_bypass(static_cast<uint32_t>(rest >> 16), n - 16);
    enc.encode_bypass(static_cast<uint32_t>(rest), 16);
  } else {
    enc.encode_bypass(static_cast<uint32_t>(rest), n);
  }
}

uint32_t decode_exp_golomb(CabacDecoder& dec, int k) {
  if (k < 0 || k > 31) throw UsageError("Exp-Golomb: k must be 0..31");
  int n = k;
  while (dec.decode_bypass(1)) {
    if (++n > 32) throw FormatError("CABAC stream corrupted: Exp-Golomb prefix too long");
  }
  uint64_t rest = 0;
  if (n > 16) {
    rest = uint64_t{dec.decode_bypass(n - 16)} << 16;
    rest |= dec.decode_bypass(16);
  } else {
    rest = dec.decode_bypass(n);
  }
  const uint64_t v = (uint64_t{1} << n) + rest - (uint64_t{1} << k);
  if (v > UINT32_MAX) throw FormatError("CABAC stream corrupted: Exp-Golomb value overflows 32 bits");
  return static_cast<uint32_t>(v);
}

void encode_signed(CabacEncoder& enc, int32_t value, SignedIntContexts& ctx, uint32_t prefix_max) {
  enc.encode(ctx.zero, value == 0);
  if (value == 0) return;
  enc.encode(ctx.sign, value < 0);
  const uint32_t mag = static_cast<uint32_t>(value < 0 ? -int64_t{value} : int64_t{value}) - 1;
  encode_truncated_unary(enc, std::min(mag, prefix_max), prefix_max, ctx.mag, SignedIntContexts::kMagCtx);
  if (mag >= prefix_max) encode_exp_golomb(enc, mag - prefix_max, 0);
}

int32_t decode_signed(CabacDecoder& dec, SignedIntContexts& ctx, uint32_t prefix_max) {
  if (dec.decode(ctx.zero)) return 0;
  const bool neg = dec.decode(ctx.sign);
  uint64_t mag = decode_truncated_unary(dec, prefix_max, ctx.mag, SignedIntContexts::kMagCtx);
  if (mag == prefix_max) mag += decode_exp_golomb(dec, 0);
  const int64_t v = neg ? -int64_t(mag + 1) : int64_t(mag + 1);
  if (v < INT32_MIN || v > INT32_MAX) throw FormatError("CABAC stream corrupted: signed value overflows int32");
  return static_cast<int32_t>(v);
}

namespace {
constexpr int kMaxGammaExponent = 30;  // |v| < 2^31
}  // namespace

void encode_signed_gamma(CabacEncoder& enc, int32_t value, BinContext& zero, SignedGammaContexts& ctx) {
  enc.encode(zero, value == 0);
  if (value == 0) return;
  enc.encode(ctx.sign, value < 0);
  const uint32_t m = static_cast<uint32_t>(value < 0 ? -int64_t{value} : int64_t{value});
  if (m >> (kMaxGammaExponent + 1)) throw UsageError("signed gamma: |value| must be below 2^31");
  const int e = 31 - __builtin_clz(m);
  for (int i = 0; i < e; ++i) enc.encode(pick(ctx.exponent, SignedGammaContexts::kExpCtx, static_cast<uint32_t>(i)), 1);
  if (e < kMaxGammaExponent) enc.encode(pick(ctx.exponent, SignedGammaContexts::kExpCtx, static_cast<uint32_t>(e)), 0);
  encode_fixed_length(enc, m - (1u << e), e);
}

int32_t decode_signed_gamma(CabacDecoder& dec, BinContext& zero, SignedGammaContexts& ctx) {
  if (dec.decode(zero)) return 0;
  const bool neg = dec.decode(ctx.sign);
  int e = 0;
  while (e < kMaxGammaExponent && dec.decode(pick(ctx.exponent, SignedGammaContexts::kExpCtx, static_cast<uint32_t>(e)))) ++e;
  const int64_t m = (int64_t{1} << e) + decode_fixed_length(dec, e);
  return static_cast<int32_t>(neg ? -m : m);
}

}  // namespace nicodec::entropy
