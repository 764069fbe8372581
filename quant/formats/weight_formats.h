// Quantized weight formats for decoders, each a documented storage layout with a scalar reference
// quantize/dequantize (the ggml model: fast paths elsewhere are tested against these).
//
// A weight matrix is rows x cols (a conv's [out, in, kh, kw] is out x in*kh*kw). Block formats quantize each
// row in blocks along cols; a row whose length is not a multiple of the block is padded with zeros, which
// cost storage but no error. Layouts (little-endian, packed, in row order):
//
//   kInt8      per row: float scale d = amax / 127; int8 q[cols]; w = d * q.           8 bits + 32/row
//   kInt4G32   BlockInt4x32 { fp16 d; uint8 qs[16]; }  d = amax / 7, q in [-8, 7] stored as q + 8,
//              element j in the low nibble of qs[j], element j + 16 in the high nibble. 4.5 bits/weight
//   kInt4G64   BlockInt4x64 { fp16 d; uint8 qs[32]; }  same with 64 elements.        4.25 bits/weight
//   kTernary   per row: float scale g = mean |w| (BitNet b1.58 "absmean"); t = clamp(round(w / g), -1, 1),
//              5 trits per byte as sum (t_i + 1) 3^i.                                  1.6 bits + 32/row
//   kBinary    per row: float scale a = mean |w| (XNOR-Net); bit 1 for w >= 0, 8 per byte, LSB first.
//                                                                                       1 bit + 32/row
//   kMxfp4     BlockMxfp4 { uint8 e; uint8 qs[16]; }  OCP MX: 32 E2M1 elements sharing the E8M0 scale
//              2^(floor(log2 amax) - 2); nibble layout as kInt4G32.                    4.25 bits/weight
//   kNvfp4     BlockNvfp4 { uint8 s; uint8 qs[8]; }  16 E2M1 elements, E4M3 block scale
//              s = e4m3(amax_block / 6 / S), with one float tensor scale S = amax / (6 * 448);
//              w = e2m1 * s * S; element j low nibble of qs[j], j + 8 high nibble.       4.5 bits/weight
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nicodec::quant {

enum class WeightFormat : uint8_t { kInt8 = 1, kInt4G32, kInt4G64, kTernary, kBinary, kMxfp4, kNvfp4 };

const char* format_name(WeightFormat f);
WeightFormat parse_format(const std::string& name);  // throws UsageError listing the names
std::vector<WeightFormat> all_formats();

struct BlockInt4x32 {
  uint16_t d;
  uint8_t qs[16];
};
struct BlockInt4x64 {
  uint16_t d;
  uint8_t qs[32];
};
struct BlockMxfp4 {
  uint8_t e;
  uint8_t qs[16];
};
struct BlockNvfp4 {
  uint8_t s;
  uint8_t qs[8];
};
static_assert(sizeof(BlockInt4x32) == 18 && sizeof(BlockInt4x64) == 34, "packed int4 blocks");
static_assert(sizeof(BlockMxfp4) == 17 && sizeof(BlockNvfp4) == 9, "packed fp4 blocks");

// Elements per block (1 for the per-row formats, whose "block" is the row).
int block_size(WeightFormat f);

struct QuantizedWeights {
  WeightFormat format = WeightFormat::kInt8;
  int64_t rows = 0, cols = 0;
  float tensor_scale = 1.0f;      // kNvfp4 only
  std::vector<float> row_scales;  // kInt8, kTernary, kBinary
  std::vector<uint8_t> data;      // the packed rows or blocks
  size_t bytes() const { return data.size() + 4 * row_scales.size() + 4; }
  double bits_per_weight() const { return 8.0 * static_cast<double>(bytes()) / static_cast<double>(rows * cols); }
  size_t row_bytes() const;  // bytes of `data` per row
};

// Scalar reference implementations. w and out are rows x cols, row-major.
QuantizedWeights quantize_reference(WeightFormat f, const float* w, int64_t rows, int64_t cols);
void dequantize_reference(const QuantizedWeights& q, float* out);

// Signal-to-quantization-noise ratio in dB: 10 log10(sum w^2 / sum (w - w')^2).
double sqnr_db(const float* w, const float* w_hat, size_t n);

}  // namespace nicodec::quant
