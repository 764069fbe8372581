#include "codecs/audio/model.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace nicodec::codecs::audio {

namespace F = torch::nn::functional;

double AudioModelConfig::stage_kbps() const {
  return frame_rate() * std::log2(static_cast<double>(codebook_size)) / 1000.0;
}

std::string AudioModelConfig::describe() const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "STFT codec %lld Hz, win %lld hop %lld, %.1f Hz latents, C=%lld, RVQ %lldx%lld codes (%.3f kbit/s per stage)",
                static_cast<long long>(sample_rate), static_cast<long long>(win), static_cast<long long>(hop), frame_rate(),
                static_cast<long long>(channels), static_cast<long long>(num_quantizers),
                static_cast<long long>(codebook_size), stage_kbps());
  std::string d = buf;
  if (phase_bins > 0) d += ", phase input below " + std::to_string(phase_bins * sample_rate / win) + " Hz";
  return d;
}

CausalConvNeXtImpl::CausalConvNeXtImpl(int64_t channels, int64_t kernel) : kernel_(kernel) {
  dw = register_module("dw", torch::nn::Conv1d(torch::nn::Conv1dOptions(channels, channels, kernel).groups(channels)));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels})));
  pw1 = register_module("pw1", torch::nn::Linear(channels, 3 * channels));
  pw2 = register_module("pw2", torch::nn::Linear(3 * channels, channels));
  scale = register_parameter("scale", torch::full({channels}, 0.1));
}

torch::Tensor CausalConvNeXtImpl::forward(const torch::Tensor& x) {
  auto h = F::pad(x.transpose(1, 2), F::PadFuncOptions({kernel_ - 1, 0}));
  h = dw->forward(h).transpose(1, 2);
  h = pw2->forward(torch::gelu(pw1->forward(norm->forward(h))));
  return x + scale * h;
}

torch::Tensor overlap_add(const torch::Tensor& frames, int64_t hop) {
  const int64_t B = frames.size(0), T = frames.size(1), win = frames.size(2);
  // fold sums the frames placed at t * hop over a signal of (T - 1) * hop + win samples.
  auto cols = frames.transpose(1, 2);  // [B, win, T]
  auto y = F::fold(cols, F::FoldFuncOptions({1, (T - 1) * hop + win}, {1, win}).stride({1, hop}));
  return y.view({B, -1}).narrow(1, win - hop, T * hop);
}

AudioModelImpl::AudioModelImpl(const AudioModelConfig& cfg) : cfg_(cfg) {
  if (cfg.win % cfg.hop != 0 || cfg.down < 1) throw UsageError("audio model: win must be a multiple of hop");
  if (cfg.phase_bins < 0 || cfg.phase_bins > cfg.bins()) throw UsageError("audio model: phase_bins must be in [0, win / 2 + 1]");
  const int64_t C = cfg.channels, bins = cfg.bins();
  enc_in = register_module("enc_in", torch::nn::Linear(cfg.feature_dim(), C));
  enc_norm = register_module("enc_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C})));
  enc_fast = register_module("enc_fast", torch::nn::Sequential());
  for (int64_t i = 0; i < cfg.blocks_fast; ++i) enc_fast->push_back(CausalConvNeXt(C));
  enc_down = register_module("enc_down", torch::nn::Linear(cfg.down * C, C));
  enc_slow = register_module("enc_slow", torch::nn::Sequential());
  for (int64_t i = 0; i < cfg.blocks_slow; ++i) enc_slow->push_back(CausalConvNeXt(C));
  enc_norm2 = register_module("enc_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C})));
  enc_out = register_module("enc_out", torch::nn::Linear(C, cfg.latent_dim));

  quant::RVQOptions ro;
  ro.num_quantizers = cfg.num_quantizers;
  ro.vq.codebook_size = cfg.codebook_size;
  ro.vq.dim = cfg.latent_dim;
  ro.vq.commitment = 1.0;  // weighted in the trainer
  ro.dropout_probability = 1.0;
  rvq = register_module("rvq", quant::ResidualVQ(ro));

  dec_in = register_module("dec_in", torch::nn::Linear(cfg.latent_dim, C));
  dec_norm = register_module("dec_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C})));
  dec_slow = register_module("dec_slow", torch::nn::Sequential());
  for (int64_t i = 0; i < cfg.blocks_slow; ++i) dec_slow->push_back(CausalConvNeXt(C));
  dec_up = register_module("dec_up", torch::nn::Linear(C, cfg.down * C));
  dec_fast = register_module("dec_fast", torch::nn::Sequential());
  for (int64_t i = 0; i < cfg.blocks_fast; ++i) dec_fast->push_back(CausalConvNeXt(C));
  dec_norm2 = register_module("dec_norm2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({C})));
  dec_out = register_module("dec_out", torch::nn::Linear(C, 2 * bins));
  window_ = register_buffer("window", torch::hann_window(cfg.win, torch::TensorOptions().dtype(torch::kFloat)));
}

torch::Tensor AudioModelImpl::features(const torch::Tensor& x) {
  // Causal framing: frame t ends at sample (t + 1) * hop; the first frames see zeros before the signal.
  auto padded = F::pad(x, F::PadFuncOptions({cfg_.win - cfg_.hop, 0}));
  auto frames = padded.unfold(1, cfg_.win, cfg_.hop) * window_;  // [B, T, win]
  auto spec = torch::fft::rfft(frames, cfg_.win, -1);
  auto log_mag = torch::log(torch::abs(spec) + 1e-5);
  if (cfg_.phase_bins == 0) return log_mag;
  auto phase = torch::angle(spec.narrow(2, 0, cfg_.phase_bins));
  return torch::cat({log_mag, torch::cos(phase), torch::sin(phase)}, 2);
}

torch::Tensor AudioModelImpl::g_a(const torch::Tensor& x) {
  auto h = enc_norm->forward(enc_in->forward(features(x)));
  h = enc_fast->forward(h);
  const int64_t B = h.size(0), T = h.size(1), C = h.size(2);
  h = enc_down->forward(h.reshape({B, T / cfg_.down, cfg_.down * C}));
  h = enc_slow->forward(h);
  return enc_out->forward(enc_norm2->forward(h));
}

torch::Tensor AudioModelImpl::g_s_frames(const torch::Tensor& y_hat) {
  auto h = dec_norm->forward(dec_in->forward(y_hat));
  h = dec_slow->forward(h);
  const int64_t B = h.size(0), T = h.size(1), C = cfg_.channels;
  h = dec_up->forward(h).reshape({B, T * cfg_.down, C});
  h = dec_fast->forward(h);
  auto o = dec_out->forward(dec_norm2->forward(h));
  const int64_t bins = cfg_.win / 2 + 1;
  auto mag = torch::exp(o.narrow(2, 0, bins).clamp(-20.0, 6.0));
  auto phase = o.narrow(2, bins, bins);
  auto spec = torch::complex(mag * torch::cos(phase), mag * torch::sin(phase));
  return torch::fft::irfft(spec, cfg_.win, -1) * window_ * (static_cast<double>(cfg_.hop * 2) / static_cast<double>(cfg_.win));
}

torch::Tensor AudioModelImpl::g_s(const torch::Tensor& y_hat) { return overlap_add(g_s_frames(y_hat), cfg_.hop); }

int64_t AudioModelImpl::synthesis_context() const {
  // Slow blocks reach back (k - 1) latent frames each; fast blocks (k - 1) STFT frames; the overlap-add one window.
  const int64_t fast = cfg_.blocks_fast * 6 + cfg_.win / cfg_.hop;
  return cfg_.blocks_slow * 6 + (fast + cfg_.down - 1) / cfg_.down;
}

int64_t AudioModelImpl::analysis_context() const {
  const int64_t fast = cfg_.blocks_fast * 6 + cfg_.win / cfg_.hop;
  return cfg_.blocks_slow * 6 + (fast + cfg_.down - 1) / cfg_.down;
}

AudioForward AudioModelImpl::forward(const torch::Tensor& x, int64_t stages) {
  if (x.size(1) % cfg_.frame_samples() != 0) throw UsageError("audio model: length must be a multiple of the latent frame");
  auto y = g_a(x);
  const int64_t B = y.size(0), T = y.size(1), D = y.size(2);
  auto q = rvq->forward(y.reshape({B * T, D}), stages);
  auto x_hat = g_s(q.quantized.view({B, T, D}));
  return {x_hat, q.loss, q.stages};
}

}  // namespace nicodec::codecs::audio
