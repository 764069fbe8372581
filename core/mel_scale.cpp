#include "core/mel_scale.h"

#include <cmath>
#include <cstddef>

namespace nicodec {

double hz_to_mel(double hz) { return 2595.0 * std::log10(1.0 + hz / 700.0); }
double mel_to_hz(double mel) { return 700.0 * (std::pow(10.0, mel / 2595.0) - 1.0); }

std::vector<std::vector<double>> mel_filterbank(int n_fft, int sample_rate, int bands) {
  const int bins = n_fft / 2 + 1;
  const double top = hz_to_mel(sample_rate / 2.0);
  std::vector<double> edges(static_cast<size_t>(bands + 2));
  for (int i = 0; i < bands + 2; ++i) edges[static_cast<size_t>(i)] = mel_to_hz(top * i / (bands + 1));
  std::vector<std::vector<double>> fb(static_cast<size_t>(bands), std::vector<double>(static_cast<size_t>(bins), 0.0));
  for (int b = 0; b < bands; ++b) {
    const double lo = edges[static_cast<size_t>(b)], mid = edges[static_cast<size_t>(b + 1)], hi = edges[static_cast<size_t>(b + 2)];
    for (int k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * sample_rate / n_fft;
      double w = 0;
      if (f > lo && f <= mid) w = (f - lo) / (mid - lo);
      else if (f > mid && f < hi) w = (hi - f) / (hi - mid);
      fb[static_cast<size_t>(b)][static_cast<size_t>(k)] = w;
    }
  }
  return fb;
}

}  // namespace nicodec
