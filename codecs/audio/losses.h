// Spectral training losses of the audio codec (both compare magnitudes only, so they do not ask the decoder to
// reproduce the exact phase, which a 1-3 kbit/s code cannot carry):
//   mel:  multi-scale log-mel L1 -- FFT sizes 512, 1024, 2048 (hop size/4, periodic Hann), 64 HTK mel bands
//         (core/mel_scale.h), log10(max(power, 1e-5)); the same quantity as eval's mel_distance.
//   stft: multi-resolution STFT loss (Yamamoto et al. 2020, Parallel WaveGAN): spectral convergence
//         ||S - S_hat||_F / ||S||_F plus L1 of log magnitudes, FFT sizes 256, 512, 1024, 2048.
//   phase: magnitude-weighted phase error below max_hz, per crop
//         1 - sum |S| cos(angle S - angle S_hat) / sum |S|,  FFT sizes 512 and 1024:
//         0 when the phases match, about 1 for unrelated phases. It depends on S_hat's phase only (never pulls
//         the decoder's magnitudes down, as a complex-spectrum L1 would where the phase is unknown); for
//         encoders that see the phase (AudioModelConfig::phase_bins).
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nicodec::codecs::audio {

class SpectralLosses {
 public:
  explicit SpectralLosses(int sample_rate, torch::Device device = torch::kCPU);
  torch::Tensor mel(const torch::Tensor& x, const torch::Tensor& x_hat) const;   // [B, L] each; scalar
  torch::Tensor stft(const torch::Tensor& x, const torch::Tensor& x_hat) const;  // scalar
  torch::Tensor phase(const torch::Tensor& x, const torch::Tensor& x_hat, double max_hz) const;  // scalar

 private:
  std::vector<int64_t> mel_sizes_{512, 1024, 2048}, stft_sizes_{256, 512, 1024, 2048};
  std::vector<torch::Tensor> filterbanks_;  // [bins, 64] per mel size
  std::vector<torch::Tensor> windows_;      // per size, keyed by log2
  int sample_rate_;
  torch::Device device_;
  torch::Tensor spectrum(const torch::Tensor& x, int64_t n) const;   // complex [B, T, n/2+1], hop n/4
  torch::Tensor magnitude(const torch::Tensor& x, int64_t n) const;  // [B, T, n/2+1]
};

}  // namespace nicodec::codecs::audio
