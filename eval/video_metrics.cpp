#include "eval/video_metrics.h"

#include <cmath>

#include "core/error.h"
#include "eval/image_metrics.h"

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

double ms_ssim_yuv420(const Frame420& ref, const Frame420& test) {
  if (ref.width != test.width || ref.height != test.height) throw UsageError("MS-SSIM-YUV: frame sizes differ");
  auto plane = [](const std::vector<uint8_t>& p, int w, int h) { return ImageView{p.data(), w, h, 1}; };
  const int cw = ref.chroma_width(), ch = ref.chroma_height();
  const double y = ms_ssim(plane(ref.y, ref.width, ref.height), plane(test.y, ref.width, ref.height));
  const double u = ms_ssim(plane(ref.u, cw, ch), plane(test.u, cw, ch));
  const double v = ms_ssim(plane(ref.v, cw, ch), plane(test.v, cw, ch));
  return (6 * y + u + v) / 8;
}

}  // namespace nicodec::eval
