#include "quant/quantize_model.h"

#include <cmath>
#include <cstring>

namespace nicodec::quant {

ModelFile quantize_model(const ModelFile& in, WeightFormat format, std::vector<TensorReport>* report) {
  ModelFile out;
  out.metadata = in.metadata;
  for (const std::string& name : in.names()) {
    const TensorData& t = in.raw(name);
    TensorReport r{name, t.shape, "f32", t.bytes.size(), t.bytes.size(), INFINITY};
    if (t.dtype == "F32" && t.shape.size() >= 2 && !in.is_quantized(name)) {
      std::vector<float> w(t.bytes.size() / 4);
      std::memcpy(w.data(), t.bytes.data(), t.bytes.size());
      out.add_quantized(name, t.shape, w.data(), format);
      const std::vector<float> back = out.weights(name, t.shape);
      r.format = format_name(format);
      r.bytes_after = out.raw(name).bytes.size() + (out.has(name + ".scales") ? out.raw(name + ".scales").bytes.size() : 0);
      r.sqnr_db = sqnr_db(w.data(), back.data(), w.size());
    } else if (!out.has(name)) {
      out.add_raw(name, t);
      for (const char* key : {".format", ".shape", ".tscale"})
        if (in.metadata.count(name + key)) out.metadata[name + key] = in.metadata.at(name + key);
    }
    const bool is_scales = name.size() > 7 && name.compare(name.size() - 7, 7, ".scales") == 0;
    if (report && !is_scales) report->push_back(r);
  }
  out.metadata["quantized_with"] = format_name(format);
  return out;
}

}  // namespace nicodec::quant
