// Integer-exact convolutions for the parts of a decoder whose outputs drive entropy decoding (hyperprior /
// entropy-parameter networks), after Ballé, Johnston & Minnen 2019 ("Integer networks for data compression
// with latent-variable models"). The same bitstream must give the same entropy parameters everywhere.
//
// Arithmetic: int8 or int16 weights (per output channel scale), integer activations (|x| < 2^15), integer
// bias in accumulator units. The convolution runs as im2col + a float64 matrix product on these integer values
// (col2im for the transposed case). The constructor checks that max|w| * 2^15 * (products per output) + |bias|
// stays below 2^46: then every partial sum is an integer below 2^53, float64 accumulation is exact in any order,
// and the result is the same on any CPU, with any thread count, and on a GPU. Requantization to the output is
// integer-only: out = clamp((acc * M + 2^(s-1)) >> s, lo, hi) with a 16-bit multiplier M and shift s per
// output channel (gemmlowp-style fixed-point scaling; acc * M < 2^62 fits int64). 16-bit weights are for layers
// whose outputs need more precision than int8 gives (e.g. log-scales built from large, cancelling terms).
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace nicodec::quant {

struct IntegerConvParams {
  bool transposed = false;
  int64_t stride = 1, padding = 0, output_padding = 0;
  torch::Tensor weight;      // int8/int16 values as int64: [out, in, k, k] (conv) or [in, out, k, k] (transposed)
  torch::Tensor bias;        // [out] int64, in accumulator units
  torch::Tensor multiplier;  // [out] int64 in [2^15, 2^16)
  torch::Tensor shift;       // [out] int64 in [1, 62]
  int64_t out_min = -32767, out_max = 32767;  // 0 as out_min gives ReLU
};

class IntegerConv2d {
 public:
  IntegerConv2d() = default;
  explicit IntegerConv2d(IntegerConvParams p);
  // Builds from float weights [out, in, k, k] (or [in, out, k, k] transposed) and bias [out], for an input
  // whose integer value x_q means x_q * in_scale and an output meant as y_q * out_scale.
  static IntegerConv2d from_float(const torch::Tensor& weight, const torch::Tensor& bias, double in_scale,
                                  double out_scale, bool transposed, int64_t stride, int64_t padding,
                                  int64_t output_padding = 0, bool relu = false, int weight_bits = 8);
  // x: integer tensor [N, in, H, W] (any integer dtype, or float holding integers), on CPU or CUDA.
  // Returns int32 [N, out, H', W'].
  torch::Tensor forward(const torch::Tensor& x) const;
  // The output step alone: accumulators [N, out, ...] (integer values, any dtype that holds them exactly) plus the
  // bias, scaled and clamped to int32 outputs. For callers that compute the products their own way (e.g. only at
  // some positions), exactly as forward() would.
  torch::Tensor requantize(const torch::Tensor& acc) const;
  const IntegerConvParams& params() const { return p_; }

 private:
  IntegerConvParams p_;
};

// The same computation by plain nested loops with int64 accumulation: the reference the fast path must equal.
torch::Tensor integer_conv_reference(const IntegerConvParams& p, const torch::Tensor& x);

// Real multiplier m in (0, 2^16) as M * 2^-s with M in [2^15, 2^16).
void fixed_point_multiplier(double m, int64_t* multiplier, int64_t* shift);

}  // namespace nicodec::quant
