#include "quant/layers/int8_vnni.h"

#include <ATen/Parallel.h>
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

// The kernels carry their instruction set in a target attribute instead of a compiler flag for the whole file,
// so nothing else here (inline library code included) is compiled for AVX-512.
#define NICODEC_AVX512_VNNI __attribute__((target("avx512f,avx512vnni")))
// GCC 12's AVX-512 intrinsics start some results from _mm512_undefined_*, which -Wmaybe-uninitialized reports.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace nicodec::quant {

namespace {

constexpr int kZeroPoint = 128;
constexpr int kBlock = 8;       // output channels per tile
constexpr int kLanes = 16;      // pixels per register
constexpr int kMaxVectors = 3;  // registers of pixels per tile: 8 x 3 accumulators

int round_up(int v, int m) { return (v + m - 1) / m * m; }

// What one tile needs; plain data so the kernels take no library types.
struct TileArgs {
  const uint8_t* data;
  int64_t row_bytes, group_bytes;  // one padded input row (all channel groups); one channel group of a row
  int kh, kw, c4, out, out_blocks, w;
  int64_t plane;  // h * w
  const int32_t* weights;
  const int32_t* zero_point_sum;
  const float* mul;
  const float* bias;
  float inv_out_scale, out_scale;
  int32_t* acc;  // raw int32 sums, or null
  float* y;      // requantized output, or null
};

// The epilogue shared by both kernels: int32 sums (zero point removed) -> output steps, as floats.
NICODEC_AVX512_VNNI __m512 requantize(__m512i sum, __m512 mul, __m512 bias, float inv_out_scale, float out_scale) {
  const __m512 y = _mm512_fmadd_ps(_mm512_cvtepi32_ps(sum), mul, bias);
  __m512 q = _mm512_roundscale_ps(_mm512_mul_ps(y, _mm512_set1_ps(inv_out_scale)),
                                  _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  q = _mm512_min_ps(_mm512_max_ps(q, _mm512_set1_ps(-kZeroPoint)), _mm512_set1_ps(kZeroPoint - 1));
  return _mm512_mul_ps(q, _mm512_set1_ps(out_scale));
}

__mmask16 lane_mask(int n) {
  return n >= kLanes ? __mmask16(0xFFFF) : static_cast<__mmask16>((1u << std::max(n, 0)) - 1u);
}

template <int NV>
NICODEC_AVX512_VNNI void tile_kernel(const TileArgs& a, int cb, int oy, int x0, int valid) {
  const int taps = a.kh * a.kw;
  __m512i s[kBlock][NV];
#pragma GCC unroll 8
  for (int j = 0; j < kBlock; ++j)
#pragma GCC unroll 3
    for (int i = 0; i < NV; ++i) s[j][i] = _mm512_setzero_si512();
  const int32_t* wp = a.weights + static_cast<int64_t>(cb) * taps * a.c4 * kBlock;
  for (int ky = 0; ky < a.kh; ++ky)
    for (int kx = 0; kx < a.kw; ++kx) {
      const uint8_t* a0 = a.data + (oy + ky) * a.row_bytes + static_cast<int64_t>(x0 + kx) * 4;
      for (int g = 0; g < a.c4; ++g, wp += kBlock) {
        const uint8_t* p = a0 + g * a.group_bytes;
        __m512i v[NV];
#pragma GCC unroll 3
        for (int i = 0; i < NV; ++i) v[i] = _mm512_loadu_si512(p + 64 * i);
#pragma GCC unroll 8
        for (int j = 0; j < kBlock; ++j) {
          const __m512i b = _mm512_set1_epi32(wp[j]);
#pragma GCC unroll 3
          for (int i = 0; i < NV; ++i) s[j][i] = _mm512_dpbusd_epi32(s[j][i], v[i], b);
        }
      }
    }
  const int c0 = cb * kBlock;
#pragma GCC unroll 8
  for (int j = 0; j < kBlock; ++j) {
    const int c = c0 + j;
    if (c >= a.out) break;
    const __m512i zp = _mm512_set1_epi32(a.zero_point_sum[c]);
    const __m512 mul = _mm512_set1_ps(a.mul[c]), bias = _mm512_set1_ps(a.bias[c]);
#pragma GCC unroll 3
    for (int i = 0; i < NV; ++i) {
      const __mmask16 m = lane_mask(valid - kLanes * i);
      const int64_t pix = static_cast<int64_t>(oy) * a.w + x0 + kLanes * i;
      const __m512i sum = _mm512_sub_epi32(s[j][i], zp);
      if (a.acc) {
        _mm512_mask_storeu_epi32(a.acc + c * a.plane + pix, m, sum);
        continue;
      }
      _mm512_mask_storeu_ps(a.y + c * a.plane + pix, m,
                            requantize(sum, mul, bias, a.inv_out_scale, a.out_scale));
    }
  }
}

// 16 floats -> 16 uint8 steps around the zero point, rounded half to even, saturated; as int32 lanes.
NICODEC_AVX512_VNNI __m512i quantize16(const float* x, __mmask16 m, float in_scale) {
  const __m512 f = _mm512_div_ps(_mm512_maskz_loadu_ps(m, x), _mm512_set1_ps(in_scale));
  __m512 r = _mm512_add_ps(_mm512_roundscale_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC),
                           _mm512_set1_ps(kZeroPoint));
  r = _mm512_min_ps(_mm512_max_ps(r, _mm512_setzero_ps()), _mm512_set1_ps(255));
  return _mm512_cvtps_epi32(r);
}

// One input row of planes [in][h][w] into the packed row: four channels' uint8 per 32-bit lane.
NICODEC_AVX512_VNNI void pack_plane_row(const float* x, int in, int64_t plane, int w, float in_scale,
                                        uint8_t* dst, int64_t group_bytes, int c4) {
  for (int g = 0; g < c4; ++g)
    for (int x0 = 0; x0 < w; x0 += kLanes) {
      const __mmask16 m = lane_mask(w - x0);
      __m512i word = _mm512_setzero_si512();
      for (int b = 0; b < 4; ++b) {
        const int c = 4 * g + b;
        const __m512i q = c < in ? quantize16(x + c * plane + x0, m, in_scale) : _mm512_set1_epi32(kZeroPoint);
        word = _mm512_or_si512(word, _mm512_slli_epi32(q, static_cast<unsigned>(8 * b)));
      }
      _mm512_mask_storeu_epi32(dst + g * group_bytes + static_cast<int64_t>(x0) * 4, m, word);
    }
}

// One row of a [rows][in] matrix to uint8 steps; dst holds in rounded up to 16 (the lanes past `in` load as 0.0
// and become the zero point).
NICODEC_AVX512_VNNI void quantize_row(const float* x, int in, float in_scale, uint8_t* dst) {
  for (int c0 = 0; c0 < in; c0 += kLanes)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + c0),
                     _mm512_cvtepi32_epi8(quantize16(x + c0, lane_mask(in - c0), in_scale)));
}

// Linear: the other orientation, so that rows of the output are stored whole. A register holds 16 output
// channels x 4 inputs of the weights ([out/32][in/4][32] groups of four int8); each row's four uint8 inputs
// are broadcast against it. Tile: kRows rows x 32 channels, 24 accumulators.
constexpr int kRows = 12;
constexpr int kLinearBlock = 32;

struct RowArgs {
  const uint8_t* x;  // [rows padded to kRows][in padded to 4] uint8
  int64_t x_stride;
  int c4, out, out_blocks, rows;
  const int32_t* weights;
  const int32_t* zero_point_sum;
  const float* mul;
  const float* bias;
  float inv_out_scale, out_scale;
  float* y;  // [rows][out]
};

NICODEC_AVX512_VNNI void row_tile_kernel(const RowArgs& a, int r0) {
  for (int cb = 0; cb < a.out_blocks; ++cb) {
    __m512i s[kRows][2];
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r) s[r][0] = s[r][1] = _mm512_setzero_si512();
    const int32_t* wp = a.weights + static_cast<int64_t>(cb) * a.c4 * kLinearBlock;
    const uint8_t* xr = a.x + r0 * a.x_stride;
    for (int g = 0; g < a.c4; ++g, wp += kLinearBlock) {
      const __m512i w0 = _mm512_loadu_si512(wp), w1 = _mm512_loadu_si512(wp + kLanes);
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        int32_t four;
        std::memcpy(&four, xr + r * a.x_stride + 4 * g, 4);
        const __m512i b = _mm512_set1_epi32(four);
        s[r][0] = _mm512_dpbusd_epi32(s[r][0], b, w0);
        s[r][1] = _mm512_dpbusd_epi32(s[r][1], b, w1);
      }
    }
    const int c0 = cb * kLinearBlock;
#pragma GCC unroll 2
    for (int i = 0; i < 2; ++i) {
      const int c = c0 + kLanes * i;
      const __mmask16 m = lane_mask(a.out - c);
      const __m512i zp = _mm512_loadu_si512(a.zero_point_sum + c);
      const __m512 mul = _mm512_loadu_ps(a.mul + c), bias = _mm512_loadu_ps(a.bias + c);
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        if (r0 + r >= a.rows) break;
        _mm512_mask_storeu_ps(a.y + static_cast<int64_t>(r0 + r) * a.out + c, m,
                              requantize(_mm512_sub_epi32(s[r][i], zp), mul, bias, a.inv_out_scale, a.out_scale));
      }
    }
  }
}

}  // namespace

struct Int8VnniConv::Packed {
  std::vector<uint8_t> data;
  int h = 0, w = 0;  // output size
  int64_t row_bytes = 0, group_bytes = 0;
};

bool Int8VnniConv::cpu_supported() {
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vnni");
}

Int8VnniConv::Int8VnniConv(const int8_t* weight, const float* weight_scale, const float* bias, int out, int in,
                           int kh, int kw, float in_scale, float out_scale)
    : out_(out), in_(in), kh_(kh), kw_(kw), c4_((in + 3) / 4), out_blocks_((out + kBlock - 1) / kBlock),
      in_scale_(in_scale), out_scale_(out_scale), inv_out_scale_(1.0f / out_scale) {
  if (out < 1 || in < 1 || kh < 1 || kw < 1 || kh % 2 == 0 || kw % 2 == 0)
    throw UsageError("Int8VnniConv: needs positive sizes and odd kernels");
  if (static_cast<int64_t>(in) * kh * kw > 66000) throw UsageError("Int8VnniConv: too many inputs per output for int32");
  if (!(in_scale > 0) || !(out_scale > 0)) throw UsageError("Int8VnniConv: scales must be positive");
  const int taps = kh * kw;
  weight_.assign(weight, weight + static_cast<int64_t>(out) * in * taps);
  weights_.assign(static_cast<size_t>(out_blocks_) * taps * c4_ * kBlock, 0);
  zero_point_sum_.assign(static_cast<size_t>(round_up(out, kLinearBlock)), 0);
  if (taps == 1) row_weights_.assign(static_cast<size_t>(round_up(out, kLinearBlock)) * c4_, 0);
  mul_.assign(zero_point_sum_.size(), 0.0f);
  bias_.assign(zero_point_sum_.size(), 0.0f);
  for (int c = 0; c < out; ++c) {
    int32_t sum = 0;
    for (int ci = 0; ci < in; ++ci)
      for (int t = 0; t < taps; ++t) {
        const int8_t v = weight[(static_cast<int64_t>(c) * in + ci) * taps + t];
        if (v < -127) throw UsageError("Int8VnniConv: weights must lie in [-127, 127]");
        sum += v;
        const size_t slot = ((static_cast<size_t>(c / kBlock) * taps + t) * c4_ + ci / 4) * kBlock + c % kBlock;
        const uint32_t byte = static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * (ci % 4));
        weights_[slot] = static_cast<int32_t>(static_cast<uint32_t>(weights_[slot]) | byte);
        if (taps == 1) {  // Linear's layout: [out/32][in/4][32]
          const size_t r = (static_cast<size_t>(c / kLinearBlock) * c4_ + ci / 4) * kLinearBlock + c % kLinearBlock;
          row_weights_[r] = static_cast<int32_t>(static_cast<uint32_t>(row_weights_[r]) | byte);
        }
      }
    zero_point_sum_[static_cast<size_t>(c)] = kZeroPoint * sum;
    mul_[static_cast<size_t>(c)] = weight_scale[c] * in_scale;
    bias_[static_cast<size_t>(c)] = bias ? bias[c] : 0.0f;
  }
}

Int8VnniConv::Packed Int8VnniConv::empty_planes(int h, int w) const {
  Packed p;
  p.h = h;
  p.w = w;
  // Rows of 16-pixel loads may start anywhere up to the last output pixel + kw - 1.
  p.group_bytes = static_cast<int64_t>(round_up(w, kLanes) + kw_ - 1) * 4;
  p.row_bytes = p.group_bytes * c4_;
  p.data.assign(static_cast<size_t>(p.row_bytes) * static_cast<size_t>(h + kh_ - 1), kZeroPoint);
  return p;
}

Int8VnniConv::Packed Int8VnniConv::pack_planes_u8(const uint8_t* xq, int h, int w) const {
  Packed p = empty_planes(h, w);
  for (int c = 0; c < in_; ++c)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x)
        p.data[static_cast<size_t>((y + kh_ / 2) * p.row_bytes + (c / 4) * p.group_bytes + (x + kw_ / 2) * 4 + c % 4)] =
            xq[(static_cast<int64_t>(c) * h + y) * w + x];
  return p;
}

Int8VnniConv::Packed Int8VnniConv::pack_planes(const float* x, int h, int w) const {
  Packed p = empty_planes(h, w);
  const int64_t plane = static_cast<int64_t>(h) * w;
  at::parallel_for(0, h, 8, [&](int64_t y0, int64_t y1) {
    for (int64_t y = y0; y < y1; ++y)
      pack_plane_row(x + y * w, in_, plane, w, in_scale_,
                     p.data.data() + (y + kh_ / 2) * p.row_bytes + (kw_ / 2) * 4, p.group_bytes, c4_);
  });
  return p;
}

void Int8VnniConv::run(const Packed& p, int32_t* acc, float* y) const {
  TileArgs a{p.data.data(), p.row_bytes, p.group_bytes, kh_, kw_, c4_, out_, out_blocks_, p.w,
             static_cast<int64_t>(p.h) * p.w, weights_.data(), zero_point_sum_.data(), mul_.data(), bias_.data(),
             inv_out_scale_, out_scale_, acc, y};
  // Work unit: one output row for a group of 8 channel blocks (so a single row, Conv1d, still splits across
  // threads), swept block by block along the row: one block's weights stay in L1 over the row.
  const int span = kLanes * kMaxVectors;
  constexpr int kBlocksPerUnit = 8;
  const int groups = (out_blocks_ + kBlocksPerUnit - 1) / kBlocksPerUnit;
  at::parallel_for(0, static_cast<int64_t>(p.h) * groups, 1, [&](int64_t u0, int64_t u1) {
    for (int64_t u = u0; u < u1; ++u) {
      const int oy = static_cast<int>(u / groups), g = static_cast<int>(u % groups);
      for (int cb = g * kBlocksPerUnit; cb < std::min(out_blocks_, (g + 1) * kBlocksPerUnit); ++cb)
        for (int x0 = 0; x0 < p.w; x0 += span) {
          const int valid = std::min(span, p.w - x0);
          switch ((valid + kLanes - 1) / kLanes) {
            case 1: tile_kernel<1>(a, cb, oy, x0, valid); break;
            case 2: tile_kernel<2>(a, cb, oy, x0, valid); break;
            default: tile_kernel<3>(a, cb, oy, x0, valid); break;
          }
        }
    }
  });
}

void Int8VnniConv::forward_planes(const float* x, int h, int w, float* y) const {
  if (!cpu_supported()) throw UsageError("Int8VnniConv: this CPU has no AVX-512 VNNI");
  run(pack_planes(x, h, w), nullptr, y);
}

void Int8VnniConv::forward_rows(const float* x, int rows, float* y) const {
  if (!cpu_supported()) throw UsageError("Int8VnniConv: this CPU has no AVX-512 VNNI");
  if (row_weights_.empty()) throw UsageError("Int8VnniConv: forward_rows needs a 1x1 kernel (Linear)");
  const int64_t stride = round_up(in_, kLanes);
  std::vector<uint8_t> xq(static_cast<size_t>((rows + kRows - 1) / kRows * kRows * stride), kZeroPoint);
  at::parallel_for(0, rows, 64, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) quantize_row(x + r * in_, in_, in_scale_, xq.data() + r * stride);
  });
  const int row_blocks = static_cast<int>(row_weights_.size() / (static_cast<size_t>(c4_) * kLinearBlock));
  RowArgs a{xq.data(), stride, c4_, out_, row_blocks, rows, row_weights_.data(), zero_point_sum_.data(),
            mul_.data(), bias_.data(), inv_out_scale_, out_scale_, y};
  at::parallel_for(0, (rows + kRows - 1) / kRows, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) row_tile_kernel(a, static_cast<int>(t) * kRows);
  });
}

void Int8VnniConv::accumulate(const uint8_t* xq, int h, int w, int32_t* acc) const {
  if (!cpu_supported()) throw UsageError("Int8VnniConv: this CPU has no AVX-512 VNNI");
  run(pack_planes_u8(xq, h, w), acc, nullptr);
}

void Int8VnniConv::accumulate_reference(const uint8_t* xq, int h, int w, int32_t* acc) const {
  const int ph = kh_ / 2, pw = kw_ / 2;
  for (int c = 0; c < out_; ++c)
    for (int oy = 0; oy < h; ++oy)
      for (int ox = 0; ox < w; ++ox) {
        int32_t sum = 0;
        for (int ci = 0; ci < in_; ++ci)
          for (int ky = 0; ky < kh_; ++ky)
            for (int kx = 0; kx < kw_; ++kx) {
              const int iy = oy + ky - ph, ix = ox + kx - pw;
              if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;  // padding: the zero point, adds nothing
              const int v = xq[(static_cast<int64_t>(ci) * h + iy) * w + ix] - kZeroPoint;
              sum += v * weight_[((static_cast<int64_t>(c) * in_ + ci) * kh_ + ky) * kw_ + kx];
            }
        acc[(static_cast<int64_t>(c) * h + oy) * w + ox] = sum;
      }
}

}  // namespace nicodec::quant
