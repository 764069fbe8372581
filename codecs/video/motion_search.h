// vidcodec's motion search (encoder only): OpenCV's DIS optical flow (Kroeger et al. 2016) on luma, averaged
// per block, rounded to quarter pixels; a block keeps its neighbours' predicted vector instead when that predicts
// it (almost) as well, which makes the field cheaper to code. A learned flow net and a learned motion-field
// coder are the next steps. The coded field and compensation: motion_field.h.
#pragma once
#include <vector>

#include "codecs/video/motion_field.h"
#include "core/media/image_io.h"

namespace nicodec::codecs::video {

// Dense optical flow from `cur` into `ref` (same size): per pixel (dx, dy) in pixels.
struct Flow {
  int width = 0, height = 0;
  std::vector<float> xy;  // empty for frames too small to estimate (treated as zero motion)
};
Flow optical_flow(const Image& cur, const Image& ref);
// The field at one block size: each block takes the candidate vector (the flow's mean over the block and its
// quarter-pixel neighbours, the predictor, zero) with the least luma SAD + lambda * (coded bins).
MotionField estimate_motion(const Image& cur, const Image& ref, const Flow& flow, int block, int lambda);

}  // namespace nicodec::codecs::video
