// Int8 convolution and matrix product on AVX-512 VNNI, the fast path of Int8Layer where the CPU has it.
//
// Why this shape: vpdpbusd multiplies 64 uint8 activations by 64 int8 weights and adds them, four at a time,
// into 16 int32 lanes: four times the multiply-adds of an fp32 FMA of the same width. To feed it without an
// im2col copy, activations are stored as [row][in/4][x][4] (four input channels of one pixel in a 32-bit lane),
// so for every kernel tap the inputs of 16 neighbouring output pixels are one unaligned 64-byte load; weights as
// [out/8][tap][in/4][8][4], each 32-bit group broadcast against those loads. A tile of 8 output channels x 48
// pixels keeps 24 accumulators in registers. Sums are exact int32 (|w| <= 127, x <= 255: up to 66,000 inputs
// per output); the epilogue removes the zero point (128 * sum of the weights), scales, adds the bias and rounds
// to the output step with saturation, the arithmetic of Int8Layer::forward_reference.
//
// Covers what our decoders use: Conv1d / Conv2d with stride 1 and 'same' zero padding (odd kernels, padding
// k/2) and Linear. Linear runs in the other orientation (16 output channels per register, each row's inputs
// broadcast) so that output rows are stored whole. Plain C++ interface; threads through libtorch's intra-op pool.
#pragma once
#include <cstdint>
#include <vector>

namespace nicodec::quant {

class Int8VnniConv {
 public:
  // True when this CPU executes AVX-512 F + VNNI (checked at run time; the kernels are compiled for it with
  // function target attributes, so the binary still runs everywhere).
  static bool cpu_supported();

  // weight: int8 [out][in][kh][kw] (Linear: kh = kw = 1), values in [-127, 127]; weight_scale, bias: per output
  // channel; in_scale / out_scale: one activation step (uint8, zero point 128) in real units.
  Int8VnniConv(const int8_t* weight, const float* weight_scale, const float* bias, int out, int in, int kh, int kw,
               float in_scale, float out_scale);

  // Convolution of one picture: x float [in][h][w] -> y float [out][h][w] (stride 1, zero padding kh/2, kw/2).
  void forward_planes(const float* x, int h, int w, float* y) const;
  // Linear: x float [rows][in] -> y float [rows][out].
  void forward_rows(const float* x, int rows, float* y) const;

  // The integer core, for tests: xq uint8 [in][h][w] (zero point 128, padding counts as 128) -> acc int32
  // [out][h][w] = sum of w * (xq - 128). accumulate() runs the kernel; accumulate_reference() plain loops.
  void accumulate(const uint8_t* xq, int h, int w, int32_t* acc) const;
  void accumulate_reference(const uint8_t* xq, int h, int w, int32_t* acc) const;

  int out() const { return out_; }
  int in() const { return in_; }

 private:
  struct Packed;  // activations in the kernel's layout, with their geometry
  Packed empty_planes(int h, int w) const;  // every byte the zero point (the padding)
  Packed pack_planes_u8(const uint8_t* xq, int h, int w) const;
  Packed pack_planes(const float* x, int h, int w) const;
  // Runs every tile of p: int32 sums to acc (when not null), else the requantized output to y; [out][h][w].
  void run(const Packed& p, int32_t* acc, float* y) const;

  int out_, in_, kh_, kw_, c4_, out_blocks_;
  std::vector<int32_t> weights_;      // [out/8][tap][in/4][8] groups of four int8
  std::vector<int32_t> row_weights_;  // 1x1 kernels only: [out/32][in/4][32], for forward_rows
  std::vector<int32_t> zero_point_sum_;   // 128 * sum of each output channel's weights
  std::vector<float> mul_, bias_;         // weight_scale * in_scale, bias (padded to 32 channels)
  std::vector<int8_t> weight_;            // [out][in][kh][kw], for the reference
  float in_scale_ = 1.0f, out_scale_, inv_out_scale_;
};

}  // namespace nicodec::quant
