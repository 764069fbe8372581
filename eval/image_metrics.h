// Image quality metrics on 8-bit interleaved images (1 or 3 channels), as the learned-compression
// literature reports them.
//   psnr        10 log10(255^2 / MSE), MSE over every sample of every channel (CompressAI's RGB PSNR)
//   psnr_y      PSNR of the BT.601 limited-range luma, rounded to 8 bits (FFmpeg's rgb -> yuv conversion)
//   ssim        Wang et al. 2004: 11x11 Gaussian window (sigma 1.5), K1 0.01, K2 0.03, valid region only,
//               averaged over channels
//   ssim_8x8    the definition of FFmpeg's ssim filter (from x264): unweighted 8x8 windows on a 4-pixel grid,
//               C1 = round(0.01^2 255^2 64), C2 = round(0.03^2 255^2 64 63) in window-sum units, averaged
//               over channels. For comparing with FFmpeg-based tools; papers mostly report Gaussian SSIM.
//   ms_ssim     Wang, Simoncelli & Bovik 2003: 5 scales, weights 0.0448 0.2856 0.3001 0.2363 0.1333, 2x2
//               average-and-subsample between scales, contrast-structure terms clamped at 0 (as
//               pytorch_msssim), averaged over channels. Needs sides >= 176 (11 at the fifth scale).
#pragma once
#include <cstddef>
#include <cstdint>

namespace nicodec::eval {

struct ImageView {
  const uint8_t* data;
  int width, height, channels;  // interleaved, row-major
};

double mse(const ImageView& a, const ImageView& b);
double psnr(const ImageView& a, const ImageView& b);     // infinity for identical images
double psnr_y(const ImageView& a, const ImageView& b);   // 3-channel RGB only
double ssim(const ImageView& a, const ImageView& b);
double ssim_8x8(const ImageView& a, const ImageView& b);
double ms_ssim(const ImageView& a, const ImageView& b);
double bpp(size_t file_bytes, int width, int height);  // bits per pixel of a whole file

}  // namespace nicodec::eval
