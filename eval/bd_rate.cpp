#include "eval/bd_rate.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.h"

namespace nicodec::eval {
namespace {

// Fritsch-Carlson slopes: interior by the weighted harmonic mean of neighbouring secants (0 at extrema),
// ends by the shape-preserving three-point formula.
std::vector<double> pchip_slopes(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  std::vector<double> h(n - 1), delta(n - 1), d(n, 0.0);
  for (size_t k = 0; k + 1 < n; ++k) {
    h[k] = x[k + 1] - x[k];
    delta[k] = (y[k + 1] - y[k]) / h[k];
  }
  if (n == 2) {
    d[0] = d[1] = delta[0];
    return d;
  }
  for (size_t k = 1; k + 1 < n; ++k) {
    if (delta[k - 1] * delta[k] <= 0) continue;
    const double w1 = 2 * h[k] + h[k - 1], w2 = h[k] + 2 * h[k - 1];
    d[k] = (w1 + w2) / (w1 / delta[k - 1] + w2 / delta[k]);
  }
  auto edge = [](double h0, double h1, double m0, double m1) {
    double e = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1);
    if (e * m0 <= 0) e = 0;
    else if (m0 * m1 <= 0 && std::fabs(e) > std::fabs(3 * m0)) e = 3 * m0;
    return e;
  };
  d[0] = edge(h[0], h[1], delta[0], delta[1]);
  d[n - 1] = edge(h[n - 2], h[n - 3], delta[n - 2], delta[n - 3]);
  return d;
}

// Integral of the cubic Hermite piece on [x0, x1] from x0 to t (t in [x0, x1]).
double hermite_integral(double x0, double x1, double y0, double y1, double d0, double d1, double t) {
  const double h = x1 - x0, s = (t - x0) / h;
  // Basis integrals over [0, s]: h00 = 2s^3 - 3s^2 + 1, h10 = s^3 - 2s^2 + s, h01 = -2s^3 + 3s^2, h11 = s^3 - s^2.
  const double s2 = s * s, s3 = s2 * s, s4 = s3 * s;
  const double i00 = s4 / 2 - s3 + s, i10 = s4 / 4 - 2 * s3 / 3 + s2 / 2, i01 = -s4 / 2 + s3, i11 = s4 / 4 - s3 / 3;
  return h * (y0 * i00 + h * d0 * i10 + y1 * i01 + h * d1 * i11);
}

struct Curve {
  std::vector<double> x, y;
};

// Sorts by x and checks that x is strictly increasing (a rate-distortion curve must be monotone).
Curve make_curve(std::vector<double> x, std::vector<double> y, const char* what) {
  if (x.size() < 2) throw UsageError(std::string("BD: the ") + what + " curve needs at least 2 points");
  std::vector<size_t> order(x.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
  Curve c;
  for (size_t i : order) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) throw UsageError(std::string("BD: non-finite point in the ") + what + " curve");
    if (!c.x.empty() && x[i] <= c.x.back()) throw UsageError(std::string("BD: the ") + what + " curve repeats a value; quality must rise with rate");
    if (!c.y.empty() && y[i] <= c.y.back()) throw UsageError(std::string("BD: the ") + what + " curve is not monotone: quality must rise with rate");
    c.x.push_back(x[i]);
    c.y.push_back(y[i]);
  }
  return c;
}

// Mean difference of the two interpolants over the overlap of their x ranges.
double mean_difference(const Curve& a, const Curve& b, const char* axis) {
  const double lo = std::max(a.x.front(), b.x.front()), hi = std::min(a.x.back(), b.x.back());
  if (!(hi > lo)) {
    char msg[256];
    std::snprintf(msg, sizeof msg, "BD: the curves do not overlap in %s ([%.4g, %.4g] vs [%.4g, %.4g]); add points so their ranges meet",
                  axis, a.x.front(), a.x.back(), b.x.front(), b.x.back());
    throw UsageError(msg);
  }
  return (pchip_integral(b.x, b.y, lo, hi) - pchip_integral(a.x, a.y, lo, hi)) / (hi - lo);
}

std::vector<double> log_rates(const std::vector<RdPoint>& c) {
  std::vector<double> r;
  for (const auto& p : c) {
    if (!(p.rate > 0)) throw UsageError("BD: rates must be positive");
    r.push_back(std::log(p.rate));
  }
  return r;
}
std::vector<double> qualities(const std::vector<RdPoint>& c) {
  std::vector<double> q;
  for (const auto& p : c) q.push_back(p.quality);
  return q;
}

}  // namespace

double pchip_integral(const std::vector<double>& x, const std::vector<double>& y, double lo, double hi) {
  if (x.size() != y.size() || x.size() < 2) throw UsageError("pchip_integral: needs matching x and y, 2 points or more");
  if (lo < x.front() || hi > x.back() || lo > hi) throw UsageError("pchip_integral: bounds outside the data");
  const std::vector<double> d = pchip_slopes(x, y);
  double total = 0;
  for (size_t k = 0; k + 1 < x.size(); ++k) {
    const double a = std::max(lo, x[k]), b = std::min(hi, x[k + 1]);
    if (b <= a) continue;
    total += hermite_integral(x[k], x[k + 1], y[k], y[k + 1], d[k], d[k + 1], b) -
             hermite_integral(x[k], x[k + 1], y[k], y[k + 1], d[k], d[k + 1], a);
  }
  return total;
}

double bd_rate(const std::vector<RdPoint>& anchor, const std::vector<RdPoint>& test) {
  // log rate as a function of quality
  const Curve a = make_curve(qualities(anchor), log_rates(anchor), "anchor");
  const Curve b = make_curve(qualities(test), log_rates(test), "test");
  return (std::exp(mean_difference(a, b, "quality")) - 1) * 100;
}

double bd_quality(const std::vector<RdPoint>& anchor, const std::vector<RdPoint>& test) {
  const Curve a = make_curve(log_rates(anchor), qualities(anchor), "anchor");
  const Curve b = make_curve(log_rates(test), qualities(test), "test");
  return mean_difference(a, b, "rate");
}

}  // namespace nicodec::eval
