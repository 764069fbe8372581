#include "quant/formats/weight_formats.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "quant/formats/minifloat.h"

namespace nicodec::quant {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

float amax_of(const float* x, int64_t n) {
  float m = 0;
  for (int64_t i = 0; i < n; ++i) m = std::max(m, std::fabs(x[i]));
  return m;
}

// Copies row r into a zero-padded buffer of `padded` elements.
std::vector<float> padded_row(const float* w, int64_t r, int64_t cols, int64_t padded) {
  std::vector<float> v(static_cast<size_t>(padded), 0.0f);
  std::copy(w + r * cols, w + (r + 1) * cols, v.begin());
  return v;
}

// Nibble layout shared by the 4-bit blocks: element j low nibble of qs[j], element j + n/2 high nibble.
void pack_nibbles(const uint8_t* codes, int n, uint8_t* qs) {
  for (int j = 0; j < n / 2; ++j) qs[j] = static_cast<uint8_t>((codes[j] & 0xF) | ((codes[j + n / 2] & 0xF) << 4));
}
uint8_t nibble(const uint8_t* qs, int n, int j) { return j < n / 2 ? (qs[j] & 0xF) : (qs[j - n / 2] >> 4); }

template <typename Block, int N>
void quantize_int4_row(const float* x, Block* out, int64_t blocks) {
  for (int64_t b = 0; b < blocks; ++b) {
    const float* xb = x + b * N;
    const float d = amax_of(xb, N) / 7.0f;
    const uint16_t dh = fp16_from_float(d);
    const float dq = fp16_to_float(dh);  // quantize against the scale the decoder will see
    const float inv = dq > 0 ? 1.0f / dq : 0.0f;
    uint8_t codes[N];
    for (int j = 0; j < N; ++j) {
      const float q = std::nearbyint(xb[j] * inv);
      codes[j] = static_cast<uint8_t>(static_cast<int>(std::min(7.0f, std::max(-8.0f, q))) + 8);
    }
    out[b].d = dh;
    pack_nibbles(codes, N, out[b].qs);
  }
}

template <typename Block, int N>
void dequantize_int4_row(const Block* in, float* y, int64_t blocks) {
  for (int64_t b = 0; b < blocks; ++b) {
    const float d = fp16_to_float(in[b].d);
    for (int j = 0; j < N; ++j) y[b * N + j] = d * static_cast<float>(static_cast<int>(nibble(in[b].qs, N, j)) - 8);
  }
}

}  // namespace

const char* format_name(WeightFormat f) {
  switch (f) {
    case WeightFormat::kInt8: return "int8";
    case WeightFormat::kInt4G32: return "int4g32";
    case WeightFormat::kInt4G64: return "int4g64";
    case WeightFormat::kTernary: return "ternary";
    case WeightFormat::kBinary: return "binary";
    case WeightFormat::kMxfp4: return "mxfp4";
    case WeightFormat::kNvfp4: return "nvfp4";
  }
  return "unknown";
}

std::vector<WeightFormat> all_formats() {
  return {WeightFormat::kInt8,   WeightFormat::kInt4G32, WeightFormat::kInt4G64, WeightFormat::kTernary,
          WeightFormat::kBinary, WeightFormat::kMxfp4,   WeightFormat::kNvfp4};
}

WeightFormat parse_format(const std::string& name) {
  std::string names;
  for (WeightFormat f : all_formats()) {
    if (name == format_name(f)) return f;
    names += std::string(names.empty() ? "" : ", ") + format_name(f);
  }
  throw UsageError("unknown weight format '" + name + "'; choose one of " + names);
}

int block_size(WeightFormat f) {
  switch (f) {
    case WeightFormat::kInt4G32: return 32;
    case WeightFormat::kInt4G64: return 64;
    case WeightFormat::kMxfp4: return 32;
    case WeightFormat::kNvfp4: return 16;
    default: return 1;
  }
}

size_t QuantizedWeights::row_bytes() const {
  const int64_t B = block_size(format);
  switch (format) {
    case WeightFormat::kInt8: return static_cast<size_t>(cols);
    case WeightFormat::kInt4G32: return static_cast<size_t>(ceil_div(cols, B)) * sizeof(BlockInt4x32);
    case WeightFormat::kInt4G64: return static_cast<size_t>(ceil_div(cols, B)) * sizeof(BlockInt4x64);
    case WeightFormat::kTernary: return static_cast<size_t>(ceil_div(cols, 5));
    case WeightFormat::kBinary: return static_cast<size_t>(ceil_div(cols, 8));
    case WeightFormat::kMxfp4: return static_cast<size_t>(ceil_div(cols, B)) * sizeof(BlockMxfp4);
    case WeightFormat::kNvfp4: return static_cast<size_t>(ceil_div(cols, B)) * sizeof(BlockNvfp4);
  }
  return 0;
}

QuantizedWeights quantize_reference(WeightFormat f, const float* w, int64_t rows, int64_t cols) {
  if (rows < 1 || cols < 1) throw UsageError("quantize: empty weight matrix");
  for (int64_t i = 0; i < rows * cols; ++i)
    if (!std::isfinite(w[i])) throw UsageError("quantize: weights must be finite");
  QuantizedWeights q;
  q.format = f;
  q.rows = rows;
  q.cols = cols;
  const size_t rb = q.row_bytes();
  q.data.assign(rb * static_cast<size_t>(rows), 0);
  const int64_t B = block_size(f), padded = ceil_div(cols, B) * B, blocks = padded / B;
  if (f == WeightFormat::kNvfp4) {
    const float amax = amax_of(w, rows * cols);
    q.tensor_scale = amax > 0 ? amax / (6.0f * 448.0f) : 1.0f;
  }
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<float> x = padded_row(w, r, cols, padded);
    uint8_t* out = q.data.data() + static_cast<size_t>(r) * rb;
    switch (f) {
      case WeightFormat::kInt8: {
        const float d = amax_of(x.data(), cols) / 127.0f, inv = d > 0 ? 1.0f / d : 0.0f;
        q.row_scales.push_back(d);
        for (int64_t j = 0; j < cols; ++j) {
          const float v = std::min(127.0f, std::max(-127.0f, std::nearbyint(x[j] * inv)));
          out[j] = static_cast<uint8_t>(static_cast<int8_t>(v));
        }
        break;
      }
      case WeightFormat::kInt4G32: quantize_int4_row<BlockInt4x32, 32>(x.data(), reinterpret_cast<BlockInt4x32*>(out), blocks); break;
      case WeightFormat::kInt4G64: quantize_int4_row<BlockInt4x64, 64>(x.data(), reinterpret_cast<BlockInt4x64*>(out), blocks); break;
      case WeightFormat::kTernary: {
        double s = 0;
        for (int64_t j = 0; j < cols; ++j) s += std::fabs(x[j]);
        const float g = static_cast<float>(s / static_cast<double>(cols)), inv = g > 0 ? 1.0f / g : 0.0f;
        q.row_scales.push_back(g);
        for (int64_t j = 0; j < cols; ++j) {
          const int t = static_cast<int>(std::min(1.0f, std::max(-1.0f, std::nearbyint(x[j] * inv))));
          int p = 1;
          for (int64_t k = 0; k < j % 5; ++k) p *= 3;
          out[j / 5] = static_cast<uint8_t>(out[j / 5] + (t + 1) * p);
        }
        break;
      }
      case WeightFormat::kBinary: {
        double s = 0;
        for (int64_t j = 0; j < cols; ++j) s += std::fabs(x[j]);
        q.row_scales.push_back(static_cast<float>(s / static_cast<double>(cols)));
        for (int64_t j = 0; j < cols; ++j)
          if (x[j] >= 0) out[j / 8] = static_cast<uint8_t>(out[j / 8] | (1u << (j % 8)));
        break;
      }
      case WeightFormat::kMxfp4: {
        auto* blk = reinterpret_cast<BlockMxfp4*>(out);
        for (int64_t b = 0; b < blocks; ++b) {
          const float* xb = x.data() + b * 32;
          const float amax = amax_of(xb, 32);
          int e = -127;
          if (amax > 0) {
            int k;
            std::frexp(amax, &k);  // amax = m 2^k, m in [0.5, 1): floor(log2 amax) = k - 1
            e = (k - 1) - 2;       // emax of E2M1 is 2
          }
          blk[b].e = e8m0_from_exponent(e);
          const float scale = e8m0_to_float(blk[b].e);
          uint8_t codes[32];
          for (int j = 0; j < 32; ++j) codes[j] = e2m1_from_float(xb[j] / scale);
          pack_nibbles(codes, 32, blk[b].qs);
        }
        break;
      }
      case WeightFormat::kNvfp4: {
        auto* blk = reinterpret_cast<BlockNvfp4*>(out);
        for (int64_t b = 0; b < blocks; ++b) {
          const float* xb = x.data() + b * 16;
          blk[b].s = e4m3_from_float(amax_of(xb, 16) / 6.0f / q.tensor_scale);
          const float scale = e4m3_to_float(blk[b].s) * q.tensor_scale;
          uint8_t codes[16];
          for (int j = 0; j < 16; ++j) codes[j] = scale > 0 ? e2m1_from_float(xb[j] / scale) : 0;
          pack_nibbles(codes, 16, blk[b].qs);
        }
        break;
      }
    }
  }
  return q;
}

void dequantize_reference(const QuantizedWeights& q, float* y) {
  const size_t rb = q.row_bytes();
  if (q.data.size() != rb * static_cast<size_t>(q.rows)) throw UsageError("dequantize: data size does not match the shape");
  const int64_t B = block_size(q.format), padded = ceil_div(q.cols, B) * B, blocks = padded / B;
  std::vector<float> row(static_cast<size_t>(padded));
  for (int64_t r = 0; r < q.rows; ++r) {
    const uint8_t* in = q.data.data() + static_cast<size_t>(r) * rb;
    switch (q.format) {
      case WeightFormat::kInt8:
        for (int64_t j = 0; j < q.cols; ++j) row[j] = q.row_scales[r] * static_cast<float>(static_cast<int8_t>(in[j]));
        break;
      case WeightFormat::kInt4G32: dequantize_int4_row<BlockInt4x32, 32>(reinterpret_cast<const BlockInt4x32*>(in), row.data(), blocks); break;
      case WeightFormat::kInt4G64: dequantize_int4_row<BlockInt4x64, 64>(reinterpret_cast<const BlockInt4x64*>(in), row.data(), blocks); break;
      case WeightFormat::kTernary:
        for (int64_t j = 0; j < q.cols; ++j) {
          int v = in[j / 5];
          for (int64_t k = 0; k < j % 5; ++k) v /= 3;
          row[j] = q.row_scales[r] * static_cast<float>(v % 3 - 1);
        }
        break;
      case WeightFormat::kBinary:
        for (int64_t j = 0; j < q.cols; ++j) row[j] = ((in[j / 8] >> (j % 8)) & 1) ? q.row_scales[r] : -q.row_scales[r];
        break;
      case WeightFormat::kMxfp4: {
        const auto* blk = reinterpret_cast<const BlockMxfp4*>(in);
        for (int64_t b = 0; b < blocks; ++b) {
          const float s = e8m0_to_float(blk[b].e);
          for (int j = 0; j < 32; ++j) row[b * 32 + j] = s * e2m1_to_float(nibble(blk[b].qs, 32, j));
        }
        break;
      }
      case WeightFormat::kNvfp4: {
        const auto* blk = reinterpret_cast<const BlockNvfp4*>(in);
        for (int64_t b = 0; b < blocks; ++b) {
          const float s = e4m3_to_float(blk[b].s) * q.tensor_scale;
          for (int j = 0; j < 16; ++j) row[b * 16 + j] = s * e2m1_to_float(nibble(blk[b].qs, 16, j));
        }
        break;
      }
    }
    std::copy(row.begin(), row.begin() + q.cols, y + r * q.cols);
  }
}

double sqnr_db(const float* w, const float* w_hat, size_t n) {
  double s = 0, e = 0;
  for (size_t i = 0; i < n; ++i) {
    s += double(w[i]) * w[i];
    e += (double(w[i]) - w_hat[i]) * (double(w[i]) - w_hat[i]);
  }
  return e > 0 ? 10.0 * std::log10(s / e) : INFINITY;
}

}  // namespace nicodec::quant
