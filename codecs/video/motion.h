// Motion for vidcodec's P frames: estimation (encoder only), the coded motion field, and motion compensation.
//
// The field is one vector per block of kBlock x kBlock pixels, in quarter pixels, pointing from the current
// frame into the reference (cur(x) ~ ref(x + mv)). Compensation does not move blocks rigidly: each pixel's
// vector is interpolated bilinearly between the four nearest block centres (a smooth warp, so no block edges in
// the prediction, and zooms and rotations follow), in 1/16 pixel, then the reference is sampled bilinearly with
// the edges extended. Everything the decoder computes is integer arithmetic, so every platform predicts the
// same pixels.
//
// Estimation: OpenCV's DIS optical flow (Kroeger et al. 2016) on luma, averaged per block, rounded to quarter
// pixels; a block keeps its neighbours' predicted vector instead when that predicts it (almost) as well, which
// makes the field cheaper to code. A learned flow net and a learned motion-field coder are the next steps.
//
// Coding (CABAC): per block in raster order, each component minus the median of the left, top and top-right
// neighbours' (H.264's predictor), as a signed integer with adaptive contexts per component.
#pragma once
#include <cstdint>
#include <vector>

#include "core/media/image_io.h"

namespace nicodec::codecs::video {

constexpr int kBlock = 16;
constexpr int kMaxMotion = 4 * 1024;  // quarter pixels: +-1024 pixels, far beyond any real motion

struct MotionField {
  int blocks_x = 0, blocks_y = 0;
  std::vector<int16_t> mv;  // blocks_y * blocks_x * 2: (dx, dy) in quarter pixels
  static MotionField zero(int width, int height);
  int16_t* at(int bx, int by) { return &mv[(static_cast<size_t>(by) * blocks_x + bx) * 2]; }
  const int16_t* at(int bx, int by) const { return &mv[(static_cast<size_t>(by) * blocks_x + bx) * 2]; }
};

// Encoder side. `cur` and `ref` have the same size. Each block takes the candidate vector with the least
// SAD + lambda * (coded bins), SAD over the block's luma.
MotionField estimate_motion(const Image& cur, const Image& ref, int lambda);
// The prediction of the current frame from the decoded reference.
Image compensate(const Image& ref, const MotionField& field);

std::vector<uint8_t> encode_motion(const MotionField& field);
// Throws FormatError for a stream that does not hold a field of this frame size (or vectors beyond kMaxMotion).
MotionField decode_motion(const uint8_t* data, size_t size, int width, int height);

}  // namespace nicodec::codecs::video
