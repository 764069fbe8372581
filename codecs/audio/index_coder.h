// Entropy coding of RVQ indices with the CABAC coder (entropy/cabac.h): each index is sent as its binary digits,
// most significant first, down a binary tree; every tree node of every stage has its own adaptive context,
// initialized from the code usage measured in training. So the coder starts from the trained distribution of
// each stage and then adapts to the file (what a per-stage adaptive frequency model does, but with ~4 bytes of
// termination instead of the rANS coder's 32 bytes of final state, which matters in files of a few hundred bytes).
#pragma once
#include <cstdint>
#include <vector>

#include "entropy/cabac.h"

namespace nicodec::codecs::audio {

class IndexContexts {
 public:
  // usage[stage][code], counts >= 1; the codebook size must be a power of two.
  explicit IndexContexts(const std::vector<std::vector<uint32_t>>& usage);
  void encode(entropy::CabacEncoder& enc, size_t stage, uint32_t index);
  uint32_t decode(entropy::CabacDecoder& dec, size_t stage);
  uint32_t codebook_size() const { return size_; }
  size_t stages() const { return nodes_.size(); }

 private:
  uint32_t size_ = 0, bits_ = 0;
  std::vector<std::vector<entropy::BinContext>> nodes_;  // [stage][node], node 1 = root (heap order)
};

// Stage count of frame t when the average is stages_x16 / 16: the fractional part spread evenly over the
// frames (Bresenham), so 6.5 stages means 6 and 7 alternating.
int64_t stages_of_frame(int64_t t, int64_t stages_x16);

// The whole index stream: frames x max_stages indices (row-major), each frame coding stages_of_frame() of them.
std::vector<uint8_t> encode_indices(IndexContexts ctx, const std::vector<uint16_t>& indices, int64_t frames,
                                    int64_t max_stages, int64_t stages_x16);

}  // namespace nicodec::codecs::audio
