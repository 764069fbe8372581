// Small floating-point formats used by quantized weights, as scalar reference conversions.
// All encoders round to nearest, ties to even, and saturate instead of overflowing (fp16 goes to inf).
//   fp16  IEEE 754 binary16 (1-5-10, bias 15)                 block scales of the int4 formats
//   E4M3  OCP FP8 E4M3FN (1-4-3, bias 7, max 448, no inf)     NVFP4 block scales
//   E8M0  OCP MX scale (8-bit biased exponent, 2^(e-127))     MXFP4 block scales
//   E2M1  OCP FP4 (1-2-1, bias 1): 0, 0.5, 1, 1.5, 2, 3, 4, 6 MXFP4 / NVFP4 elements
#pragma once
#include <cstdint>

namespace nicodec::quant {

uint16_t fp16_from_float(float f);
float fp16_to_float(uint16_t h);

uint8_t e4m3_from_float(float f);  // |f| > 448 saturates to 448; NaN is not produced
float e4m3_to_float(uint8_t code);

uint8_t e8m0_from_exponent(int e);  // 2^e, e clamped to [-127, 127]
float e8m0_to_float(uint8_t code);  // code 255 (NaN in the spec) is never written by us; reads as NaN

uint8_t e2m1_from_float(float f);  // 4-bit code: sign << 3 | magnitude index; |f| > 6 saturates
float e2m1_to_float(uint8_t code);

}  // namespace nicodec::quant
