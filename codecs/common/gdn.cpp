#include "codecs/common/gdn.h"

namespace nicodec::codecs {

namespace {
constexpr double kBetaEps = 1e-6;
}

GdnImpl::GdnImpl(int64_t channels, bool inverse) : inverse_(inverse) {
  beta_sqrt_ = register_parameter("beta_sqrt", torch::ones({channels}));
  // gamma starts at 0.1 * identity, as in Ballé et al.
  gamma_sqrt_ = register_parameter("gamma_sqrt", torch::eye(channels) * std::sqrt(0.1));
}

torch::Tensor GdnImpl::beta() const { return beta_sqrt_ * beta_sqrt_ + kBetaEps; }
torch::Tensor GdnImpl::gamma() const { return gamma_sqrt_ * gamma_sqrt_; }

torch::Tensor GdnImpl::forward(const torch::Tensor& x) {
  const int64_t c = gamma_sqrt_.size(0);
  auto norm = torch::conv2d(x * x, gamma().view({c, c, 1, 1}), beta());
  norm = torch::sqrt(norm);
  return inverse_ ? x * norm : x / norm;
}

}  // namespace nicodec::codecs
