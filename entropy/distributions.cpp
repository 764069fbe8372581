#include "entropy/distributions.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace nicodec::entropy {

double det_exp(double x) {
  if (x < -745.0) return 0.0;
  if (x > 709.0) return HUGE_VAL;
  // x = k ln2 + r, |r| <= ln2/2; ln2 split in a short high part so k * ln2_hi is exact.
  const double ln2_hi = 0.693145751953125, ln2_lo = 1.42860682030941723212e-6;
  const double kd = std::floor(x * 1.4426950408889634 + 0.5);
  const double r = (x - kd * ln2_hi) - kd * ln2_lo;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i <= 17; ++i) {
    term = term * r / i;
    sum += term;
  }
  return std::ldexp(sum, static_cast<int>(kd));
}

double det_log(double x) {
  if (!(x > 0)) throw UsageError("det_log: argument must be > 0");
  int e = 0;
  const double m = std::frexp(x, &e);  // exact: x = m 2^e, m in [0.5, 1)
  double y = m - 1.0;
  for (int i = 0; i < 8; ++i) {  // Halley steps on exp(y) = m, cubic convergence
    const double ey = det_exp(y);
    y = y + 2.0 * (m - ey) / (m + ey);
  }
  return y + e * 0.69314718055994530942;
}

namespace {
// Upper tail Q(x) = 1 - Phi(x) for x >= 3 by the continued fraction phi(x) / (x + 1/(x + 2/(x + 3/(x + ...)))),
// evaluated from a fixed depth, so small tails keep their relative accuracy.
double normal_upper_tail(double x) {
  double f = x;
  for (int k = 120; k >= 1; --k) f = x + k / f;
  return det_exp(-0.5 * x * x) * 0.39894228040143267794 / f;
}
// Phi(x) - 1/2 for 0 <= x <= 3 by Marsaglia's (2004) series phi(x) (x + x^3/3 + x^5/(3*5) + ...).
double normal_half_series(double x) {
  double sum = x, term = x;
  const double x2 = x * x;
  for (int i = 3; i < 400; i += 2) {
    term = term * x2 / i;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum * det_exp(-0.5 * x2) * 0.39894228040143267794;
}
}  // namespace

double det_normal_cdf(double x) {
  if (x <= -40.0) return 0.0;
  if (x >= 40.0) return 1.0;
  if (x <= -3.0) return normal_upper_tail(-x);
  if (x >= 3.0) return 1.0 - normal_upper_tail(x);
  return x < 0 ? 0.5 - normal_half_series(-x) : 0.5 + normal_half_series(x);
}

double family_cdf(Family f, double x) {
  switch (f) {
    case Family::kGaussian: return det_normal_cdf(x);
    case Family::kLaplacian: return x < 0 ? 0.5 * det_exp(x) : 1.0 - 0.5 * det_exp(-x);
    case Family::kLogistic: return x < 0 ? det_exp(x) / (1.0 + det_exp(x)) : 1.0 / (1.0 + det_exp(-x));
  }
  return 0.0;
}

std::vector<double> make_scale_table(int n, double lo, double hi) {
  if (n < 1 || !(lo > 0) || !(hi >= lo)) throw UsageError("make_scale_table: need n >= 1 and 0 < lo <= hi");
  std::vector<double> s(static_cast<size_t>(n));
  const double log_ratio = det_log(hi / lo);
  for (int i = 0; i < n; ++i) s[static_cast<size_t>(i)] = n == 1 ? lo : lo * det_exp(log_ratio * i / (n - 1));
  return s;
}

CdfTables make_parametric_tables(Family f, const std::vector<double>& scales, double tail_mass) {
  CdfTables tables;
  const int32_t max_r = static_cast<int32_t>(CdfTables::kMaxValues / 2 - 1);
  for (double s : scales) {
    if (!(s > 0)) throw UsageError("make_parametric_tables: scales must be > 0");
    int32_t r = 0;
    while (r < max_r && 2.0 * family_cdf(f, -(r + 0.5) / s) >= tail_mass) ++r;
    std::vector<double> pmf(static_cast<size_t>(2 * r + 1));
    for (int32_t v = -r; v <= r; ++v)
      pmf[static_cast<size_t>(v + r)] = family_cdf(f, (v + 0.5) / s) - family_cdf(f, (v - 0.5) / s);
    tables.add_pmf(pmf, -r);
  }
  return tables;
}

uint16_t scale_index(const std::vector<double>& scales, double s) {
  auto it = std::lower_bound(scales.begin(), scales.end(), s);
  if (it == scales.end()) --it;
  return static_cast<uint16_t>(it - scales.begin());
}

}  // namespace nicodec::entropy
