#include "core/media/color.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace nicodec {

namespace {
constexpr double kKr = 0.2126, kKb = 0.0722, kKg = 1 - kKr - kKb;
}  // namespace

Frame420 rgb_to_yuv420_bt709(const Image& rgb) {
  const int w = rgb.width, h = rgb.height;
  Frame420 f;
  f.resize(w, h);
  std::vector<double> cb(static_cast<size_t>(w) * h), cr(cb.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = rgb.pixel(x, y);
      const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
      const double luma = kKr * r + kKg * g + kKb * b;
      const size_t i = static_cast<size_t>(y) * w + x;
      f.y[i] = static_cast<uint8_t>(std::lround(16 + 219 * luma));
      cb[i] = 128 + 224 * (b - luma) / (2 * (1 - kKb));
      cr[i] = 128 + 224 * (r - luma) / (2 * (1 - kKr));
    }
  const int cw = f.chroma_width(), ch = f.chroma_height();
  for (int y = 0; y < ch; ++y)
    for (int x = 0; x < cw; ++x) {
      double su = 0, sv = 0;
      for (int dy = 0; dy < 2; ++dy)
        for (int dx = 0; dx < 2; ++dx) {
          const size_t i = static_cast<size_t>(std::min(h - 1, 2 * y + dy)) * w + std::min(w - 1, 2 * x + dx);
          su += cb[i], sv += cr[i];
        }
      const size_t o = static_cast<size_t>(y) * cw + x;
      f.u[o] = static_cast<uint8_t>(std::clamp<long>(std::lround(su / 4), 0, 255));
      f.v[o] = static_cast<uint8_t>(std::clamp<long>(std::lround(sv / 4), 0, 255));
    }
  return f;
}

Image yuv420_to_rgb_bt709(const Frame420& f) {
  const int w = f.width, h = f.height, cw = f.chroma_width(), ch = f.chroma_height();
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.resize(static_cast<size_t>(w) * h * 3);
  // Chroma sample (i, j) sits at luma position (2i + 0.5, 2j + 0.5): luma x maps to chroma (x - 0.5) / 2.
  auto sample = [&](const std::vector<uint8_t>& p, double cx, double cy) {
    cx = std::clamp(cx, 0.0, static_cast<double>(cw - 1));
    cy = std::clamp(cy, 0.0, static_cast<double>(ch - 1));
    const int x0 = static_cast<int>(cx), y0 = static_cast<int>(cy);
    const int x1 = std::min(x0 + 1, cw - 1), y1 = std::min(y0 + 1, ch - 1);
    const double fx = cx - x0, fy = cy - y0;
    auto at = [&](int x, int y) { return static_cast<double>(p[static_cast<size_t>(y) * cw + x]); };
    return (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
  };
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double luma = (f.y[static_cast<size_t>(y) * w + x] - 16.0) / 219.0;
      const double cb = (sample(f.u, (x - 0.5) / 2, (y - 0.5) / 2) - 128.0) / 224.0;
      const double cr = (sample(f.v, (x - 0.5) / 2, (y - 0.5) / 2) - 128.0) / 224.0;
      const double r = luma + 2 * (1 - kKr) * cr;
      const double b = luma + 2 * (1 - kKb) * cb;
      const double g = (luma - kKr * r - kKb * b) / kKg;
      uint8_t* q = out.pixel(x, y);
      q[0] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * r), 0, 255));
      q[1] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * g), 0, 255));
      q[2] = static_cast<uint8_t>(std::clamp<long>(std::lround(255 * b), 0, 255));
    }
  return out;
}

}  // namespace nicodec
