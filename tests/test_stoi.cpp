// STOI and ESTOI on real speech: identical and gain-changed signals score 1, noise lowers the score
// monotonically, and an unrelated signal lands on the floor that STOI's clipping step creates (about 0.5) but
// near 0 for ESTOI, which has no clipping.
#include <gtest/gtest.h>

#include <random>

#include "core/error.h"
#include "core/media/audio_io.h"
#include "eval/stoi.h"

namespace nicodec::eval {
namespace {

Audio speech() { return read_audio(std::string(NICODEC_SAMPLES) + "/speech-16k-3s.wav"); }

Audio with_noise(const Audio& a, double snr_db, uint32_t seed) {
  double p = 0;
  for (float s : a.samples) p += double(s) * s;
  p /= double(a.samples.size());
  const double sigma = std::sqrt(p / std::pow(10.0, snr_db / 10));
  std::mt19937 rng(seed);
  std::normal_distribution<double> g(0, sigma);
  Audio b = a;
  for (auto& s : b.samples) s = static_cast<float>(s + g(rng));
  return b;
}

TEST(Stoi, IdenticalAndScaledSpeechScoreOne) {
  const Audio a = speech();
  EXPECT_NEAR(stoi(a, a), 1.0, 1e-9);
  Audio louder = a;
  for (auto& s : louder.samples) s *= 0.25f;
  EXPECT_NEAR(stoi(a, louder), 1.0, 1e-6);
}

TEST(Stoi, FallsWithTheSignalToNoiseRatio) {
  const Audio a = speech();
  const double s20 = stoi(a, with_noise(a, 20, 1)), s5 = stoi(a, with_noise(a, 5, 2)), sm5 = stoi(a, with_noise(a, -5, 3)),
               sm15 = stoi(a, with_noise(a, -15, 4));
  EXPECT_GT(s20, s5);
  EXPECT_GT(s5, sm5);
  EXPECT_GT(sm5, sm15);
  EXPECT_GT(s20, 0.9);
  EXPECT_LT(sm15, 0.6);
}

TEST(Stoi, UnrelatedSignalSitsOnTheClippingFloorAndShortInputIsRefused) {
  const Audio a = speech();
  Audio noise = a;
  std::mt19937 rng(9);
  std::normal_distribution<float> g(0, 0.1f);
  for (auto& s : noise.samples) s = g(rng);
  // Clipping caps the processed envelope at 6.6x the clean one, which ties it to the clean envelope wherever
  // speech is quiet: pure noise scores like speech buried 40 dB under noise, far below speech at 0 dB SNR.
  const double unrelated = stoi(a, noise);
  EXPECT_NEAR(unrelated, stoi(a, with_noise(a, -40, 5)), 0.1);
  EXPECT_LT(unrelated, stoi(a, with_noise(a, 0, 6)) - 0.15);
  std::vector<float> tiny(1000, 0.1f);
  EXPECT_THROW(stoi_10k(tiny.data(), tiny.data(), tiny.size()), UsageError);
}

TEST(Estoi, OneForTheSameSpeechFallsWithNoiseAndNearZeroForUnrelatedSignals) {
  const Audio a = speech();
  EXPECT_NEAR(estoi(a, a), 1.0, 1e-9);
  Audio quieter = a;
  for (auto& s : quieter.samples) s *= 0.25f;
  EXPECT_NEAR(estoi(a, quieter), 1.0, 1e-6);
  const double e20 = estoi(a, with_noise(a, 20, 1)), e5 = estoi(a, with_noise(a, 5, 2)),
               em5 = estoi(a, with_noise(a, -5, 3));
  EXPECT_GT(e20, e5);
  EXPECT_GT(e5, em5);
  EXPECT_GT(e20, 0.85);
  // No clipping step: an unrelated signal scores about 0, not STOI's ~0.5 floor.
  Audio noise = a;
  std::mt19937 rng(9);
  std::normal_distribution<float> g(0, 0.1f);
  for (auto& s : noise.samples) s = g(rng);
  EXPECT_LT(std::abs(estoi(a, noise)), 0.1);
  EXPECT_LT(estoi(a, noise), stoi(a, noise) - 0.3);
  std::vector<float> tiny(1000, 0.1f);
  EXPECT_THROW(estoi_10k(tiny.data(), tiny.data(), tiny.size()), UsageError);
}

}  // namespace
}  // namespace nicodec::eval
