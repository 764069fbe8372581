// Spectral training losses of the audio codec (both compare magnitudes only, so they do not ask the decoder to
// reproduce the exact phase, which a 1-3 kbit/s code cannot carry):
//   mel:  multi-scale log-mel L1 -- FFT sizes 512, 1024, 2048 (hop size/4, periodic Hann), 64 HTK mel bands
//         (core/mel_scale.h), log10(max(power, 1e-5)); the same quantity as eval's mel_distance.
//   stft: multi-resolution STFT loss (Yamamoto et al. 2020, Parallel WaveGAN): spectral convergence
//         ||S - S_hat||_F / ||S||_F plus L1 of log magnitudes, FFT sizes 256, 512, 1024, 2048.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nicodec::codecs::audio {

class SpectralLosses {
 public:
  explicit SpectralLosses(int sample_rate, torch::Device device = torch::kCPU);
  torch::Tensor mel(const torch::Tensor& x, const torch::Tensor& x_hat) const;   // [B, L] each; scalar
  torch::Tensor stft(const torch::Tensor& x, const torch::Tensor& x_hat) const;  // scalar

 private:
  std::vector<int64_t> mel_sizes_{512, 1024, 2048}, stft_sizes_{256, 512, 1024, 2048};
  std::vector<torch::Tensor> filterbanks_;  // [bins, 64] per mel size
  std::vector<torch::Tensor> windows_;      // per size, keyed by log2
  torch::Device device_;
  torch::Tensor magnitude(const torch::Tensor& x, int64_t n) const;  // [B, T, n/2+1]
};

}  // namespace nicodec::codecs::audio
