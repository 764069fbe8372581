// Bjontegaard delta rate and delta quality (VCEG-M33, 2001), with the piecewise cubic Hermite interpolation
// (PCHIP, Fritsch & Carlson 1980) that the JVET common-test-condition tools use instead of the original
// single cubic polynomial fit. Rates enter as log rates; integration is over the overlapping interval only.
#pragma once
#include <vector>

namespace nicodec::eval {

struct RdPoint {
  double rate;     // bits per pixel, kbps, ... (> 0)
  double quality;  // PSNR in dB, MS-SSIM in dB, ...
};

// Average rate difference of `test` against `anchor` at equal quality, in percent (negative: test needs
// fewer bits). Throws UsageError when a curve has fewer than 2 points, quality is not increasing with rate,
// or the quality ranges do not overlap (with the two ranges in the message).
double bd_rate(const std::vector<RdPoint>& anchor, const std::vector<RdPoint>& test);
// Average quality difference of `test` against `anchor` at equal rate (in the quality's unit, e.g. dB).
double bd_quality(const std::vector<RdPoint>& anchor, const std::vector<RdPoint>& test);

// Integral of the PCHIP interpolant through (x[i], y[i]) (x strictly increasing) from lo to hi.
double pchip_integral(const std::vector<double>& x, const std::vector<double>& y, double lo, double hi);

}  // namespace nicodec::eval
