#include "codecs/audio/losses.h"

#include <algorithm>
#include <iterator>

#include "core/mel_scale.h"

namespace nicodec::codecs::audio {

namespace {
size_t log2_index(int64_t n) {
  size_t k = 0;
  while ((int64_t{1} << k) < n) ++k;
  return k;
}
}  // namespace

SpectralLosses::SpectralLosses(int sample_rate, torch::Device device) : sample_rate_(sample_rate), device_(device) {
  windows_.resize(16);
  for (int64_t n : {256, 512, 1024, 2048})
    windows_[log2_index(n)] = torch::hann_window(n, torch::TensorOptions().dtype(torch::kFloat)).to(device);
  for (int64_t n : mel_sizes_) {
    const auto fb = mel_filterbank(static_cast<int>(n), sample_rate, 64);
    auto t = torch::zeros({n / 2 + 1, 64});
    auto a = t.accessor<float, 2>();
    for (size_t b = 0; b < fb.size(); ++b)
      for (size_t k = 0; k < fb[b].size(); ++k) a[static_cast<int64_t>(k)][static_cast<int64_t>(b)] = static_cast<float>(fb[b][k]);
    filterbanks_.push_back(t.to(device));
  }
}

torch::Tensor SpectralLosses::spectrum(const torch::Tensor& x, int64_t n) const {
  auto frames = x.unfold(1, n, n / 4) * windows_[log2_index(n)];
  return torch::fft::rfft(frames, n, -1);
}

torch::Tensor SpectralLosses::magnitude(const torch::Tensor& x, int64_t n) const { return torch::abs(spectrum(x, n)); }

torch::Tensor SpectralLosses::mel(const torch::Tensor& x, const torch::Tensor& x_hat) const {
  auto total = torch::zeros({}, x.options());
  for (size_t i = 0; i < mel_sizes_.size(); ++i) {
    const int64_t n = mel_sizes_[i];
    auto a = torch::log10(torch::matmul(magnitude(x, n).pow(2), filterbanks_[i]).clamp_min(1e-5));
    auto b = torch::log10(torch::matmul(magnitude(x_hat, n).pow(2), filterbanks_[i]).clamp_min(1e-5));
    total = total + (a - b).abs().mean();
  }
  return total / static_cast<double>(mel_sizes_.size());
}

torch::Tensor SpectralLosses::stft(const torch::Tensor& x, const torch::Tensor& x_hat) const {
  auto total = torch::zeros({}, x.options());
  for (int64_t n : stft_sizes_) {
    auto s = magnitude(x, n), s_hat = magnitude(x_hat, n);
    auto sc = (s - s_hat).pow(2).sum().add(1e-9).sqrt() / s.pow(2).sum().add(1e-9).sqrt();
    auto lm = (torch::log(s + 1e-5) - torch::log(s_hat + 1e-5)).abs().mean();
    total = total + sc + lm;
  }
  return total / static_cast<double>(stft_sizes_.size());
}

torch::Tensor SpectralLosses::phase(const torch::Tensor& x, const torch::Tensor& x_hat, double max_hz) const {
  const int64_t sizes[] = {512, 1024};
  auto total = torch::zeros({}, x.options());
  for (int64_t n : sizes) {
    const int64_t k = std::clamp<int64_t>(static_cast<int64_t>(max_hz * static_cast<double>(n) / sample_rate_), 1, n / 2 + 1);
    auto s = spectrum(x, n).narrow(2, 0, k), s_hat = spectrum(x_hat, n).narrow(2, 0, k);
    // |S| cos(angle S - angle S_hat) = Re(S conj(S_hat)) / |S_hat|.
    auto aligned = torch::real(s * torch::conj(s_hat)) / (torch::abs(s_hat) + 1e-7);
    auto weight = torch::abs(s);
    auto per_crop = 1.0 - aligned.sum({1, 2}) / (weight.sum({1, 2}) + 1e-7);
    total = total + per_crop.mean();
  }
  return total / static_cast<double>(std::size(sizes));
}

}  // namespace nicodec::codecs::audio
