// Binary latents: each channel is a bit, with the probability of 1 kept for entropy coding (CABAC contexts or
// a fixed-probability bin). Training samples Bernoulli(p) (or thresholds at 1/2) with straight-through gradients.
#pragma once
#include <torch/torch.h>

namespace nicodec::quant {

struct BinaryOutput {
  torch::Tensor bits;  // {0, 1} floats, differentiable w.r.t. the logits through the straight-through path
  torch::Tensor prob;  // P(bit = 1) = sigmoid(logits)
};

// stochastic: sample during training (exploration, unbiased); otherwise threshold at p = 1/2.
BinaryOutput quantize_binary(const torch::Tensor& logits, bool training, bool stochastic = true);
// Ideal code length in bits of `bits` under probabilities `prob` (what an adaptive binary coder approaches).
torch::Tensor binary_bits(const torch::Tensor& bits, const torch::Tensor& prob);

}  // namespace nicodec::quant
