#include "codecs/common/likelihoods.h"

#include <cmath>

namespace nicodec::codecs {

torch::Tensor gaussian_likelihood(const torch::Tensor& y, const torch::Tensor& means, const torch::Tensor& scales) {
  // Use the upper tail for positive values (symmetry) so that far-out values keep their precision.
  const double inv_sqrt2 = 1.0 / std::sqrt(2.0);
  auto v = torch::abs(y - means);
  auto upper = torch::erfc((v - 0.5) / scales * inv_sqrt2);  // 2 * (1 - F((v - 1/2) / s))
  auto lower = torch::erfc((v + 0.5) / scales * inv_sqrt2);  // 2 * (1 - F((v + 1/2) / s))
  return torch::clamp_min(0.5 * (upper - lower), 1e-9);
}

torch::Tensor bits(const torch::Tensor& likelihoods) { return -torch::log2(likelihoods).sum(); }

torch::Tensor clamp_ste(const torch::Tensor& x, double lo, double hi) {
  return x + (torch::clamp(x, lo, hi) - x).detach();
}

}  // namespace nicodec::codecs
