#include "entropy/adaptive_model.h"

#include <algorithm>
#include <string>

#include "core/error.h"

namespace nicodec::entropy {

AdaptiveModel::AdaptiveModel(uint32_t alphabet_size, uint32_t increment, uint32_t limit)
    : n_(alphabet_size), increment_(increment), limit_(limit) {
  if (n_ < 1 || n_ > kMaxAlphabet)
    throw UsageError("AdaptiveModel: alphabet size must be 1.." + std::to_string(kMaxAlphabet));
  if (limit_ == 0) limit_ = 1u << 22;
  if (increment_ < 1 || limit_ > (1u << 22) || limit_ < 2 * n_ || increment_ > limit_ / 2)
    throw UsageError("AdaptiveModel: need 1 <= increment <= limit/2, 2*alphabet <= limit <= 2^22");
  while (top_bit_ * 2 <= n_) top_bit_ *= 2;
  count_.assign(n_, 1);
  rebuild();
}

void AdaptiveModel::rebuild() {
  tree_.assign(n_ + 1, 0);
  total_ = 0;
  for (uint32_t i = 0; i < n_; ++i) {
    total_ += count_[i];
    for (uint32_t j = i + 1; j <= n_; j += j & (~j + 1)) tree_[j] += count_[i];
  }
}

uint32_t AdaptiveModel::prefix(uint32_t s) const {
  uint32_t sum = 0;
  for (uint32_t j = s; j > 0; j -= j & (~j + 1)) sum += tree_[j];
  return sum;
}

uint32_t AdaptiveModel::find(uint32_t t) const {
  uint32_t pos = 0;
  for (uint32_t step = top_bit_; step; step >>= 1) {
    if (pos + step <= n_ && tree_[pos + step] <= t) {
      pos += step;
      t -= tree_[pos];
    }
  }
  return pos;  // 0-based symbol
}

void AdaptiveModel::update(uint32_t s) {
  count_[s] += increment_;
  total_ += increment_;
  if (total_ > limit_) {
    for (auto& c : count_) c = (c + 1) / 2;
    rebuild();
  } else {
    for (uint32_t j = s + 1; j <= n_; j += j & (~j + 1)) tree_[j] += increment_;
  }
}

double AdaptiveModel::probability(uint32_t symbol) const { return double(count_.at(symbol)) / total_; }

void AdaptiveModel::encode(RansEncoder& enc, uint32_t s) {
  if (s >= n_) throw UsageError("AdaptiveModel: symbol " + std::to_string(s) + " outside the alphabet of " + std::to_string(n_));
  const uint64_t lo = prefix(s), hi = lo + count_[s];
  const uint32_t a = static_cast<uint32_t>((lo << kScaleBits) / total_);
  const uint32_t b = static_cast<uint32_t>((hi << kScaleBits) / total_);
  enc.put(a, b - a, kScaleBits);
  update(s);
}

uint32_t AdaptiveModel::decode(RansDecoder& dec) {
  const uint64_t slot = dec.peek(kScaleBits);
  const uint32_t t = static_cast<uint32_t>(((slot + 1) * total_ - 1) >> kScaleBits);  // largest count position
  const uint32_t s = find(t);
  const uint64_t lo = prefix(s), hi = lo + count_[s];
  const uint32_t a = static_cast<uint32_t>((lo << kScaleBits) / total_);
  const uint32_t b = static_cast<uint32_t>((hi << kScaleBits) / total_);
  dec.advance(a, b - a, kScaleBits);
  update(s);
  return s;
}

std::vector<uint8_t> encode_adaptive(const uint32_t* symbols, size_t n, uint32_t alphabet_size) {
  AdaptiveModel model(alphabet_size);
  RansEncoder enc;
  for (size_t i = 0; i < n; ++i) model.encode(enc, symbols[i]);
  return enc.finish();
}

void decode_adaptive(const uint8_t* data, size_t size, size_t n, uint32_t alphabet_size, uint32_t* out) {
  AdaptiveModel model(alphabet_size);
  RansDecoder dec(data, size);
  for (size_t i = 0; i < n; ++i) out[i] = model.decode(dec);
  dec.finish();
}

}  // namespace nicodec::entropy
