// Container parser on arbitrary bytes: it must return or throw FormatError, nothing else.
#include "core/container.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nicodec::Container c = nicodec::read_container(data, size);
    // What parsed must write back to the same bytes.
    if (nicodec::write_container(c) != std::vector<uint8_t>(data, data + size)) __builtin_trap();
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
