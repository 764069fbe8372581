#include "codecs/common/gdn.h"

namespace nicodec::codecs {

namespace {
constexpr double kBetaEps = 1e-6;
constexpr double kOffDiagonal = 1e-3;
}

GdnImpl::GdnImpl(int64_t channels, bool inverse) : inverse_(inverse) {
  beta_sqrt_ = register_parameter("beta_sqrt", torch::ones({channels}));
  // gamma starts at 0.1 * identity, as in Ballé et al. Off the diagonal, gamma_sqrt starts at a small nonzero
  // value: at exactly 0 the gradient of gamma = gamma_sqrt^2 is 0 too, and the layer could never learn to mix
  // channels (gamma there is 1e-6, nothing at start).
  gamma_sqrt_ = register_parameter("gamma_sqrt", torch::eye(channels) * (std::sqrt(0.1) - kOffDiagonal) + kOffDiagonal);
}

bool GdnImpl::unlock_off_diagonal() {
  torch::NoGradGuard ng;
  auto off = 1 - torch::eye(gamma_sqrt_.size(0));
  if ((gamma_sqrt_ * off).abs().max().item<double>() != 0) return false;
  gamma_sqrt_.add_(off * kOffDiagonal);
  return true;
}

torch::Tensor GdnImpl::beta() const { return beta_sqrt_ * beta_sqrt_ + kBetaEps; }
torch::Tensor GdnImpl::gamma() const { return gamma_sqrt_ * gamma_sqrt_; }

torch::Tensor GdnImpl::forward(const torch::Tensor& x) {
  const int64_t c = gamma_sqrt_.size(0);
  torch::Tensor norm;
  if (inverse_ && !torch::GradMode::is_enabled()) {
    // Decoding: the channel mixing as a matrix product. libtorch's conv2d gives results that depend on the
    // thread count in the last bits, its matrix product does not, and decoded pixels should not either (it
    // costs about 15% of a decode; training, refinement and analysis keep the faster conv2d).
    const auto sizes = x.sizes();
    norm = torch::sqrt(torch::matmul(gamma(), (x * x).reshape({sizes[0], c, -1})) + beta().view({1, c, 1})).view(sizes);
  } else {
    norm = torch::sqrt(torch::conv2d(x * x, gamma().view({c, c, 1, 1}), beta()));
  }
  return inverse_ ? x * norm : x / norm;
}

}  // namespace nicodec::codecs
