// Likelihoods of uniformly quantized latents under the rate models of learned codecs (training side; coding
// uses the integer tables of entropy/distributions.h built from the same family).
//   P(q) = F((q + 1/2 - mu) / sigma) - F((q - 1/2 - mu) / sigma),  F the standard normal CDF.
#pragma once
#include <torch/torch.h>

namespace nicodec::codecs {

// Gaussian likelihood of values y (noisy or rounded) given means and scales; bounded below by 1e-9 so the
// rate stays finite. Scales must already be bounded away from 0.
torch::Tensor gaussian_likelihood(const torch::Tensor& y, const torch::Tensor& means, const torch::Tensor& scales);

// Total bits of a likelihood tensor: sum of -log2 p.
torch::Tensor bits(const torch::Tensor& likelihoods);

// Lower/upper bound on the forward pass whose gradient passes through unchanged (so a parameter at a bound can
// still move back inside).
torch::Tensor clamp_ste(const torch::Tensor& x, double lo, double hi);

}  // namespace nicodec::codecs
