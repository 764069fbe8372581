// Adaptive-model rANS decoder on arbitrary bytes. Input: [count:u16][alphabet-1:u16][stream...].
#include <vector>

#include "entropy/adaptive_model.h"
#include "fuzz/fuzz_input.h"

using namespace nicodec::entropy;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nicodec::fuzz::Input in{data, size};
  const size_t n = in.take16();
  const uint32_t alphabet = uint32_t{in.take16()} + 1;
  std::vector<uint32_t> out(n);
  try {
    decode_adaptive(in.data, in.size, n, alphabet, out.data());
    for (uint32_t s : out)
      if (s >= alphabet) __builtin_trap();
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
