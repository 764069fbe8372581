// Static, integer CDF tables for rANS (16-bit precision), each over a contiguous value range plus one escape
// symbol, so any int32 value is codable: values inside the range cost what the table says, values outside it
// cost the escape symbol plus an Elias-gamma code of the distance (raw bits).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "entropy/rans.h"

namespace nicodec::entropy {

class CdfTables {
 public:
  static constexpr uint32_t kScaleBits = 16;
  static constexpr uint32_t kTotal = 1u << kScaleBits;
  static constexpr uint32_t kMaxValues = 1u << 14;  // values per table, escape excluded
  static constexpr uint32_t kHintBits = 10;         // decode hint: first symbol of each 2^-10 slice

  // Adds a table for values offset .. offset + pmf.size() - 1 from their probabilities; the mass missing from
  // the pmf (1 - sum) goes to the escape symbol. Every symbol gets a nonzero frequency. Returns its index.
  size_t add_pmf(const std::vector<double>& pmf, int32_t offset);
  // Adds a table from a quantized CDF: cdf.size() = values + 2 (the escape symbol is last), cdf[0] = 0,
  // strictly increasing, cdf.back() = kTotal. Throws UsageError otherwise.
  size_t add_cdf(const std::vector<uint32_t>& cdf, int32_t offset);

  size_t size() const { return tables_.size(); }
  int32_t offset(size_t t) const { return tables_[t].offset; }
  uint32_t num_values(size_t t) const { return tables_[t].n - 1; }
  // CDF of table t (num_values + 2 entries).
  const uint32_t* cdf(size_t t) const { return &cdf_[tables_[t].cdf_begin]; }

  // What coding `value` with table t costs, in bits (escape and its raw bits included): for encoder-side
  // choices (which table to signal, rate-distortion decisions) without running the coder.
  double cost_bits(size_t t, int32_t value) const;

  // Codes one value with table t (escape included). Callers normally use encode_with_indexes instead.
  void encode(RansEncoder& enc, size_t t, int32_t value) const;
  int32_t decode(RansDecoder& dec, size_t t) const;

 private:
  struct Table {
    int32_t offset;
    uint32_t n;  // symbols, escape included
    size_t cdf_begin;
    size_t hint_begin;
  };
  std::vector<Table> tables_;
  std::vector<uint32_t> cdf_;
  std::vector<uint16_t> hint_;
};

// Quantizes probabilities into frequencies summing to `total`, each >= 1 (largest-remainder rounding;
// deterministic for identical inputs). Requires probs.size() <= total.
std::vector<uint32_t> quantize_pmf(const std::vector<double>& probs, uint32_t total);

// The whole-tensor API a codec uses: values[i] coded with table indexes[i].
std::vector<uint8_t> encode_with_indexes(const int32_t* values, const uint16_t* indexes, size_t n,
                                         const CdfTables& tables);
// Throws FormatError on a corrupted or truncated stream, UsageError on an index out of range.
void decode_with_indexes(const uint8_t* data, size_t size, const uint16_t* indexes, size_t n,
                         const CdfTables& tables, int32_t* out);

}  // namespace nicodec::entropy
