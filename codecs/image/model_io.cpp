#include "codecs/image/model_io.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "core/error.h"

namespace nicodec::codecs::image {

namespace {

bool is_h_s(const std::string& name) { return name.rfind("h_s.", 0) == 0; }

torch::Tensor calibration_z(ImageModel& net, const torch::Tensor& calib) {
  torch::NoGradGuard ng;
  auto y0 = net->analysis(calib);
  std::vector<torch::Tensor> zs;
  const int64_t levels = net->config().levels;
  for (double q = -2.0; q <= static_cast<double>(levels - 1) + 1e-9; q += 0.5) {
    auto qt = torch::full({calib.size(0)}, q);
    zs.push_back(torch::round(net->hyper_analysis(y0 * net->gain(qt, false))));
  }
  return torch::cat(zs, 0);
}

}  // namespace

CodecModel model_from_float(ImageModel net, const torch::Tensor& calib) {
  net->eval();
  CodecModel m;
  m.h_s = IntegerHyperSynthesis::from_float(net->h_s, net->config().M, calibration_z(net, calib));
  m.net = net;
  m.weight_format = "f32";
  m.description = net->config().describe();
  return m;
}

std::string export_model(ImageModel& net, const torch::Tensor& calib, const std::string& weight_format, uint32_t version,
                         const std::string& training_notes, const std::string& path) {
  torch::NoGradGuard ng;
  net->eval();
  CodecModel m = model_from_float(net, calib);
  quant::ModelFile f;
  const auto& c = net->config();
  f.metadata["architecture"] = kArchitecture;
  f.metadata["model_id"] = kModelId;
  f.metadata["model_version"] = std::to_string(version);
  f.metadata["N"] = std::to_string(c.N);
  f.metadata["M"] = std::to_string(c.M);
  f.metadata["Nz"] = std::to_string(c.Nz);
  f.metadata["levels"] = std::to_string(c.levels);
  f.metadata["lambda_min_micro"] = std::to_string(std::llround(c.lambda_min * 1e6));
  const bool keep_float = weight_format == "f32";
  const quant::WeightFormat format = keep_float ? quant::WeightFormat::kInt8 : quant::parse_format(weight_format);
  f.metadata["weight_format"] = keep_float ? "f32" : quant::format_name(format);
  f.metadata["training"] = training_notes;
  std::ostringstream report;
  char line[200];
  for (const auto& p : net->named_parameters()) {
    if (is_h_s(p.key())) continue;
    auto t = p.value().detach().cpu().contiguous();
    const auto shape = t.sizes().vec();
    const bool quantize = !keep_float && t.dim() >= 2 && t.numel() >= 4096;
    if (quantize)
      f.add_quantized(p.key(), shape, t.data_ptr<float>(), format);
    else
      f.add_float(p.key(), shape, t.data_ptr<float>());
    if (quantize) {
      const auto back = f.weights(p.key(), shape);
      std::snprintf(line, sizeof line, "  %-28s %-8s %9zu bytes  weight SQNR %5.1f dB\n", p.key().c_str(),
                    quant::format_name(format), f.quantized(p.key()).bytes(),
                    quant::sqnr_db(t.data_ptr<float>(), back.data(), back.size()));
      report << line;
    }
  }
  m.h_s.save(f);
  {  // int8 synthesis: activation ranges on decoded-like latents over the whole rate range
    auto y0 = net->analysis(calib);
    std::vector<torch::Tensor> lat;
    for (double q = -1.0; q <= static_cast<double>(c.levels - 1) + 1e-9; q += 1.5) {
      auto qt = torch::full({calib.size(0)}, q);
      lat.push_back(torch::round(y0 * net->gain(qt, false)) * net->gain(qt, true));
    }
    const auto latents = torch::cat(lat, 0);
    const auto ranges = quant::Int8Sequential::calibrate(net->g_s, latents);
    quant::Int8Sequential::save(f, "g_s.int8", ranges);
    for (const auto& [i, db] : quant::Int8Sequential::from_ranges(net->g_s, ranges).layer_sqnr_db(net->g_s, latents)) {
      std::snprintf(line, sizeof line, "  g_s.%zu int8 layer output SQNR %.1f dB (uint8 activations, calibrated)\n", i, db);
      report << line;
    }
  }
  f.save(path);
  std::snprintf(line, sizeof line, "  model file %s: %ju bytes (zstd)\n", path.c_str(),
                static_cast<uintmax_t>(std::filesystem::file_size(path)));
  report << line;
  return report.str();
}

CodecModel load_model(const quant::ModelFile& f) {
  auto arch = f.metadata.find("architecture");
  if (arch == f.metadata.end() || arch->second != kArchitecture)
    throw FormatError(std::string("model file is not a nicodec image model (architecture '") +
                      (arch == f.metadata.end() ? "none" : arch->second) + "', expected '" + kArchitecture + "')");
  ModelConfig c;
  c.N = f.metadata_int("N", 8, 1024);
  c.M = f.metadata_int("M", 8, 1024);
  c.Nz = f.metadata_int("Nz", 8, 1024);
  c.levels = f.metadata_int("levels", 2, 32);
  c.lambda_min = static_cast<double>(f.metadata_int("lambda_min_micro", 1, 1000000000)) * 1e-6;
  CodecModel m;
  m.version = static_cast<uint32_t>(f.metadata_int("model_version", 0, UINT32_MAX));
  m.net = ImageModel(c);
  m.net->eval();
  torch::NoGradGuard ng;
  for (auto& p : m.net->named_parameters()) {
    if (is_h_s(p.key())) continue;
    const auto shape = p.value().sizes().vec();
    auto w = f.weights(p.key(), shape);
    p.value().copy_(torch::from_blob(w.data(), shape, torch::kFloat));
  }
  m.h_s = IntegerHyperSynthesis::load(f, c.Nz, c.M);
  m.g_s_int8 = quant::Int8Sequential::load(f, "g_s.int8", m.net->g_s);
  m.weight_format = f.metadata.count("weight_format") ? f.metadata.at("weight_format") : "f32";
  m.description = c.describe() + ", weights " + m.weight_format;
  return m;
}

CodecModel load_model(const std::string& path) { return load_model(quant::ModelFile::load(path)); }

}  // namespace nicodec::codecs::image
