#include "codecs/image/resampling.h"

#include <torch/torch.h>

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

Image upscale_bicubic(const Image& small, int s, int width, int height) {
  if (s < 1 || width > small.width * s || height > small.height * s || width < 1 || height < 1)
    throw UsageError("upscale: " + std::to_string(small.width) + "x" + std::to_string(small.height) + " by " +
                     std::to_string(s) + " cannot make " + std::to_string(width) + "x" + std::to_string(height));
  torch::NoGradGuard ng;
  auto x = torch::from_blob(const_cast<uint8_t*>(small.rgb.data()), {1, small.height, small.width, 3}, torch::kUInt8)
               .permute({0, 3, 1, 2})
               .to(torch::kFloat);
  namespace F = torch::nn::functional;
  auto up = F::interpolate(x, F::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{int64_t{small.height} * s, int64_t{small.width} * s})
                                  .mode(torch::kBicubic)
                                  .align_corners(false));
  auto px = up.narrow(2, 0, height).narrow(3, 0, width).round_().clamp_(0, 255).to(torch::kUInt8);
  px = px.squeeze(0).permute({1, 2, 0}).contiguous();
  Image out;
  out.width = width;
  out.height = height;
  out.rgb.assign(px.data_ptr<uint8_t>(), px.data_ptr<uint8_t>() + px.numel());
  return out;
}

}  // namespace nicodec::codecs::image
