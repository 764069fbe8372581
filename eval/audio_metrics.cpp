#include "eval/audio_metrics.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace nicodec::eval {

void fft(std::vector<std::complex<double>>& x) {
  const size_t n = x.size();
  if (n == 0 || (n & (n - 1))) throw UsageError("fft: size must be a power of two");
  for (size_t i = 1, j = 0; i < n; ++i) {  // bit-reversal permutation
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(x[i], x[j]);
  }
  for (size_t len = 2; len <= n; len <<= 1) {
    const double ang = -2 * M_PI / static_cast<double>(len);
    for (size_t i = 0; i < n; i += len)
      for (size_t k = 0; k < len / 2; ++k) {
        const std::complex<double> w(std::cos(ang * static_cast<double>(k)), std::sin(ang * static_cast<double>(k)));
        const std::complex<double> u = x[i + k], v = x[i + k + len / 2] * w;
        x[i + k] = u + v;
        x[i + k + len / 2] = u - v;
      }
  }
}

double si_sdr(const float* ref, const float* est, size_t n) {
  if (n == 0) throw UsageError("si_sdr: empty signals");
  double mr = 0, me = 0;
  for (size_t i = 0; i < n; ++i) mr += ref[i], me += est[i];
  mr /= static_cast<double>(n), me /= static_cast<double>(n);
  double dot = 0, rr = 0;
  for (size_t i = 0; i < n; ++i) {
    dot += (est[i] - me) * (ref[i] - mr);
    rr += (ref[i] - mr) * (ref[i] - mr);
  }
  if (!(rr > 0)) throw UsageError("si_sdr: the reference is silent (zero after removing its mean)");
  const double alpha = dot / rr;
  double tt = 0, ee = 0;
  for (size_t i = 0; i < n; ++i) {
    const double t = alpha * (ref[i] - mr), e = (est[i] - me) - t;
    tt += t * t, ee += e * e;
  }
  return ee > 0 ? 10 * std::log10(tt / ee) : INFINITY;
}

namespace {

// log10 mel energies [frames][bands] of one signal at one FFT size.
std::vector<std::vector<double>> log_mel(const float* x, size_t n, int n_fft, const std::vector<std::vector<double>>& fb) {
  const size_t hop = static_cast<size_t>(n_fft / 4), bins = static_cast<size_t>(n_fft / 2 + 1);
  std::vector<double> window(static_cast<size_t>(n_fft));
  for (int i = 0; i < n_fft; ++i) window[static_cast<size_t>(i)] = 0.5 - 0.5 * std::cos(2 * M_PI * i / n_fft);  // periodic Hann
  std::vector<std::vector<double>> out;
  std::vector<std::complex<double>> buf(static_cast<size_t>(n_fft));
  for (size_t start = 0; start + static_cast<size_t>(n_fft) <= n; start += hop) {
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = x[start + i] * window[i];
    fft(buf);
    std::vector<double> mel(fb.size());
    for (size_t b = 0; b < fb.size(); ++b) {
      double e = 0;
      for (size_t k = 0; k < bins; ++k) e += fb[b][k] * std::norm(buf[k]);
      mel[b] = std::log10(std::max(e, 1e-5));
    }
    out.push_back(std::move(mel));
  }
  return out;
}

}  // namespace

double mel_distance(const float* ref, const float* est, size_t n, int sample_rate) {
  if (sample_rate < 1000) throw UsageError("mel_distance: sample rate too low");
  if (n < 2048) throw UsageError("mel_distance: signals shorter than 2048 samples");
  double total = 0;
  for (int n_fft : {512, 1024, 2048}) {
    const auto fb = mel_filterbank(n_fft, sample_rate, 64);
    const auto a = log_mel(ref, n, n_fft, fb), b = log_mel(est, n, n_fft, fb);
    double d = 0;
    for (size_t t = 0; t < a.size(); ++t)
      for (size_t k = 0; k < a[t].size(); ++k) d += std::fabs(a[t][k] - b[t][k]);
    total += d / static_cast<double>(a.size() * a[0].size());
  }
  return total / 3;
}

}  // namespace nicodec::eval
