#include "codecs/image/model.h"

#include <cmath>
#include <sstream>

#include "codecs/common/likelihoods.h"
#include "quant/latent/uniform.h"

namespace nicodec::codecs::image {

namespace nn = torch::nn;

double ModelConfig::lambda(double q) const { return lambda_min * std::pow(2.0, q); }

std::string ModelConfig::describe() const {
  std::ostringstream s;
  s << "mean-scale hyperprior + gain units: N=" << N << " M=" << M << " Nz=" << Nz << " levels=" << levels
    << " lambda_min=" << lambda_min;
  return s.str();
}

namespace {

nn::Conv2d conv(int64_t in, int64_t out, int64_t k, int64_t stride) {
  return nn::Conv2d(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2));
}
nn::ConvTranspose2d deconv(int64_t in, int64_t out, int64_t k, int64_t stride) {
  return nn::ConvTranspose2d(
      nn::ConvTranspose2dOptions(in, out, k).stride(stride).padding(k / 2).output_padding(stride - 1));
}

}  // namespace

ImageModelImpl::ImageModelImpl(const ModelConfig& cfg) : cfg_(cfg) {
  const int64_t N = cfg.N, M = cfg.M, Nz = cfg.Nz;
  g_a = register_module("g_a", nn::Sequential(conv(3, N, 5, 2), Gdn(N, false), conv(N, N, 5, 2), Gdn(N, false),
                                                conv(N, N, 5, 2), Gdn(N, false), conv(N, M, 5, 2)));
  g_s = register_module("g_s", nn::Sequential(conv(M, 4 * N, 3, 1), nn::PixelShuffle(2), Gdn(N, true),
                                                conv(N, 4 * N, 3, 1), nn::PixelShuffle(2), Gdn(N, true),
                                                conv(N, 4 * N, 3, 1), nn::PixelShuffle(2), Gdn(N, true),
                                                conv(N, 12, 3, 1), nn::PixelShuffle(2)));
  h_a = register_module("h_a", nn::Sequential(conv(M, N, 3, 1), nn::LeakyReLU(), conv(N, N, 5, 2), nn::LeakyReLU(),
                                                conv(N, Nz, 5, 2)));
  h_s = register_module("h_s", nn::Sequential(deconv(Nz, N, 5, 2), nn::ReLU(), deconv(N, N * 3 / 2, 5, 2),
                                                nn::ReLU(), conv(N * 3 / 2, 2 * M, 3, 1)));
  // Gains: for MSE at high rate the best step size goes as 1/sqrt(lambda), so lambda doubling per level means
  // log-gain rising by ln(2)/2 per level; start there and learn.
  auto lvl = torch::arange(cfg.levels, torch::kFloat) - static_cast<double>(cfg.levels - 1) / 2.0;
  auto init = (lvl * (std::log(2.0) / 2.0)).unsqueeze(1).expand({cfg.levels, M}).clone();
  log_gain_ = register_parameter("log_gain", init.clone());
  log_inv_gain_ = register_parameter("log_inv_gain", -init);
  z_log_scale_ = register_parameter("z_log_scale", torch::zeros({Nz}));
}

torch::Tensor ImageModelImpl::gain(const torch::Tensor& q, bool inverse) const {
  const auto& table = inverse ? log_inv_gain_ : log_gain_;
  auto qf = q.to(table.device(), torch::kFloat);
  auto qc = qf.clamp(0.0, static_cast<double>(cfg_.levels - 1));
  auto lo = torch::clamp(torch::floor(qc), 0, static_cast<double>(cfg_.levels - 2)).to(torch::kLong);
  auto t = (qc - lo.to(torch::kFloat)).unsqueeze(1);
  auto lg = table.index_select(0, lo) * (1 - t) + table.index_select(0, lo + 1) * t;
  // Below level 0 (untrained): every gain shrinks alike, by 2^(q/2) (the step size of MSE-optimal quantization
  // goes as 1/sqrt(lambda), and lambda halves per level), so the rate falls steadily instead of following an
  // extrapolation of per-channel gains that were never trained there.
  auto below = (qf - qc).unsqueeze(1) * (std::log(2.0) / 2.0) * (inverse ? -1.0 : 1.0);
  return torch::exp(lg + below).unsqueeze(-1).unsqueeze(-1);
}

ForwardOutput ImageModelImpl::forward(const torch::Tensor& x, const torch::Tensor& q, bool training) {
  const int64_t M = cfg_.M;
  auto y = g_a->forward(x) * gain(q, false);
  auto z = h_a->forward(y);
  auto zq = quant::quantize_uniform(z, {}, quant::UniformSurrogate::kMixed, training);
  auto z_scales = torch::exp(bound(z_log_scale_, std::log(kScaleMin), std::log(kScaleMax))).view({1, -1, 1, 1});
  auto lik_z = gaussian_likelihood(zq.for_rate, torch::zeros_like(zq.for_rate), z_scales.expand_as(zq.for_rate));

  auto params = h_s->forward(zq.for_decoder);
  auto means = params.narrow(1, 0, M);
  auto scales = torch::exp(bound(params.narrow(1, M, M), std::log(kScaleMin), std::log(kScaleMax)));
  auto yq = quant::quantize_uniform(y, means, quant::UniformSurrogate::kMixed, training);
  auto lik_y = gaussian_likelihood(yq.for_rate, means, scales);

  ForwardOutput out;
  out.x_hat = g_s->forward(yq.for_decoder * gain(q, true));
  out.bits_y = -torch::log2(lik_y).flatten(1).sum(1);
  out.bits_z = -torch::log2(lik_z).flatten(1).sum(1);
  return out;
}

}  // namespace nicodec::codecs::image
