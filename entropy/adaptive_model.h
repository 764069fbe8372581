// Adaptive frequency model for rANS over alphabets of up to 65,536 symbols (VQ/RVQ codebook indices).
// Counts live in a Fenwick tree (O(log n) cumulative lookups and updates); each coded symbol adds
// `increment` to its count, and all counts are halved when the total passes `limit`, so the model follows
// slow changes in the statistics. The count interval is mapped onto a 2^24 rANS range with
// floor(c * 2^24 / total), which keeps every symbol's width >= 1 because total <= 2^24 (docs/entropy.md).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/rans.h"

namespace nicodec::entropy {

class AdaptiveModel {
 public:
  static constexpr uint32_t kScaleBits = 24;
  static constexpr uint32_t kMaxAlphabet = 1u << 16;

  // limit = 0 picks 2^22: long windows suit codebook indices, whose statistics barely drift. A smaller limit
  // forgets faster (halving happens every (limit / 2) / increment symbols).
  explicit AdaptiveModel(uint32_t alphabet_size, uint32_t increment = 32, uint32_t limit = 0);

  uint32_t alphabet_size() const { return n_; }
  void encode(RansEncoder& enc, uint32_t symbol);  // throws UsageError if symbol >= alphabet_size
  uint32_t decode(RansDecoder& dec);
  // Probability the model currently gives `symbol` (for tests and rate estimates).
  double probability(uint32_t symbol) const;

 private:
  uint32_t prefix(uint32_t s) const;  // sum of counts of symbols < s
  uint32_t find(uint32_t t) const;    // the symbol s with prefix(s) <= t < prefix(s + 1)
  void update(uint32_t s);
  void rebuild();

  uint32_t n_, increment_, limit_, total_ = 0, top_bit_ = 1;
  std::vector<uint32_t> count_;
  std::vector<uint32_t> tree_;  // 1-based Fenwick tree over count_
};

// Codes a whole array with a fresh model (the encoder and decoder must use equal parameters).
std::vector<uint8_t> encode_adaptive(const uint32_t* symbols, size_t n, uint32_t alphabet_size);
void decode_adaptive(const uint8_t* data, size_t size, size_t n, uint32_t alphabet_size, uint32_t* out);

}  // namespace nicodec::entropy
