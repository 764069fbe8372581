#include "codecs/common/weights_io.h"

#include <cstdio>
#include <filesystem>

namespace nicodec::codecs {

std::string store_weights(quant::ModelFile& f, const NamedTensors& weights, const std::string& weight_format) {
  const bool keep_float = weight_format == "f32";
  const quant::WeightFormat format = keep_float ? quant::WeightFormat::kInt8 : quant::parse_format(weight_format);
  f.metadata["weight_format"] = keep_float ? "f32" : quant::format_name(format);
  std::string report;
  char line[200];
  for (const auto& [name, t0] : weights) {
    auto t = t0.detach().cpu().contiguous();
    const auto shape = t.sizes().vec();
    if (keep_float || t.dim() < 2 || t.numel() < 4096) {
      f.add_float(name, shape, t.data_ptr<float>());
      continue;
    }
    f.add_quantized(name, shape, t.data_ptr<float>(), format);
    const auto back = f.weights(name, shape);
    std::snprintf(line, sizeof line, "  %-32s %-8s %9zu bytes  weight SQNR %5.1f dB\n", name.c_str(),
                  quant::format_name(format), f.quantized(name).bytes(),
                  quant::sqnr_db(t.data_ptr<float>(), back.data(), back.size()));
    report += line;
  }
  return report;
}

void load_weights(const quant::ModelFile& f, const NamedTensors& weights) {
  torch::NoGradGuard ng;
  for (const auto& [name, t] : weights) {
    const auto shape = t.sizes().vec();
    auto w = f.weights(name, shape);
    t.copy_(torch::from_blob(w.data(), shape, torch::kFloat));
  }
}

std::string save_model_file(const quant::ModelFile& f, const std::string& path) {
  f.save(path);
  char line[300];
  std::snprintf(line, sizeof line, "  model file %s: %ju bytes (zstd)\n", path.c_str(),
                static_cast<uintmax_t>(std::filesystem::file_size(path)));
  return line;
}

}  // namespace nicodec::codecs
