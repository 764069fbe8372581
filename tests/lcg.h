// Test helper: our own generator (not torch's or the standard library's), so synthetic networks and inputs
// are the same in every build, on every libtorch version.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace nicodec::testing {

struct Lcg {
  uint64_t s;
  int64_t next(int64_t lo, int64_t hi) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return lo + static_cast<int64_t>((s >> 33) % static_cast<uint64_t>(hi - lo + 1));
  }
  torch::Tensor tensor(std::vector<int64_t> shape, int64_t lo, int64_t hi) {
    auto t = torch::empty(shape, torch::kLong);
    auto* p = t.data_ptr<int64_t>();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = next(lo, hi);
    return t;
  }
};

}  // namespace nicodec::testing
