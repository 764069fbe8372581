// Training of the P-frame refinement net (prediction_refiner.h): MSE between the refined prediction and the
// frame, on random crops of motion-only prediction chains of the training clips (residual_set.h's
// prediction_pairs), Adam, checkpoints that resume where they stopped.
#pragma once
#include <cstdint>
#include <string>

#include "codecs/image/codec.h"
#include "codecs/video/prediction_refiner.h"
#include "codecs/video/residual_set.h"

namespace nicodec::codecs::video {

struct RefinerTrainConfig {
  std::string clips_dir = "data/sets/video-train";  // y4m clips; never the held-out ones
  std::string checkpoint_dir = "work/train-refiner";
  std::string device = "cpu";
  int64_t steps = 4000;  // total, counting steps done before a resume
  int64_t batch = 8;
  int64_t crop = 128;    // even
  double lr = 5e-4;      // lr / 10 for the last 15% of the steps
  int64_t log_every = 50;
  int64_t checkpoint_every = 250;
  uint64_t seed = 1;
  PredictionPairOptions pairs;  // how the chains are made (first run only: they are kept in the checkpoint)
  RefinerConfig net;            // a new run's shape
};

// Runs (or resumes) training; the pairs are made on the first run (minutes: the image model codes every
// chain's first frame) and kept as <checkpoint_dir>/pairs.pt. Progress on stderr and in <checkpoint_dir>/log.csv:
// the PSNR of the predictions and of the refined predictions on the crops.
void train_refiner(const image::ImageCodec& codec, const RefinerTrainConfig& cfg);

// Writes the checkpoint's net (or snapshot `snapshot`, > 0) as a model file, int8 calibrated on the kept pairs;
// returns export_refiner's report.
std::string export_refiner_checkpoint(const std::string& checkpoint_dir, int64_t snapshot, const std::string& weight_format,
                                      uint32_t version, const std::string& notes, const std::string& path);

// How the refiner does on the prediction chains of `clips` (training or validation clips; on held-out clips only to
// look, never to choose what to train on): one line per clip with the mean PSNR of the predictions, of the refined
// predictions, of the per-frame best of the two (what the encoder's choice gives) and of the best per 64x64 block,
// and how many frames the refiner improves.
std::string validate_refiner(const image::ImageCodec& codec, const PredictionRefiner& refiner,
                             const std::vector<std::string>& clips, const PredictionPairOptions& opt);

}  // namespace nicodec::codecs::video
