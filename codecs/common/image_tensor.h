// Pictures as tensors, the one conversion every learned image and video path uses: 8-bit RGB (core/media's
// Image, interleaved) to float [1, 3, H, W] in [0, 1] and back (rounded to the nearest step, clamped).
#pragma once
#include <torch/torch.h>

#include "core/media/image_io.h"

namespace nicodec::codecs {

torch::Tensor image_to_tensor(const Image& img);
// x: [1, 3, H, W] float, any device; values outside [0, 1] are clamped.
Image tensor_to_image(const torch::Tensor& x);

}  // namespace nicodec::codecs
