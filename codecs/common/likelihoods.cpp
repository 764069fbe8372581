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

namespace {

struct Bound : torch::autograd::Function<Bound> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, double lo, double hi) {
    ctx->save_for_backward({x});
    ctx->saved_data["lo"] = lo;
    ctx->saved_data["hi"] = hi;
    return torch::clamp(x, lo, hi);
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::tensor_list g) {
    const auto x = ctx->get_saved_variables()[0];
    const double lo = ctx->saved_data["lo"].toDouble(), hi = ctx->saved_data["hi"].toDouble();
    // Descent moves x against the gradient: below lo only a negative gradient moves it up, above hi only a
    // positive one moves it down.
    const auto pass = (x >= lo).logical_and(x <= hi).logical_or((x < lo).logical_and(g[0] < 0)).logical_or(
        (x > hi).logical_and(g[0] > 0));
    return {g[0] * pass.to(g[0].scalar_type()), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor bound(const torch::Tensor& x, double lo, double hi) { return Bound::apply(x, lo, hi); }

}  // namespace nicodec::codecs
