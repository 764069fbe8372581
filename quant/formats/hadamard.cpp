#include "quant/formats/hadamard.h"

#include <cmath>

#include "core/error.h"

namespace nicodec::quant {

void hadamard_transform(float* x, int64_t n) {
  if (n < 1 || (n & (n - 1))) throw UsageError("hadamard_transform: size must be a power of two");
  for (int64_t h = 1; h < n; h *= 2)
    for (int64_t i = 0; i < n; i += 2 * h)
      for (int64_t j = i; j < i + h; ++j) {
        const float a = x[j], b = x[j + h];
        x[j] = a + b;
        x[j + h] = a - b;
      }
  const float s = 1.0f / std::sqrt(static_cast<float>(n));
  for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

void hadamard_rotate_rows(float* w, int64_t rows, int64_t cols, int64_t block) {
  if (block < 1 || cols % block) throw UsageError("hadamard_rotate_rows: cols must be a multiple of the block");
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; c += block) hadamard_transform(w + r * cols + c, block);
}

}  // namespace nicodec::quant
