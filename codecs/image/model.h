// The nicodec image model: a mean-scale hyperprior (Minnen, Ballé & Toderici 2018) with gain units for a
// continuous rate knob (Cui et al. 2021, "Asymmetric gained deep image compression with continuous rate
// adaptation"): one model, rate levels q = 0 .. levels-1 trained at lambda(q) = lambda_min * 2^q, any real q
// in between by interpolating the log-gains, and q < 0 (lower rates, untrained) by shrinking all gains alike.
//
//   y = g_a(x) * gain(q)           analysis: 4 strided 5x5 convs + GDN, x / 16 resolution, M channels
//   z = h_a(y)                      hyper-analysis: x / 64, Nz channels, coded with a per-channel zero-mean Gaussian
//   (mu, log sigma) = h_s(round(z)) hyper-synthesis: ReLU convs only, so it runs integer-exact when coding
//   x_hat = g_s(y_hat * inv_gain(q)) synthesis: light, 3x3 conv + PixelShuffle upsampling + IGDN (cheap on CPU)
// The encoder side is heavier than the decoder: encoding runs once, decoding everywhere.
#pragma once
#include <torch/torch.h>

#include <string>

#include "codecs/common/gdn.h"

namespace nicodec::codecs::image {

struct ModelConfig {
  int64_t N = 96;        // channels of g_a / g_s / h_s
  int64_t M = 128;       // latent y channels
  int64_t Nz = 64;       // hyper-latent z channels
  int64_t levels = 9;    // trained rate levels
  double lambda_min = 0.00025;  // lambda of level 0 (MSE on 0..255 scale: loss = lambda * 255^2 * MSE + bpp)
  double lambda(double q) const;
  std::string describe() const;
};

// Scale bounds shared by training and the coding tables.
constexpr double kScaleMin = 0.11;
constexpr double kScaleMax = 256.0;

struct ForwardOutput {
  torch::Tensor x_hat;        // [B, 3, H, W]
  torch::Tensor bits_y;       // [B] bits
  torch::Tensor bits_z;       // [B]
};

class ImageModelImpl : public torch::nn::Module {
 public:
  explicit ImageModelImpl(const ModelConfig& cfg);

  // Training/validation forward with the mixed surrogate (noise for the rate, straight-through rounding for the
  // decoder); training = false rounds exactly. q: [B] rate levels. H and W must be multiples of 64.
  ForwardOutput forward(const torch::Tensor& x, const torch::Tensor& q, bool training);

  // The parts, for coding.
  torch::Tensor analysis(const torch::Tensor& x) { return g_a->forward(x); }
  torch::Tensor hyper_analysis(const torch::Tensor& y) { return h_a->forward(y); }
  torch::Tensor hyper_synthesis(const torch::Tensor& z_hat) { return h_s->forward(z_hat); }  // [B, 2M, h, w]
  torch::Tensor synthesis(const torch::Tensor& y) { return g_s->forward(y).clamp(0.0, 1.0); }
  torch::Tensor gain(const torch::Tensor& q, bool inverse) const;  // [B, M, 1, 1]
  torch::Tensor z_log_scale() const { return z_log_scale_; }

  const ModelConfig& config() const { return cfg_; }
  torch::nn::Sequential g_a{nullptr}, g_s{nullptr}, h_a{nullptr}, h_s{nullptr};

 private:
  ModelConfig cfg_;
  torch::Tensor log_gain_, log_inv_gain_, z_log_scale_;
};
TORCH_MODULE(ImageModel);

}  // namespace nicodec::codecs::image
