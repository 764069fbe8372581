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
// neighbours' (H.264's predictor), as a signed integer with adaptive contexts per component. Two binarizations
// (the file header says which; kMotionCoding has the history): 1 = entropy::encode_signed, 2 =
// entropy::encode_signed_gamma with the zero flag's context picked from the neighbourhood.
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

// The motion coding a file uses. 1: encode_signed, one set of contexts per component (files written before
// coding 2). 2: encode_signed_gamma (its exponent adapts to the differences' scale, where coding 1 paid for
// every large difference in bypass bins), the zero flag on one of 3 contexts by how many of the left and top
// blocks have a nonzero difference in that component (for dy, times 2 by whether dx is zero): 24-27% fewer
// motion bytes than coding 1 on the same fields of the held-out clips at q 0 and 2 (docs/video-codec.md).
constexpr int kMotionCoding = 2;
constexpr bool valid_motion_coding(int64_t coding) { return coding == 1 || coding == 2; }

// The stream starts with the block size (one bypass bin).
std::vector<uint8_t> encode_motion(const MotionField& field, int coding = kMotionCoding);
// Throws FormatError for a stream that does not hold a field of this frame size (or vectors beyond kMaxMotion).
MotionField decode_motion(const uint8_t* data, size_t size, int width, int height, int coding = kMotionCoding);

// For the encoder's rate estimate: the predictor of block (bx, by) from the blocks before it, and the rough
// CABAC cost in bins of one component of a vector difference under kMotionCoding.
void predict_motion(const MotionField& f, int bx, int by, int out[2]);
int motion_bins(int v);

// Bilinear sample at (px, py) in 1/16 pixel, edges extended; `stride` bytes between horizontal neighbours.
int sample16(const uint8_t* plane, int w, int h, int stride, int px, int py);

}  // namespace nicodec::codecs::video
