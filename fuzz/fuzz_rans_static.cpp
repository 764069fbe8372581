// Static-table rANS decoder on arbitrary bytes. Input: [count:u16][table seed:u8][stream...].
#include <vector>

#include "entropy/cdf_tables.h"
#include "entropy/distributions.h"
#include "fuzz/fuzz_input.h"

using namespace nicodec::entropy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<double> scales = make_scale_table();
  static const CdfTables tables = make_parametric_tables(Family::kGaussian, scales);
  nicodec::fuzz::Input in{data, size};
  const size_t n = in.take16();
  const uint8_t seed = in.take();
  std::vector<uint16_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = static_cast<uint16_t>((i * 7 + seed) % scales.size());
  std::vector<int32_t> out(n);
  try {
    decode_with_indexes(in.data, in.size, idx.data(), n, tables, out.data());
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
