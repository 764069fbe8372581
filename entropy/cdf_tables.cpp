#include "entropy/cdf_tables.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace nicodec::entropy {
namespace {

// Escape payload: the distance outside the table range, zigzagged by side, as Elias-gamma with raw bits:
// 6 bits of length, then the bits below the leading one. Values here are at most 2^33.
void put_escape(RansEncoder& enc, int32_t value, int32_t lo, int32_t hi) {
  uint64_t u = value > hi ? (uint64_t(int64_t{value} - hi - 1) << 1) : ((uint64_t(int64_t{lo} - value - 1) << 1) | 1);
  uint64_t v = u + 1;
  uint32_t nb = 63 - static_cast<uint32_t>(__builtin_clzll(v));
  enc.put_bits(nb, 6);
  for (uint32_t done = 0; done < nb; done += 16) {
    uint32_t k = std::min<uint32_t>(16, nb - done);
    enc.put_bits(static_cast<uint32_t>(v >> done), k);
  }
}

int32_t get_escape(RansDecoder& dec, int32_t lo, int32_t hi) {
  uint32_t nb = dec.get_bits(6);
  if (nb > 33) throw FormatError("rANS stream corrupted: escape length " + std::to_string(nb));
  uint64_t v = uint64_t{1} << nb;
  for (uint32_t done = 0; done < nb; done += 16) {
    uint32_t k = std::min<uint32_t>(16, nb - done);
    v |= uint64_t{dec.get_bits(k)} << done;
  }
  uint64_t u = v - 1;
  int64_t d = static_cast<int64_t>(u >> 1);
  int64_t value = (u & 1) ? int64_t{lo} - 1 - d : int64_t{hi} + 1 + d;
  if (value < INT32_MIN || value > INT32_MAX) throw FormatError("rANS stream corrupted: escaped value overflows");
  return static_cast<int32_t>(value);
}

}  // namespace

std::vector<uint32_t> quantize_pmf(const std::vector<double>& probs, uint32_t total) {
  const size_t n = probs.size();
  if (n == 0 || n > total) throw UsageError("quantize_pmf: need 1..total symbols");
  double sum = 0;
  for (double p : probs) {
    if (!(p >= 0) || !std::isfinite(p)) throw UsageError("quantize_pmf: probabilities must be finite and >= 0");
    sum += p;
  }
  std::vector<uint32_t> f(n, 1);
  if (!(sum > 0)) {  // no information: uniform
    for (size_t i = 0; i < total - n; ++i) f[i % n]++;
    return f;
  }
  const double spare = static_cast<double>(total - n);  // every symbol keeps 1, the rest is shared
  std::vector<double> rem(n);
  uint64_t used = n;
  for (size_t i = 0; i < n; ++i) {
    double share = probs[i] / sum * spare;
    double fl = std::floor(share);
    f[i] += static_cast<uint32_t>(fl);
    rem[i] = share - fl;
    used += static_cast<uint64_t>(fl);
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rem[a] > rem[b]; });
  for (size_t k = 0; used < total; ++k, ++used) f[order[k % n]]++;
  return f;
}

size_t CdfTables::add_pmf(const std::vector<double>& pmf, int32_t offset) {
  if (pmf.empty() || pmf.size() > kMaxValues)
    throw UsageError("CdfTables: a table needs 1.." + std::to_string(kMaxValues) + " values");
  std::vector<double> probs(pmf);
  double sum = std::accumulate(pmf.begin(), pmf.end(), 0.0);
  probs.push_back(std::max(0.0, 1.0 - sum));  // escape
  std::vector<uint32_t> f = quantize_pmf(probs, kTotal);
  std::vector<uint32_t> cdf(f.size() + 1, 0);
  for (size_t i = 0; i < f.size(); ++i) cdf[i + 1] = cdf[i] + f[i];
  return add_cdf(cdf, offset);
}

size_t CdfTables::add_cdf(const std::vector<uint32_t>& cdf, int32_t offset) {
  if (cdf.size() < 3 || cdf.size() - 2 > kMaxValues) throw UsageError("CdfTables: cdf needs 3.." + std::to_string(kMaxValues + 2) + " entries");
  if (cdf.front() != 0 || cdf.back() != kTotal) throw UsageError("CdfTables: cdf must run from 0 to 2^16");
  for (size_t i = 1; i < cdf.size(); ++i)
    if (cdf[i] <= cdf[i - 1]) throw UsageError("CdfTables: cdf must be strictly increasing");
  if (int64_t{offset} + int64_t(cdf.size()) - 2 > INT32_MAX) throw UsageError("CdfTables: range overflows int32");
  Table t{offset, static_cast<uint32_t>(cdf.size() - 1), cdf_.size(), hint_.size()};
  cdf_.insert(cdf_.end(), cdf.begin(), cdf.end());
  const uint32_t slices = 1u << kHintBits, shift = kScaleBits - kHintBits;
  uint32_t s = 0;
  for (uint32_t h = 0; h < slices; ++h) {
    while (cdf[s + 1] <= (h << shift)) ++s;
    hint_.push_back(static_cast<uint16_t>(s));
  }
  tables_.push_back(t);
  return tables_.size() - 1;
}

double CdfTables::cost_bits(size_t ti, int32_t value) const {
  const Table& t = tables_[ti];
  const uint32_t* c = &cdf_[t.cdf_begin];
  const int64_t sym = int64_t{value} - t.offset;
  const uint32_t esc = t.n - 1;
  if (sym >= 0 && sym < esc) return kScaleBits - std::log2(static_cast<double>(c[sym + 1] - c[sym]));
  const int32_t lo = t.offset, hi = t.offset + static_cast<int32_t>(esc) - 1;
  const uint64_t u = value > hi ? (uint64_t(int64_t{value} - hi - 1) << 1) : ((uint64_t(int64_t{lo} - value - 1) << 1) | 1);
  const uint32_t nb = 63 - static_cast<uint32_t>(__builtin_clzll(u + 1));
  return kScaleBits - std::log2(static_cast<double>(c[esc + 1] - c[esc])) + 6 + nb;
}

void CdfTables::encode(RansEncoder& enc, size_t ti, int32_t value) const {
  const Table& t = tables_[ti];
  const uint32_t* c = &cdf_[t.cdf_begin];
  const int64_t sym = int64_t{value} - t.offset;
  const uint32_t esc = t.n - 1;
  if (sym >= 0 && sym < esc) {
    enc.put(c[sym], c[sym + 1] - c[sym], kScaleBits);
  } else {
    enc.put(c[esc], c[esc + 1] - c[esc], kScaleBits);
    put_escape(enc, value, t.offset, t.offset + static_cast<int32_t>(esc) - 1);
  }
}

int32_t CdfTables::decode(RansDecoder& dec, size_t ti) const {
  const Table& t = tables_[ti];
  const uint32_t* c = &cdf_[t.cdf_begin];
  const uint32_t slot = dec.peek(kScaleBits);
  uint32_t s = hint_[t.hint_begin + (slot >> (kScaleBits - kHintBits))];
  while (c[s + 1] <= slot) ++s;  // terminates: c[n] = 2^16 > slot
  dec.advance(c[s], c[s + 1] - c[s], kScaleBits);
  const uint32_t esc = t.n - 1;
  if (s != esc) return t.offset + static_cast<int32_t>(s);
  return get_escape(dec, t.offset, t.offset + static_cast<int32_t>(esc) - 1);
}

std::vector<uint8_t> encode_with_indexes(const int32_t* values, const uint16_t* indexes, size_t n,
                                         const CdfTables& tables) {
  RansEncoder enc;
  for (size_t i = 0; i < n; ++i) {
    if (indexes[i] >= tables.size()) throw UsageError("encode_with_indexes: table index out of range");
    tables.encode(enc, indexes[i], values[i]);
  }
  return enc.finish();
}

void decode_with_indexes(const uint8_t* data, size_t size, const uint16_t* indexes, size_t n,
                         const CdfTables& tables, int32_t* out) {
  RansDecoder dec(data, size);
  for (size_t i = 0; i < n; ++i) {
    if (indexes[i] >= tables.size()) throw UsageError("decode_with_indexes: table index out of range");
    out[i] = tables.decode(dec, indexes[i]);
  }
  dec.finish();
}

}  // namespace nicodec::entropy
