// CABAC decoder and every binarization on arbitrary bytes. Input: [count:u16][stream...]; the op sequence is
// fixed by the count so the fuzzer explores the stream bytes.
#include "entropy/binarization.h"
#include "fuzz/fuzz_input.h"

using namespace nicodec::entropy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nicodec::fuzz::Input in{data, size};
  const size_t n = in.take16();
  try {
    CabacDecoder dec(in.data, in.size);
    BinContext ctx[4];
    SignedIntContexts sctx;
    SignedGammaContexts gctx;
    for (size_t i = 0; i < n; ++i) {
      switch (i % 8) {
        case 0: dec.decode(ctx[i % 4]); break;
        case 1: dec.decode_bypass(static_cast<int>(i % 33)); break;
        case 2: decode_truncated_unary(dec, 12, ctx, 4); break;
        case 3: decode_exp_golomb(dec, static_cast<int>(i % 8)); break;
        case 4: decode_signed(dec, sctx); break;
        case 5: decode_fixed_length(dec, static_cast<int>(i % 33)); break;
        case 6: dec.decode_terminate(); break;
        case 7: decode_signed_gamma(dec, ctx[i % 4], gctx); break;
      }
    }
    dec.finish();
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
