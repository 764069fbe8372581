// Bjontegaard deltas on curves whose answer can be worked out by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"
#include "eval/bd_rate.h"

namespace nicodec::eval {
namespace {

std::vector<RdPoint> curve(std::vector<double> rates, std::vector<double> q) {
  std::vector<RdPoint> c;
  for (size_t i = 0; i < rates.size(); ++i) c.push_back({rates[i], q[i]});
  return c;
}

TEST(BdRate, ConstantRateRatioGivesThatRatio) {
  // The test codec needs 0.9x the anchor's bits at every quality: -10%, whatever the interpolation.
  auto a = curve({0.1, 0.25, 0.5, 1.0}, {28, 31, 34, 37.5});
  auto b = curve({0.09, 0.225, 0.45, 0.9}, {28, 31, 34, 37.5});
  EXPECT_NEAR(bd_rate(a, b), -10.0, 1e-9);
  EXPECT_NEAR(bd_rate(b, a), 100.0 / 9, 1e-9);  // and the anchor needs 11.1% more than the test
}

TEST(BdRate, ConstantQualityOffsetGivesThatOffset) {
  auto a = curve({0.1, 0.25, 0.5, 1.0}, {28, 31, 34, 37.5});
  auto b = curve({0.1, 0.25, 0.5, 1.0}, {28.5, 31.5, 34.5, 38.0});
  EXPECT_NEAR(bd_quality(a, b), 0.5, 1e-12);
}

TEST(BdRate, LinearCurvesMatchTheClosedForm) {
  // Anchor: ln R = (Q - 30) / 4; test: ln R = (Q - 30) / 5 - 0.1, both linear in Q, so PCHIP is exact.
  // Overlap Q in [30, 38]: mean difference = (1/8) int_30^38 [(Q-30)/5 - 0.1 - (Q-30)/4] dQ = -0.1 - 4/20 = -0.3.
  std::vector<RdPoint> a, b;
  for (double q : {26.0, 30.0, 34.0, 38.0}) a.push_back({std::exp((q - 30) / 4), q});
  for (double q : {30.0, 34.0, 38.0, 42.0}) b.push_back({std::exp((q - 30) / 5 - 0.1), q});
  EXPECT_NEAR(bd_rate(a, b), (std::exp(-0.3) - 1) * 100, 1e-9);
}

TEST(BdRate, PchipIntegralOfACubicAndOfSteps) {
  // PCHIP reproduces linear data exactly: integral of y = 2x + 1 over [0.5, 2.5] is 8.
  EXPECT_NEAR(pchip_integral({0, 1, 2, 3}, {1, 3, 5, 7}, 0.5, 2.5), 8.0, 1e-12);
  // Monotone data stays monotone: the interpolant of a step never leaves [0, 1], so its integral lies
  // between the step's lower and upper sums.
  const double v = pchip_integral({0, 1, 2, 3}, {0, 0, 1, 1}, 0, 3);
  EXPECT_GT(v, 1.0 - 1e-12);
  EXPECT_LT(v, 2.0);
  EXPECT_NEAR(v, 1.5, 1e-12);  // symmetric step
}

TEST(BdRate, ClearErrorsForBadCurves) {
  auto a = curve({0.1, 0.2, 0.4}, {28, 30, 32});
  try {
    bd_rate(a, curve({1.0, 2.0}, {40, 42}));
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("do not overlap"), std::string::npos);
  }
  EXPECT_THROW(bd_rate(a, curve({0.1}, {30})), UsageError);
  EXPECT_THROW(bd_rate(a, curve({0.1, 0.2, 0.3}, {30, 29, 31})), UsageError);  // not monotone
  EXPECT_THROW(bd_rate(a, curve({0.1, -0.2}, {30, 31})), UsageError);
}

}  // namespace
}  // namespace nicodec::eval
