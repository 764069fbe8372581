// The model file every codec ships its weights in: a safetensors file (8-byte little-endian header length,
// a JSON header naming each tensor's dtype, shape and byte range, then the data), compressed whole with zstd.
// Decompressed, it opens with any safetensors reader. Quantized matrices are stored as a U8 tensor of packed
// blocks (layout in quant/formats/weight_formats.h) plus "<name>.scales" (F32) where the format has row scales;
// the format, the original shape and the tensor scale go into the metadata as "<name>.format", ".shape", ".tscale".
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "quant/formats/weight_formats.h"

namespace nicodec::quant {

struct TensorData {
  std::string dtype;  // "F32", "F16", "I8", "U8", "I16", "I32"
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

class ModelFile {
 public:
  static constexpr size_t kMaxHeader = size_t{64} << 20;
  static constexpr size_t kMaxFile = size_t{2} << 30;

  std::map<std::string, std::string> metadata;  // architecture, model id/version, training data, ...
  // metadata[key] as an integer in [lo, hi]; throws FormatError if missing, not a number or out of range.
  int64_t metadata_int(const std::string& key, int64_t lo, int64_t hi) const;
  // Throws FormatError unless metadata["architecture"] is `expected`; `what` names it for the message
  // ("a nicodec image model").
  void expect_architecture(const std::string& expected, const std::string& what) const;

  void add_float(const std::string& name, const std::vector<int64_t>& shape, const float* data);
  // Quantizes w (shape[0] rows, the rest flattened into columns) with the reference quantizer.
  void add_quantized(const std::string& name, const std::vector<int64_t>& shape, const float* w, WeightFormat f);
  void add_raw(const std::string& name, TensorData t);

  bool has(const std::string& name) const { return tensors_.count(name) != 0; }
  const TensorData& raw(const std::string& name) const;  // throws FormatError naming the missing tensor
  // The weights as floats, dequantized if stored quantized; throws FormatError unless the shape is `shape`.
  std::vector<float> weights(const std::string& name, const std::vector<int64_t>& shape) const;
  bool is_quantized(const std::string& name) const { return metadata.count(name + ".format") != 0; }
  QuantizedWeights quantized(const std::string& name) const;
  std::vector<std::string> names() const;
  size_t data_bytes() const;

  std::vector<uint8_t> to_safetensors() const;
  static ModelFile from_safetensors(const uint8_t* data, size_t size);  // validates everything; FormatError
  void save(const std::string& path, int zstd_level = 19) const;        // zstd-compressed, atomic write
  static ModelFile load(const std::string& path);
  // The file's bytes: one zstd frame with the content size and a content checksum, so a damaged byte is an
  // error on load instead of a silently different weight (files written before the checksum still load).
  std::vector<uint8_t> to_compressed(int zstd_level = 19) const;
  static ModelFile from_compressed(const std::vector<uint8_t>& zst);

 private:
  std::map<std::string, TensorData> tensors_;
};

}  // namespace nicodec::quant
