// Moving a network's float weights into and out of a model file (quant/model_file.h), the same way for every
// codec: matrices (rank >= 2, at least 4096 values) in the chosen weight format, everything else in float.
#pragma once
#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "quant/model_file.h"

namespace nicodec::codecs {

using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;

// weight_format: a quant format name (int8, int4g32, ...) or "f32" for no quantization; recorded in the
// metadata as "weight_format". Returns a report line per quantized tensor (size and weight SQNR).
std::string store_weights(quant::ModelFile& f, const NamedTensors& weights, const std::string& weight_format);
// Copies each tensor's stored values (dequantized) into it; throws FormatError for a missing or misshapen one.
void load_weights(const quant::ModelFile& f, const NamedTensors& weights);
// Saves the file (zstd) and returns the export report's line with its size.
std::string save_model_file(const quant::ModelFile& f, const std::string& path);

}  // namespace nicodec::codecs
