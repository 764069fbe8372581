// vidcodec's coded motion field and motion compensation: what the decoder needs (no OpenCV, so the fuzz build
// compiles it too). The encoder's search is in motion_search.h.
//
// The field is one vector per block of 16 x 16 or 32 x 32 pixels (chosen per frame), in quarter pixels, pointing from the current
// frame into the reference (cur(x) ~ ref(x + mv)). Compensation does not move blocks rigidly: each pixel's
// vector is interpolated bilinearly between the four nearest block centres (a smooth warp, so no block edges in
// the prediction, and zooms and rotations follow), in 1/16 pixel, then the reference is sampled bilinearly with
// the edges extended. Everything the decoder computes is integer arithmetic, so every platform predicts the
// same pixels.
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

// The prediction of the current frame from the decoded reference.
Image compensate(const Image& ref, const MotionField& field);

// The stream starts with the block size (one bypass bin).
std::vector<uint8_t> encode_motion(const MotionField& field);
// Throws FormatError for a stream that does not hold a field of this frame size (or vectors beyond kMaxMotion).
MotionField decode_motion(const uint8_t* data, size_t size, int width, int height);

// For the encoder's rate estimate: the predictor of block (bx, by) from the blocks before it, and the rough
// CABAC cost in bins of one component of a vector difference.
void predict_motion(const MotionField& f, int bx, int by, int out[2]);
int motion_bins(int v);

// Bilinear sample at (px, py) in 1/16 pixel, edges extended; `stride` bytes between horizontal neighbours.
int sample16(const uint8_t* plane, int w, int h, int stride, int px, int py);

}  // namespace nicodec::codecs::video
