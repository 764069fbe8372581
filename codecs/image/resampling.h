// Picture resampling for coding at reduced resolution: at very low rates a smaller picture coded at a higher
// rate level, then scaled back up, beats the full-size picture at a level far below the trained range (the
// encoder compares both; codec.h). Box filter down, bicubic up, both aligned on pixel centres so that a
// factor-s round trip keeps the picture where it was.
#pragma once
#include <torch/torch.h>

#include "core/media/image_io.h"

namespace nicodec::codecs::image {

// Each output pixel is the mean of an s x s block (blocks at the right and bottom edges average the pixels they
// have). Output size ceil(width / s) x ceil(height / s). s >= 1.
Image downscale_box(const Image& img, int s);

// The inverse direction: bicubic interpolation (a = -0.75, pixel centres aligned: output pixel j samples the
// input at (j + 0.5) / s - 0.5, edges clamped) of a float picture [B, C, h, w] to [B, C, s h, s w]; no rounding
// or clamping, so the caller converts to 8 bits once.
torch::Tensor upscale_bicubic(const torch::Tensor& x, int64_t s);

}  // namespace nicodec::codecs::image
