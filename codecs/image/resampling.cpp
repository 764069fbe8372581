#include "codecs/image/resampling.h"

#include "core/error.h"

namespace nicodec::codecs::image {

Image downscale_box(const Image& img, int s) {
  if (s < 1) throw UsageError("downscale factor must be at least 1");
  Image out;
  out.width = (img.width + s - 1) / s;
  out.height = (img.height + s - 1) / s;
  out.rgb.resize(static_cast<size_t>(out.width) * out.height * 3);
  for (int oy = 0; oy < out.height; ++oy)
    for (int ox = 0; ox < out.width; ++ox) {
      const int y1 = std::min(img.height, (oy + 1) * s), x1 = std::min(img.width, (ox + 1) * s);
      unsigned sum[3] = {0, 0, 0}, n = 0;
      for (int y = oy * s; y < y1; ++y)
        for (int x = ox * s; x < x1; ++x, ++n)
          for (int c = 0; c < 3; ++c) sum[c] += img.rgb[(static_cast<size_t>(y) * img.width + x) * 3 + c];
      for (int c = 0; c < 3; ++c)
        out.rgb[(static_cast<size_t>(oy) * out.width + ox) * 3 + c] = static_cast<uint8_t>((sum[c] + n / 2) / n);
    }
  return out;
}

torch::Tensor upscale_bicubic(const torch::Tensor& x, int64_t s) {
  if (s < 1 || x.dim() != 4) throw UsageError("upscale: needs a [B, C, H, W] picture and a factor of at least 1");
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{x.size(2) * s, x.size(3) * s})
                               .mode(torch::kBicubic)
                               .align_corners(false));
}

}  // namespace nicodec::codecs::image
