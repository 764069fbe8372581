// Uniform scalar quantization of latents around a predicted mean (Ballé et al. 2017/2018, Minnen et al. 2018),
// with the usual training surrogates.
#pragma once
#include <torch/torch.h>

namespace nicodec::quant {

enum class UniformSurrogate {
  kNoise,  // y + u, u ~ U(-1/2, 1/2): a differentiable proxy whose density matches the rate model
  kSte,    // round(y - mu) + mu forward, identity gradient (straight-through)
  kMixed,  // noise for the rate term, STE for the decoder input (Minnen & Singh 2020)
};

struct UniformOutput {
  torch::Tensor for_rate;     // feed the likelihood model
  torch::Tensor for_decoder;  // feed the synthesis transform
};

// Training: the surrogate; evaluation (training = false): exact rounding for both.
UniformOutput quantize_uniform(const torch::Tensor& y, const torch::Tensor& means, UniformSurrogate mode, bool training);
// What the entropy coder codes: round(y - mu) as int32 (mu may be an undefined tensor for zero).
torch::Tensor uniform_symbols(const torch::Tensor& y, const torch::Tensor& means = {});
// Inverse: symbols + mu as float.
torch::Tensor uniform_dequantize(const torch::Tensor& symbols, const torch::Tensor& means = {});
// Straight-through rounding: round(x) forward, identity gradient.
torch::Tensor round_ste(const torch::Tensor& x);

}  // namespace nicodec::quant
