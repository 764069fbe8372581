// Block Hadamard rotation for weight quantization (as in QuaRot/QuIP#): an orthonormal transform spreads an
// outlier's energy over its block, so per-block scales fit the rest of the block better. Since H is symmetric
// and orthonormal, W x = (W H)(H x): rotate the weight rows offline and the activations at run time.
#pragma once
#include <cstdint>

namespace nicodec::quant {

// In-place fast Walsh-Hadamard transform, normalized by 1/sqrt(n) (so it is its own inverse). n = 2^k.
void hadamard_transform(float* x, int64_t n);
// Applies hadamard_transform to every consecutive block of `block` values in each row (cols % block == 0).
void hadamard_rotate_rows(float* w, int64_t rows, int64_t cols, int64_t block);

}  // namespace nicodec::quant
