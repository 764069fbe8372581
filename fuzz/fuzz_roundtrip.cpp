// Encoders against decoders: symbols drawn from the input must come back exactly, through static tables
// (escapes included), adaptive models and CABAC.
#include <cstring>
#include <vector>

#include "entropy/adaptive_model.h"
#include "entropy/binarization.h"
#include "entropy/cdf_tables.h"
#include "entropy/distributions.h"
#include "fuzz/fuzz_input.h"

using namespace nicodec::entropy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<double> scales = make_scale_table();
  static const CdfTables tables = make_parametric_tables(Family::kLaplacian, scales);
  nicodec::fuzz::Input in{data, size};
  const uint32_t alphabet = uint32_t{in.take16()} + 1;
  std::vector<int32_t> v;
  std::vector<uint16_t> idx;
  std::vector<uint32_t> sym;
  while (in.size >= 4) {
    int32_t x;
    std::memcpy(&x, in.data, 4);
    in.data += 4;
    in.size -= 4;
    v.push_back((x & 0x100) ? x : (x >> 24));  // mostly small values, some huge
    idx.push_back(static_cast<uint16_t>(static_cast<uint32_t>(x) % scales.size()));
    sym.push_back(static_cast<uint32_t>(x) % alphabet);
  }
  auto bytes = encode_with_indexes(v.data(), idx.data(), v.size(), tables);
  std::vector<int32_t> out(v.size());
  decode_with_indexes(bytes.data(), bytes.size(), idx.data(), idx.size(), tables, out.data());
  if (out != v) __builtin_trap();

  auto abytes = encode_adaptive(sym.data(), sym.size(), alphabet);
  std::vector<uint32_t> aout(sym.size());
  decode_adaptive(abytes.data(), abytes.size(), aout.size(), alphabet, aout.data());
  if (aout != sym) __builtin_trap();

  CabacEncoder enc;
  SignedIntContexts ectx, dctx;
  for (int32_t x : v) encode_signed(enc, x, ectx);
  auto cbytes = enc.finish();
  CabacDecoder dec(cbytes.data(), cbytes.size());
  for (int32_t x : v)
    if (decode_signed(dec, dctx) != x) __builtin_trap();
  dec.finish();
  return 0;
}
