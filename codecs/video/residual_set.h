// Training material for the learned parts of P frames.
//
// Pictures for a P-frame residual model (DVC-style residual coding, issue 7): the image model coded
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

// The .y4m clips of a folder, sorted; throws UsageError naming the folder when there are none.
std::vector<std::string> list_clips(const std::string& dir);

struct ResidualSetOptions {
  double q_min = -2, q_max = 6;  // the reference frames' rate levels, uniform
  int frame_step = 1;            // use every frame_step-th pair (the clips' frames are very alike)
  uint64_t seed = 1;
};

// Writes <out_dir>/<clip stem>-<frame>.png; returns the number written. progress(written) after each.
int64_t write_residual_set(const image::ImageCodec& codec, const std::vector<std::string>& clips,
                           const std::string& out_dir, const ResidualSetOptions& opt,
                           const std::function<void(int64_t)>& progress = {});

// Pairs for the refinement net (prediction_refiner.h): what P frames predict when they code no residual, as at
// low rates. Per clip, chains of `chain` frames: the first frame coded by the image model at a random level in
// [q_min, q_max], every later one predicted by motion compensation (the encoder's search, at the P frames'
// lambda, level + p_offset) from the previous prediction, so the drift of a motion-only chain is in the set.
struct PredictionPairOptions {
  double q_min = -2, q_max = 6;
  double p_offset = -3;  // as VideoEncodeOptions::p_q_offset
  int chain = 8;         // frames per chain, the coded one included
  int passes = 1;        // times through each clip, each with new levels and the chains shifted by chain / passes
  uint64_t seed = 1;
};
struct PredictionPair {
  Image prediction, frame;
};
std::vector<PredictionPair> prediction_pairs(const image::ImageCodec& codec, const std::vector<std::string>& clips,
                                             const PredictionPairOptions& opt,
                                             const std::function<void(int64_t)>& progress = {});

}  // namespace nicodec::codecs::video
