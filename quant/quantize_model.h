// Quantizes a float model file: every F32 tensor of rank >= 2 (conv and linear weights) in one format,
// biases and other small tensors kept in float. Reports per-tensor size and weight SQNR.
#pragma once
#include <string>
#include <vector>

#include "quant/model_file.h"

namespace nicodec::quant {

struct TensorReport {
  std::string name;
  std::vector<int64_t> shape;
  std::string format;  // "f32" when kept
  size_t bytes_before = 0, bytes_after = 0;
  double sqnr_db = 0;  // of the weights; infinity when kept in float
};

ModelFile quantize_model(const ModelFile& in, WeightFormat format, std::vector<TensorReport>* report);

}  // namespace nicodec::quant
