#include "eval/stoi.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "core/error.h"
#include "eval/audio_metrics.h"

namespace nicodec::eval {
namespace {

constexpr int kFrame = 256, kHop = 128, kFft = 512, kBands = 15, kSegment = 30;
constexpr double kDynamicRange = 40.0, kBeta = -15.0;

std::vector<double> hann(int n) {  // symmetric Hann without the zero end points, as the reference code uses
  std::vector<double> w(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) w[static_cast<size_t>(i)] = 0.5 - 0.5 * std::cos(2 * M_PI * (i + 1) / (n + 1));
  return w;
}

// Removes frames of the clean signal more than 40 dB below its loudest, and the same frames of the other,
// rebuilding both by overlap-add.
void remove_silence(std::vector<double>& x, std::vector<double>& y) {
  const auto w = hann(kFrame);
  std::vector<size_t> starts;
  std::vector<double> energy;
  for (size_t s = 0; s + kFrame <= x.size(); s += kHop) {
    double e = 0;
    for (int i = 0; i < kFrame; ++i) e += std::pow(w[static_cast<size_t>(i)] * x[s + static_cast<size_t>(i)], 2);
    starts.push_back(s);
    energy.push_back(10 * std::log10(e + 1e-20));
  }
  if (starts.empty()) return;
  const double top = *std::max_element(energy.begin(), energy.end());
  std::vector<double> xo, yo;
  size_t kept = 0;
  for (size_t f = 0; f < starts.size(); ++f) {
    if (top - energy[f] >= kDynamicRange) continue;
    const size_t at = kept * kHop;
    xo.resize(at + kFrame, 0.0), yo.resize(at + kFrame, 0.0);
    for (int i = 0; i < kFrame; ++i) {
      xo[at + static_cast<size_t>(i)] += w[static_cast<size_t>(i)] * x[starts[f] + static_cast<size_t>(i)];
      yo[at + static_cast<size_t>(i)] += w[static_cast<size_t>(i)] * y[starts[f] + static_cast<size_t>(i)];
    }
    ++kept;
  }
  x.swap(xo);
  y.swap(yo);
}

// One-third octave band envelopes [band][frame].
std::vector<std::vector<double>> band_envelopes(const std::vector<double>& x) {
  const auto w = hann(kFrame);
  // Band edges at 150 Hz * 2^(k/3) * 2^(+-1/6), snapped to the nearest FFT bin (10 kHz / 512 per bin).
  int lo[kBands], hi[kBands];
  for (int k = 0; k < kBands; ++k) {
    const double cf = 150.0 * std::pow(2.0, k / 3.0);
    lo[k] = static_cast<int>(std::lround(cf * std::pow(2.0, -1.0 / 6) / (10000.0 / kFft)));
    hi[k] = static_cast<int>(std::lround(cf * std::pow(2.0, 1.0 / 6) / (10000.0 / kFft)));
  }
  std::vector<std::vector<double>> env(kBands);
  std::vector<std::complex<double>> buf(kFft);
  for (size_t s = 0; s + kFrame <= x.size(); s += kHop) {
    std::fill(buf.begin(), buf.end(), 0.0);
    for (int i = 0; i < kFrame; ++i) buf[static_cast<size_t>(i)] = w[static_cast<size_t>(i)] * x[s + static_cast<size_t>(i)];
    fft(buf);
    for (int k = 0; k < kBands; ++k) {
      double e = 0;
      for (int b = lo[k]; b < hi[k]; ++b) e += std::norm(buf[static_cast<size_t>(b)]);
      env[static_cast<size_t>(k)].push_back(std::sqrt(e));
    }
  }
  return env;
}

// The shared front end: silence removal, then the one-third octave band envelopes of both signals.
std::pair<std::vector<std::vector<double>>, std::vector<std::vector<double>>> envelopes(const float* clean,
                                                                                      const float* processed, size_t n,
                                                                                      const char* measure) {
  std::vector<double> x(clean, clean + n), y(processed, processed + n);
  remove_silence(x, y);
  auto X = band_envelopes(x), Y = band_envelopes(y);
  if (X[0].size() < static_cast<size_t>(kSegment))
    throw UsageError(std::string(measure) + " needs at least 384 ms of non-silent signal (30 frames at 10 kHz)");
  return {std::move(X), std::move(Y)};
}

}  // namespace

double stoi_10k(const float* clean, const float* processed, size_t n) {
  const auto [X, Y] = envelopes(clean, processed, n, "STOI");
  const size_t frames = X[0].size();
  const double clip = 1 + std::pow(10.0, -kBeta / 20);
  double total = 0;
  size_t count = 0;
  for (size_t m = kSegment; m <= frames; ++m)
    for (int j = 0; j < kBands; ++j) {
      const double* xs = &X[static_cast<size_t>(j)][m - kSegment];
      const double* ys = &Y[static_cast<size_t>(j)][m - kSegment];
      double ex = 0, ey = 0;
      for (int i = 0; i < kSegment; ++i) ex += xs[i] * xs[i], ey += ys[i] * ys[i];
      const double g = ey > 0 ? std::sqrt(ex / ey) : 0;
      double yc[kSegment], mx = 0, my = 0;
      for (int i = 0; i < kSegment; ++i) {
        yc[i] = std::min(g * ys[i], clip * xs[i]);
        mx += xs[i], my += yc[i];
      }
      mx /= kSegment, my /= kSegment;
      double sxy = 0, sxx = 0, syy = 0;
      for (int i = 0; i < kSegment; ++i) {
        sxy += (xs[i] - mx) * (yc[i] - my);
        sxx += (xs[i] - mx) * (xs[i] - mx);
        syy += (yc[i] - my) * (yc[i] - my);
      }
      total += (sxx > 0 && syy > 0) ? sxy / std::sqrt(sxx * syy) : 0;
      ++count;
    }
  return total / static_cast<double>(count);
}

double estoi_10k(const float* clean, const float* processed, size_t n) {
  const auto [X, Y] = envelopes(clean, processed, n, "ESTOI");
  const size_t frames = X[0].size();
  // Each segment as a bands x frames matrix: rows (one band over time) to zero mean and unit norm, then
  // columns (one frame's spectrum over bands) likewise; the score is the mean column inner product.
  auto normalize = [](double (&m)[kBands][kSegment]) {
    for (int j = 0; j < kBands; ++j) {
      double mean = 0, norm = 0;
      for (int i = 0; i < kSegment; ++i) mean += m[j][i];
      mean /= kSegment;
      for (int i = 0; i < kSegment; ++i) norm += (m[j][i] - mean) * (m[j][i] - mean);
      norm = std::sqrt(norm);
      for (int i = 0; i < kSegment; ++i) m[j][i] = norm > 0 ? (m[j][i] - mean) / norm : 0;
    }
    for (int i = 0; i < kSegment; ++i) {
      double mean = 0, norm = 0;
      for (int j = 0; j < kBands; ++j) mean += m[j][i];
      mean /= kBands;
      for (int j = 0; j < kBands; ++j) norm += (m[j][i] - mean) * (m[j][i] - mean);
      norm = std::sqrt(norm);
      for (int j = 0; j < kBands; ++j) m[j][i] = norm > 0 ? (m[j][i] - mean) / norm : 0;
    }
  };
  double total = 0;
  size_t count = 0;
  for (size_t m = kSegment; m <= frames; ++m) {
    double xs[kBands][kSegment], ys[kBands][kSegment];
    for (int j = 0; j < kBands; ++j)
      for (int i = 0; i < kSegment; ++i) {
        xs[j][i] = X[static_cast<size_t>(j)][m - kSegment + static_cast<size_t>(i)];
        ys[j][i] = Y[static_cast<size_t>(j)][m - kSegment + static_cast<size_t>(i)];
      }
    normalize(xs);
    normalize(ys);
    double d = 0;
    for (int j = 0; j < kBands; ++j)
      for (int i = 0; i < kSegment; ++i) d += xs[j][i] * ys[j][i];
    total += d / kSegment;
    ++count;
  }
  return total / static_cast<double>(count);
}

namespace {
template <double (*F)(const float*, const float*, size_t)>
double at_10k(const Audio& clean, const Audio& processed) {
  const Audio a = resample(downmix_mono(clean), 10000), b = resample(downmix_mono(processed), 10000);
  const size_t n = std::min(a.samples.size(), b.samples.size());
  return F(a.samples.data(), b.samples.data(), n);
}
}  // namespace

double stoi(const Audio& clean, const Audio& processed) { return at_10k<stoi_10k>(clean, processed); }
double estoi(const Audio& clean, const Audio& processed) { return at_10k<estoi_10k>(clean, processed); }

}  // namespace nicodec::eval
