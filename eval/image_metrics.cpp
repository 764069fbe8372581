#include "eval/image_metrics.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace nicodec::eval {
namespace {

using Plane = std::vector<double>;

void check_pair(const ImageView& a, const ImageView& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels)
    throw UsageError("metrics: images differ in size (" + std::to_string(a.width) + "x" + std::to_string(a.height) + " vs " +
                     std::to_string(b.width) + "x" + std::to_string(b.height) + ")");
  if (a.width < 1 || a.height < 1 || (a.channels != 1 && a.channels != 3)) throw UsageError("metrics: bad image shape");
}

Plane channel(const ImageView& v, int c) {
  Plane p(static_cast<size_t>(v.width) * v.height);
  for (size_t i = 0; i < p.size(); ++i) p[i] = v.data[i * v.channels + c];
  return p;
}

// Normalized 1-D Gaussian taps, 11 wide, sigma 1.5.
std::vector<double> gaussian_taps() {
  std::vector<double> g(11);
  double s = 0;
  for (int i = 0; i < 11; ++i) s += g[i] = std::exp(-(i - 5) * (i - 5) / (2 * 1.5 * 1.5));
  for (auto& x : g) x /= s;
  return g;
}

// Separable 'valid' filtering: output (w - 10) x (h - 10).
Plane filter_valid(const Plane& p, int w, int h) {
  static const std::vector<double> g = gaussian_taps();
  const int wo = w - 10, ho = h - 10;
  Plane tmp(static_cast<size_t>(wo) * h), out(static_cast<size_t>(wo) * ho);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < wo; ++x) {
      double s = 0;
      for (int k = 0; k < 11; ++k) s += g[k] * p[static_cast<size_t>(y) * w + x + k];
      tmp[static_cast<size_t>(y) * wo + x] = s;
    }
  for (int y = 0; y < ho; ++y)
    for (int x = 0; x < wo; ++x) {
      double s = 0;
      for (int k = 0; k < 11; ++k) s += g[k] * tmp[static_cast<size_t>(y + k) * wo + x];
      out[static_cast<size_t>(y) * wo + x] = s;
    }
  return out;
}

// Mean SSIM and mean contrast-structure term of one plane pair.
void ssim_terms(const Plane& a, const Plane& b, int w, int h, double* ssim_mean, double* cs_mean) {
  if (w < 11 || h < 11) throw UsageError("SSIM needs images of at least 11x11 pixels");
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
  Plane aa(a.size()), bb(a.size()), ab(a.size());
  for (size_t i = 0; i < a.size(); ++i) aa[i] = a[i] * a[i], bb[i] = b[i] * b[i], ab[i] = a[i] * b[i];
  const Plane mu_a = filter_valid(a, w, h), mu_b = filter_valid(b, w, h);
  const Plane s_aa = filter_valid(aa, w, h), s_bb = filter_valid(bb, w, h), s_ab = filter_valid(ab, w, h);
  double ss = 0, cs = 0;
  for (size_t i = 0; i < mu_a.size(); ++i) {
    const double va = s_aa[i] - mu_a[i] * mu_a[i], vb = s_bb[i] - mu_b[i] * mu_b[i], cov = s_ab[i] - mu_a[i] * mu_b[i];
    const double c = (2 * cov + c2) / (va + vb + c2);
    const double l = (2 * mu_a[i] * mu_b[i] + c1) / (mu_a[i] * mu_a[i] + mu_b[i] * mu_b[i] + c1);
    ss += l * c;
    cs += c;
  }
  *ssim_mean = ss / static_cast<double>(mu_a.size());
  *cs_mean = cs / static_cast<double>(mu_a.size());
}

// 2x2 average, then every second sample (odd sizes drop the last row/column).
Plane downsample(const Plane& p, int w, int h, int* wo, int* ho) {
  *wo = w / 2;
  *ho = h / 2;
  Plane out(static_cast<size_t>(*wo) * *ho);
  for (int y = 0; y < *ho; ++y)
    for (int x = 0; x < *wo; ++x) {
      const size_t i = static_cast<size_t>(2 * y) * w + 2 * x;
      out[static_cast<size_t>(y) * *wo + x] = (p[i] + p[i + 1] + p[i + w] + p[i + w + 1]) / 4;
    }
  return out;
}

}  // namespace

double mse(const ImageView& a, const ImageView& b) {
  check_pair(a, b);
  const size_t n = static_cast<size_t>(a.width) * a.height * a.channels;
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = double(a.data[i]) - b.data[i];
    s += d * d;
  }
  return s / static_cast<double>(n);
}

double psnr(const ImageView& a, const ImageView& b) {
  const double m = mse(a, b);
  return m > 0 ? 10 * std::log10(255.0 * 255.0 / m) : INFINITY;
}

double psnr_y(const ImageView& a, const ImageView& b) {
  check_pair(a, b);
  if (a.channels != 3) throw UsageError("psnr_y needs RGB images");
  const size_t n = static_cast<size_t>(a.width) * a.height;
  auto luma = [](const uint8_t* p) {
    return std::floor(16.0 + (65.481 * p[0] + 128.553 * p[1] + 24.966 * p[2]) / 255.0 + 0.5);
  };
  double s = 0;
  for (size_t i = 0; i < n; ++i) {
    const double d = luma(a.data + 3 * i) - luma(b.data + 3 * i);
    s += d * d;
  }
  const double m = s / static_cast<double>(n);
  return m > 0 ? 10 * std::log10(255.0 * 255.0 / m) : INFINITY;
}

double ssim(const ImageView& a, const ImageView& b) {
  check_pair(a, b);
  double total = 0;
  for (int c = 0; c < a.channels; ++c) {
    double s, cs;
    ssim_terms(channel(a, c), channel(b, c), a.width, a.height, &s, &cs);
    total += s;
  }
  return total / a.channels;
}

double ssim_8x8(const ImageView& a, const ImageView& b) {
  check_pair(a, b);
  const int bw = a.width / 4, bh = a.height / 4;  // whole 4x4 blocks; leftover pixels are not scored
  if (bw < 2 || bh < 2) throw UsageError("ssim_8x8 needs images of at least 8x8 pixels");
  const double c1 = 416, c2 = 235963;  // (int)(.01^2 255^2 64 + .5), (int)(.03^2 255^2 64 63 + .5)
  double total = 0;
  for (int c = 0; c < a.channels; ++c) {
    // Per 4x4 block: sum a, sum b, sum a^2 + b^2, sum ab.
    std::vector<int64_t> s1(static_cast<size_t>(bw) * bh), s2(s1.size()), ss(s1.size()), s12(s1.size());
    for (int y = 0; y < bh * 4; ++y)
      for (int x = 0; x < bw * 4; ++x) {
        const size_t i = (static_cast<size_t>(y) * a.width + x) * a.channels + c, k = static_cast<size_t>(y / 4) * bw + x / 4;
        const int64_t va = a.data[i], vb = b.data[i];
        s1[k] += va;
        s2[k] += vb;
        ss[k] += va * va + vb * vb;
        s12[k] += va * vb;
      }
    double sum = 0;
    for (int y = 0; y + 1 < bh; ++y)
      for (int x = 0; x + 1 < bw; ++x) {
        int64_t t1 = 0, t2 = 0, tss = 0, t12 = 0;
        for (int dy = 0; dy < 2; ++dy)
          for (int dx = 0; dx < 2; ++dx) {
            const size_t k = static_cast<size_t>(y + dy) * bw + x + dx;
            t1 += s1[k], t2 += s2[k], tss += ss[k], t12 += s12[k];
          }
        const double vars = double(tss * 64 - t1 * t1 - t2 * t2), covar = double(t12 * 64 - t1 * t2);
        sum += (2.0 * double(t1) * double(t2) + c1) * (2 * covar + c2) / ((double(t1 * t1 + t2 * t2) + c1) * (vars + c2));
      }
    total += sum / (double(bw - 1) * (bh - 1));
  }
  return total / a.channels;
}

double ms_ssim(const ImageView& a, const ImageView& b) {
  check_pair(a, b);
  if (a.width < 176 || a.height < 176) throw UsageError("MS-SSIM needs images of at least 176x176 pixels (11 at the fifth scale)");
  static const double kWeights[5] = {0.0448, 0.2856, 0.3001, 0.2363, 0.1333};
  double total = 0;
  for (int c = 0; c < a.channels; ++c) {
    Plane pa = channel(a, c), pb = channel(b, c);
    int w = a.width, h = a.height;
    double value = 1;
    for (int s = 0; s < 5; ++s) {
      double ss, cs;
      ssim_terms(pa, pb, w, h, &ss, &cs);
      if (s < 4) {
        value *= std::pow(std::max(cs, 0.0), kWeights[s]);
        int w2, h2;
        pa = downsample(pa, w, h, &w2, &h2);
        pb = downsample(pb, w, h, &w2, &h2);
        w = w2;
        h = h2;
      } else {
        value *= std::pow(std::max(ss, 0.0), kWeights[s]);
      }
    }
    total += value;
  }
  return total / a.channels;
}

double bpp(size_t file_bytes, int width, int height) {
  if (width < 1 || height < 1) throw UsageError("bpp: image size must be positive");
  return 8.0 * static_cast<double>(file_bytes) / (static_cast<double>(width) * height);
}

}  // namespace nicodec::eval
