// vidcodec's motion-field decoder on arbitrary bytes, then what a decoder does with the field: compensation of a
// reference frame of that size. Input: [width-1:u8][height-1:u8][coding - 1:u8, low bit][stream...]. A field that decodes must also
// survive re-encoding unchanged (encode and decode agree on every field the decoder can produce).
#include <cstdlib>

#include "codecs/video/motion_field.h"
#include "core/error.h"
#include "fuzz/fuzz_input.h"

using namespace nicodec::codecs::video;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nicodec::fuzz::Input in{data, size};
  const int w = 1 + in.take(), h = 1 + in.take(), coding = 1 + (in.take() & 1);
  try {
    const MotionField f = decode_motion(in.data, in.size, w, h, coding);
    const auto bytes = encode_motion(f, coding);
    const MotionField g = decode_motion(bytes.data(), bytes.size(), w, h, coding);
    if (g.block != f.block || g.mv != f.mv) std::abort();
    nicodec::Image ref;
    ref.width = w, ref.height = h;
    ref.rgb.resize(static_cast<size_t>(w) * h * 3);
    for (size_t i = 0; i < ref.rgb.size(); ++i) ref.rgb[i] = static_cast<uint8_t>(i * 7);
    const nicodec::Image pred = compensate(ref, f);
    if (pred.width != w || pred.height != h || pred.rgb.size() != ref.rgb.size()) std::abort();
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
