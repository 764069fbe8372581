// Splits a fuzzer's input into a few parameters and a payload.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nicodec::fuzz {

struct Input {
  const uint8_t* data;
  size_t size;
  // Takes one byte from the front (0 when empty).
  uint8_t take() {
    if (size == 0) return 0;
    --size;
    return *data++;
  }
  uint16_t take16() { return static_cast<uint16_t>(take() | (take() << 8)); }
};

}  // namespace nicodec::fuzz
