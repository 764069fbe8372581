// The audiocodec model file (quant/model_file.h): every weight of g_a and g_s and the RVQ codebooks quantized
// (int8 rows by default), small vectors in float, and per stage the training usage counts of each code (the
// priors the entropy coder starts from). Exported once from a training checkpoint; loaded by audiocodec.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "codecs/audio/model.h"
#include "quant/model_file.h"

namespace nicodec::codecs::audio {

inline constexpr const char* kArchitecture = "audiocodec-stft-rvq-v1";
// The shipped model (data/models/) that audiocodec loads by default. eval/anchors.cpp keeps a copy of the name
// (the eval layer does not link the codecs): keep the two equal.
inline constexpr const char* kModelFile = "audiocodec-v3.nicm";

struct AudioCodecModel {
  AudioModel net{nullptr};
  std::vector<std::vector<uint32_t>> usage;  // [stage][code] training usage counts (>= 1)
  uint32_t version = 0;                      // written into every bitstream
  std::string weight_format, description;
};

// Builds the codec model from a float network (weights as they are; usage from its EMA code counts).
AudioCodecModel model_from_float(AudioModel net);

// Writes the model file; `validation` [B, L] clips (training material, never evaluation clips) measure what
// quantizing the weights costs: the report ends with the float and the quantized model's log-mel distance at
// 3, 6, 12 and 24 stages. Returns the report.
std::string export_audio_model(AudioModel& net, const torch::Tensor& validation, const std::string& weight_format,
                               uint32_t version, const std::string& training_notes, const std::string& path);

AudioCodecModel load_audio_model(const quant::ModelFile& f);  // throws FormatError for another or a broken model
AudioCodecModel load_audio_model(const std::string& path);

}  // namespace nicodec::codecs::audio
