// The image codec's model file (quant/model_file.h): the float transforms g_a, h_a, g_s and the gains with their
// weights quantized (int8 by default), the integer-exact h_s and the int8 synthesis ranges. Exported once from a
// training checkpoint; loaded by nicodec.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/image/context_model.h"
#include "codecs/image/entropy_parameters.h"
#include "codecs/image/model.h"
#include "quant/layers/int8_sequential.h"
#include "quant/formats/weight_formats.h"

namespace nicodec::codecs::image {

inline constexpr const char* kModelId = "nicodec-image";
inline constexpr const char* kArchitecture = "mean-scale-hyperprior-gain-v1";
// The shipped model in data/models: what nicodec and vidcodec load by default (and eval/anchors.cpp names too).
inline constexpr const char* kModelFile = "nicodec-image-v3.nicm";

struct CodecModel {
  ImageModel net{nullptr};      // g_a, h_a, g_s, gains (h_s inside is unused: the integer one below replaces it)
  IntegerHyperSynthesis h_s;
  // The checkerboard context (context_model.h), when the file has one; files of context_base_version (the same
  // model without it) still decode.
  IntegerCheckerboardContext context;
  bool has_context = false;
  uint32_t context_base_version = 0;
  quant::Int8Sequential g_s_int8;  // g_s with int8 convolutions; empty when the file has no int8 calibration
  uint32_t version = 0;          // written into every bitstream
  std::string weight_format;     // how the float transforms' weights were stored
  std::string description;
};

// calib: images [B, 3, H, W] in [0, 1] (H, W multiples of 64) used to calibrate the integer h_s.
// weight_format: a quant format name (int8, int4g32, ...) for the float transforms' weights, or "f32".
// Returns a report: per stored tensor its format, bytes and weight SQNR; per int8 synthesis layer its output
// SQNR on the calibration latents; the file size.
std::string export_model(ImageModel& net, const torch::Tensor& calib, const std::string& weight_format, uint32_t version,
                         const std::string& training_notes, const std::string& path);
CodecModel load_model(const std::string& path);
// The same from a ModelFile already in memory (tests).
CodecModel load_model(const quant::ModelFile& f);
// The integer-exact parts straight from a float model (no file), e.g. to measure the RD cost of the file's
// weight quantization.
CodecModel model_from_float(ImageModel net, const torch::Tensor& calib);

}  // namespace nicodec::codecs::image
