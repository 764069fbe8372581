#include "eval/video_metrics.h"

#include <cmath>

#include "core/error.h"

namespace nicodec::eval {

double plane_psnr(const uint8_t* a, const uint8_t* b, size_t n) {
  if (n == 0) throw UsageError("plane_psnr: empty plane");
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(a[i]) - b[i];
    s += d * d;
  }
  return s > 0 ? 10 * std::log10(255.0 * 255.0 * static_cast<double>(n) / s) : INFINITY;
}

YuvPsnr psnr_yuv420(const Frame420& ref, const Frame420& test) {
  if (ref.width != test.width || ref.height != test.height || ref.y.size() != test.y.size() || ref.u.size() != test.u.size())
    throw UsageError("psnr_yuv420: frames differ in size");
  YuvPsnr p;
  p.y = plane_psnr(ref.y.data(), test.y.data(), ref.y.size());
  p.u = plane_psnr(ref.u.data(), test.u.data(), ref.u.size());
  p.v = plane_psnr(ref.v.data(), test.v.data(), ref.v.size());
  p.yuv = (6 * p.y + p.u + p.v) / 8;
  return p;
}

double kbps(size_t bytes, size_t frames, double fps) {
  if (frames == 0 || !(fps > 0)) throw UsageError("kbps: needs frames and a positive frame rate");
  return 8.0 * static_cast<double>(bytes) / (static_cast<double>(frames) / fps) / 1000.0;
}

}  // namespace nicodec::eval
