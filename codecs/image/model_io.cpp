#include "codecs/image/model_io.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "codecs/common/weights_io.h"
#include "core/error.h"

namespace nicodec::codecs::image {

namespace {

// The weights stored as floats (quantized or not): all but h_s, which has its own integer form.
NamedTensors float_weights(const ImageModel& net) {
  NamedTensors out;
  for (const auto& p : net->named_parameters())
    if (p.key().rfind("h_s.", 0) != 0) out.emplace_back(p.key(), p.value());
  return out;
}

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
  f.metadata["training"] = training_notes;
  std::ostringstream report;
  report << store_weights(f, float_weights(net), weight_format);
  m.h_s.save(f);
  {  // int8 synthesis: activation ranges on decoded-like latents over the whole rate range
    auto y0 = net->analysis(calib);
    std::vector<torch::Tensor> lat;
    for (double q = -1.0; q <= static_cast<double>(c.levels - 1) + 1e-9; q += 1.5) {
      auto qt = torch::full({calib.size(0)}, q);
      lat.push_back(torch::round(y0 * net->gain(qt, false)) * net->gain(qt, true));
    }
    report << quant::Int8Sequential::calibrate_and_save(f, "g_s.int8", "g_s", net->g_s, torch::cat(lat, 0));
  }
  report << save_model_file(f, path);
  return report.str();
}

CodecModel load_model(const quant::ModelFile& f) {
  f.expect_architecture(kArchitecture, "a nicodec image model");
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
  load_weights(f, float_weights(m.net));
  m.h_s = IntegerHyperSynthesis::load(f, c.Nz, c.M);
  m.g_s_int8 = quant::Int8Sequential::load(f, "g_s.int8", m.net->g_s);
  if (f.metadata.count("context")) {
    if (f.metadata.at("context") != "checkerboard")
      throw FormatError("model file: unknown context model '" + f.metadata.at("context") + "'");
    m.context = IntegerCheckerboardContext::load(f, c.M, m.h_s.mean_shift());
    m.has_context = true;
    m.context_base_version = static_cast<uint32_t>(f.metadata_int("context_base_version", 0, UINT32_MAX));
    if (m.context_base_version == m.version) throw FormatError("model file: the context's base version equals the model's");
  }
  m.weight_format = f.metadata.count("weight_format") ? f.metadata.at("weight_format") : "f32";
  m.description = c.describe() + ", weights " + m.weight_format;
  return m;
}

CodecModel load_model(const std::string& path) { return load_model(quant::ModelFile::load(path)); }

}  // namespace nicodec::codecs::image
