// Binarizations on top of the CABAC engine: how non-binary values become bins (H.265 section 9.3.3).
// Context-coded forms take an array of contexts: bin i uses ctx[min(i, num_ctx - 1)].
#pragma once
#include <cstdint>

#include "entropy/cabac.h"

namespace nicodec::entropy {

// Fixed-length: nbits (<= 32) bypass bins, most significant first.
void encode_fixed_length(CabacEncoder& enc, uint32_t value, int nbits);
uint32_t decode_fixed_length(CabacDecoder& dec, int nbits);

// Truncated unary: value ones then a zero, the zero omitted when value == max. value <= max.
void encode_truncated_unary(CabacEncoder& enc, uint32_t value, uint32_t max, BinContext* ctx, int num_ctx);
uint32_t decode_truncated_unary(CabacDecoder& dec, uint32_t max, BinContext* ctx, int num_ctx);

// k-th order Exp-Golomb (bypass bins), for values up to 2^32 - 1. The decoder rejects prefixes longer than a
// 32-bit value can need, so a corrupted stream cannot make it loop.
void encode_exp_golomb(CabacEncoder& enc, uint32_t value, int k);
uint32_t decode_exp_golomb(CabacDecoder& dec, int k);

// Signed integer: zero flag, sign, |v|-1 as truncated unary on mag[] up to `prefix_max` bins, the remainder as
// Exp-Golomb-0 (bypass). The sign has a context of its own: prediction residuals often lean to one side, and
// for balanced signs an adaptive context costs next to nothing over a bypass bin.
struct SignedIntContexts {
  static constexpr int kMagCtx = 8;
  BinContext zero, sign, mag[kMagCtx];
};
void encode_signed(CabacEncoder& enc, int32_t value, SignedIntContexts& ctx, uint32_t prefix_max = 8);
int32_t decode_signed(CabacDecoder& dec, SignedIntContexts& ctx, uint32_t prefix_max = 8);

// Signed integer with a heavy tail (motion vector differences: mostly 0 or +-1, now and then hundreds): the zero
// flag on a context the caller picks (it knows the neighbourhood), the sign, then |v| as an Elias-gamma code
// whose exponent e = floor(log2 |v|) is unary on exponent[] and whose e lower bits are bypass. The adaptive
// exponent learns the magnitudes' scale wherever it lies, where a fixed unary/Exp-Golomb split pays for every
// large value in bypass bins. |v| in [2^e, 2^(e+1)) costs 2 e + 3 bins.
struct SignedGammaContexts {
  static constexpr int kExpCtx = 14;
  BinContext sign, exponent[kExpCtx];
};
void encode_signed_gamma(CabacEncoder& enc, int32_t value, BinContext& zero, SignedGammaContexts& ctx);
// Rejects exponents beyond 30 (a corrupted stream), so it neither loops nor overflows.
int32_t decode_signed_gamma(CabacDecoder& dec, BinContext& zero, SignedGammaContexts& ctx);

}  // namespace nicodec::entropy
