// Audio metrics on signals with known answers; the FFT against a naive DFT.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/error.h"
#include "eval/audio_metrics.h"

namespace nicodec::eval {
namespace {

TEST(AudioMetrics, FftMatchesANaiveDft) {
  std::mt19937 rng(1);
  std::normal_distribution<double> g;
  for (size_t n : {1, 2, 8, 256}) {
    std::vector<std::complex<double>> x(n);
    for (auto& v : x) v = {g(rng), g(rng)};
    auto y = x;
    fft(y);
    for (size_t k = 0; k < n; ++k) {
      std::complex<double> s = 0;
      for (size_t t = 0; t < n; ++t) s += x[t] * std::polar(1.0, -2 * M_PI * double(k * t) / double(n));
      ASSERT_NEAR(std::abs(y[k] - s), 0.0, 1e-9 * double(n)) << n << " " << k;
    }
  }
  std::vector<std::complex<double>> bad(6);
  EXPECT_THROW(fft(bad), UsageError);
}

TEST(AudioMetrics, SiSdrOfAKnownDistortionAndScaleInvariance) {
  std::mt19937 rng(2);
  std::normal_distribution<double> g;
  const size_t n = 16000;
  std::vector<double> ref(n), noise(n);
  for (auto& v : ref) v = g(rng);
  for (auto& v : noise) v = g(rng);
  // Make both zero-mean and the noise orthogonal to the reference, then scale it to 20 dB below.
  auto center = [](std::vector<double>& v) {
    double m = 0;
    for (double x : v) m += x;
    for (double& x : v) x -= m / double(v.size());
  };
  center(ref);
  center(noise);
  double dot = 0, rr = 0, nn = 0;
  for (size_t i = 0; i < n; ++i) dot += noise[i] * ref[i], rr += ref[i] * ref[i];
  for (size_t i = 0; i < n; ++i) noise[i] -= dot / rr * ref[i];
  for (double x : noise) nn += x * x;
  const double k = std::sqrt(rr / nn / 100.0);  // |noise|^2 = |ref|^2 / 100 -> 20 dB
  std::vector<float> r(n), e(n);
  for (size_t i = 0; i < n; ++i) r[i] = float(ref[i]), e[i] = float(0.3 * (ref[i] + k * noise[i]) + 0.01);  // scaled and offset
  EXPECT_NEAR(si_sdr(r.data(), e.data(), n), 20.0, 1e-3);
  std::vector<float> scaled(n);
  for (size_t i = 0; i < n; ++i) scaled[i] = 2.5f * r[i];
  EXPECT_GT(si_sdr(r.data(), scaled.data(), n), 100.0);
  std::vector<float> zero(n, 0.5f);
  EXPECT_THROW(si_sdr(zero.data(), r.data(), n), UsageError);
}

TEST(AudioMetrics, MelScaleAndFilterbank) {
  EXPECT_NEAR(hz_to_mel(1000), 1000.0, 0.05);  // HTK mel is ~1000 at 1 kHz by construction
  EXPECT_NEAR(mel_to_hz(hz_to_mel(3210)), 3210, 1e-9);
  auto fb = mel_filterbank(1024, 16000, 64);
  ASSERT_EQ(fb.size(), 64u);
  for (const auto& f : fb) {
    EXPECT_LE(*std::max_element(f.begin(), f.end()), 1.0 + 1e-12);
    EXPECT_GT(*std::max_element(f.begin(), f.end()), 0.0);
  }
}

TEST(AudioMetrics, MelDistanceOfAGainIsItsLogPowerRatio) {
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 0.3f);
  std::vector<float> x(32000), y(32000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = g(rng), y[i] = 10 * x[i];  // +20 dB: log10 of power x100 = 2
  EXPECT_NEAR(mel_distance(x.data(), x.data(), x.size(), 16000), 0.0, 1e-12);
  EXPECT_NEAR(mel_distance(x.data(), y.data(), x.size(), 16000), 2.0, 1e-6);
  // Broadband signal: noise 40 dB below changes the log-mel energies by ~4e-4 (log10(1.0001) per band), while
  // an 8-tap moving average (a low-pass filter) removes the top half of the spectrum.
  std::vector<float> a(32000), b(32000, 0.0f), c(32000);
  for (size_t i = 0; i < a.size(); ++i) a[i] = g(rng);
  for (size_t i = 0; i < a.size(); ++i) c[i] = a[i] + 0.01f * g(rng);
  for (size_t i = 7; i < a.size(); ++i)
    for (size_t k = 0; k < 8; ++k) b[i] += a[i - k] / 8;
  const double near = mel_distance(a.data(), c.data(), a.size(), 16000), far = mel_distance(a.data(), b.data(), a.size(), 16000);
  EXPECT_LT(near, 0.01);
  EXPECT_GT(far, 0.3);
  EXPECT_THROW(mel_distance(a.data(), b.data(), 1000, 16000), UsageError);
}

}  // namespace
}  // namespace nicodec::eval
