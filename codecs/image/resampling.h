// Picture resampling for coding at reduced resolution: at very low rates a smaller picture coded at a higher
// rate level, then scaled back up, beats the full-size picture at a level far below the trained range (the
// encoder compares both; codec.h). Box filter down, bicubic up, both aligned on pixel centres so that a
// factor-s round trip keeps the picture where it was.
#pragma once
#include "core/media/image_io.h"

namespace nicodec::codecs::image {

// Each output pixel is the mean of an s x s block (blocks at the right and bottom edges average the pixels they
// have). Output size ceil(width / s) x ceil(height / s). s >= 1.
Image downscale_box(const Image& img, int s);

// The inverse direction: bicubic interpolation (a = -0.75, pixel centres aligned: output pixel j samples the
// small picture at (j + 0.5) / s - 0.5, edges clamped) to width x height, which must be at most s times the
// small picture's size on each side.
Image upscale_bicubic(const Image& small, int s, int width, int height);

}  // namespace nicodec::codecs::image
