// Model file parser (safetensors header and quantized-tensor metadata) on arbitrary bytes.
#include "core/error.h"
#include "quant/model_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nicodec::quant::ModelFile m = nicodec::quant::ModelFile::from_safetensors(data, size);
    for (const auto& name : m.names())
      if (m.is_quantized(name)) m.quantized(name);
  } catch (const nicodec::FormatError&) {
  }
  return 0;
}
