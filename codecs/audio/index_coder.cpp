#include "codecs/audio/index_coder.h"

#include <string>

#include "core/error.h"

namespace nicodec::codecs::audio {

IndexContexts::IndexContexts(const std::vector<std::vector<uint32_t>>& usage) {
  if (usage.empty()) throw UsageError("IndexContexts: no stages");
  size_ = static_cast<uint32_t>(usage[0].size());
  if (size_ < 2 || (size_ & (size_ - 1)) != 0) throw UsageError("IndexContexts: codebook size must be a power of two");
  while ((1u << bits_) < size_) ++bits_;
  for (const auto& u : usage) {
    if (u.size() != size_) throw UsageError("IndexContexts: stages differ in codebook size");
    // Subtree sums in heap order: leaves at [size, 2 size), node i = children 2i, 2i+1.
    std::vector<double> sum(2 * size_, 0.0);
    for (uint32_t k = 0; k < size_; ++k) sum[size_ + k] = static_cast<double>(u[k] < 1 ? 1 : u[k]);
    for (uint32_t i = size_ - 1; i >= 1; --i) sum[i] = sum[2 * i] + sum[2 * i + 1];
    std::vector<entropy::BinContext> nodes(size_);
    // Bin 1 = the upper half (child 2i + 1). Slow windows: the trained prior is already close.
    for (uint32_t i = 1; i < size_; ++i) nodes[i] = entropy::BinContext(6, 9, sum[2 * i + 1] / sum[i]);
    nodes_.push_back(std::move(nodes));
  }
}

void IndexContexts::encode(entropy::CabacEncoder& enc, size_t stage, uint32_t index) {
  if (index >= size_) throw UsageError("IndexContexts: index " + std::to_string(index) + " outside the codebook");
  auto& n = nodes_.at(stage);
  uint32_t node = 1;
  for (uint32_t b = bits_; b-- > 0;) {
    const uint32_t bin = (index >> b) & 1u;
    enc.encode(n[node], bin);
    node = 2 * node + bin;
  }
}

uint32_t IndexContexts::decode(entropy::CabacDecoder& dec, size_t stage) {
  auto& n = nodes_.at(stage);
  uint32_t node = 1;
  for (uint32_t b = 0; b < bits_; ++b) node = 2 * node + dec.decode(n[node]);
  return node - size_;
}

int64_t stages_of_frame(int64_t t, int64_t stages_x16) {
  return ((t + 1) * stages_x16) / 16 - (t * stages_x16) / 16;
}

std::vector<uint8_t> encode_indices(IndexContexts ctx, const std::vector<uint16_t>& indices, int64_t frames,
                                    int64_t max_stages, int64_t stages_x16) {
  entropy::CabacEncoder enc;
  for (int64_t t = 0; t < frames; ++t) {
    const int64_t n = stages_of_frame(t, stages_x16);
    for (int64_t s = 0; s < n; ++s) ctx.encode(enc, static_cast<size_t>(s), indices[static_cast<size_t>(t * max_stages + s)]);
  }
  return enc.finish();
}

}  // namespace nicodec::codecs::audio
