// Training pictures for a P-frame residual model (DVC-style residual coding, issue 7): the image model coded
// residuals badly because it was trained on photographs, so a model of the same architecture is trained on
// what P frames actually code. For each consecutive pair of frames of each clip: the previous frame as the
// decoder would hold it (coded by the image model at a random rate level), the motion field the encoder would
// choose at that level, and the residual picture 128 + (frame - prediction), written as PNG for nicodec-train.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "codecs/image/codec.h"

namespace nicodec::codecs::video {

struct ResidualSetOptions {
  double q_min = -2, q_max = 6;  // the reference frames' rate levels, uniform
  int frame_step = 1;            // use every frame_step-th pair (the clips' frames are very alike)
  uint64_t seed = 1;
};

// Writes <out_dir>/<clip stem>-<frame>.png; returns the number written. progress(written) after each.
int64_t write_residual_set(const image::ImageCodec& codec, const std::vector<std::string>& clips,
                           const std::string& out_dir, const ResidualSetOptions& opt,
                           const std::function<void(int64_t)>& progress = {});

}  // namespace nicodec::codecs::video
