// IntegerConv2d layers in a model file (quant/model_file.h): "<prefix>.{weight,bias,multiplier,shift}" stored
// as I8 / I16 / I32, the narrowest that holds each, and "<prefix>.geometry" in the metadata.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "quant/layers/integer_conv.h"
#include "quant/model_file.h"

namespace nicodec::quant {

void save_integer_conv(ModelFile& f, const std::string& prefix, const IntegerConv2d& layer);
// weight_shape: what the caller's architecture expects ([out, in, k, k], or [in, out, k, k] transposed); a file
// that disagrees, or holds out-of-range geometry, multipliers or shifts, throws FormatError.
IntegerConv2d load_integer_conv(const ModelFile& f, const std::string& prefix, std::vector<int64_t> weight_shape);

}  // namespace nicodec::quant
