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

// Clamp to [lo, hi] whose gradient passes inside the range and, outside it, only where it points back inside
// (the LowerBound of Ballé et al.'s code, both ways): a value at a bound can move back, but the rate term
// cannot push it ever further out (unbounded drift would wreck the network's fixed-point conversion).
torch::Tensor bound(const torch::Tensor& x, double lo, double hi);

}  // namespace nicodec::codecs
