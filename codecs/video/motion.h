// Motion for vidcodec's P frames: estimation (encoder only), the coded motion field, and motion compensation.
//
// The field is one vector per block of 16 x 16 or 32 x 32 pixels (chosen per frame), in quarter pixels, pointing from the current
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

constexpr int kBlockSizes[2] = {16, 32};
constexpr int kMaxMotion = 4 * 1024;  // quarter pixels: +-1024 pixels, far beyond any real motion

struct MotionField {
  int block = 16;  // one of kBlockSizes
  int blocks_x = 0, blocks_y = 0;
  std::vector<int16_t> mv;  // blocks_y * blocks_x * 2: (dx, dy) in quarter pixels
  static MotionField zero(int width, int height, int block = 16);
  int16_t* at(int bx, int by) { return &mv[(static_cast<size_t>(by) * blocks_x + bx) * 2]; }
  const int16_t* at(int bx, int by) const { return &mv[(static_cast<size_t>(by) * blocks_x + bx) * 2]; }
};

// Encoder side. Dense optical flow from `cur` into `ref` (same size): per pixel (dx, dy) in pixels.
struct Flow {
  int width = 0, height = 0;
  std::vector<float> xy;  // empty for frames too small to estimate (treated as zero motion)
};
Flow optical_flow(const Image& cur, const Image& ref);
// The field at one block size: each block takes the candidate vector (the flow's mean over the block and its
// quarter-pixel neighbours, the predictor, zero) with the least luma SAD + lambda * (coded bins).
MotionField estimate_motion(const Image& cur, const Image& ref, const Flow& flow, int block, int lambda);
// The prediction of the current frame from the decoded reference.
Image compensate(const Image& ref, const MotionField& field);

// The stream starts with the block size (one bypass bin).
std::vector<uint8_t> encode_motion(const MotionField& field);
// Throws FormatError for a stream that does not hold a field of this frame size (or vectors beyond kMaxMotion).
MotionField decode_motion(const uint8_t* data, size_t size, int width, int height);

}  // namespace nicodec::codecs::video
