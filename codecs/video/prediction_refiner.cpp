#include "codecs/video/prediction_refiner.h"

#include <sstream>

#include "codecs/common/image_tensor.h"
#include "codecs/common/weights_io.h"
#include "core/error.h"

namespace nicodec::codecs::video {

namespace {

torch::nn::Conv2dOptions conv3x3(int64_t in, int64_t out) { return torch::nn::Conv2dOptions(in, out, 3).padding(1); }

NamedTensors weights_of(RefinerNet& net) {
  NamedTensors out;
  for (const auto& p : net->named_parameters()) out.emplace_back(p.key(), p.value());
  return out;
}

}  // namespace

RefinerNetImpl::RefinerNetImpl(const RefinerConfig& cfg) : cfg_(cfg) {
  if (cfg.channels < 4 || cfg.channels > 256 || cfg.layers < 2 || cfg.layers > 16)
    throw UsageError("refiner: channels must be in [4, 256] and layers in [2, 16]");
  body = torch::nn::Sequential();
  body->push_back(torch::nn::PixelUnshuffle(2));
  body->push_back(torch::nn::Conv2d(conv3x3(12, cfg.channels)));
  body->push_back(torch::nn::ReLU());
  for (int64_t i = 0; i < cfg.layers - 2; ++i) {
    body->push_back(torch::nn::Conv2d(conv3x3(cfg.channels, cfg.channels)));
    body->push_back(torch::nn::ReLU());
  }
  torch::nn::Conv2d last(conv3x3(cfg.channels, 12));
  torch::nn::init::zeros_(last->weight);
  torch::nn::init::zeros_(last->bias);
  body->push_back(last);
  body->push_back(torch::nn::PixelShuffle(2));
  register_module("body", body);
}

torch::Tensor RefinerNetImpl::correction(const torch::Tensor& pred, const quant::Int8Sequential* int8) {
  const auto x = pred - 0.5;
  return int8 && !int8->empty() ? int8->forward(body, x) : body->forward(x);
}

torch::Tensor RefinerNetImpl::forward(const torch::Tensor& pred) { return (pred + correction(pred)).clamp(0.0, 1.0); }

PredictionRefiner PredictionRefiner::from_net(RefinerNet net, uint32_t version) {
  PredictionRefiner r;
  net->eval();
  r.net_ = net;
  r.version_ = version;
  return r;
}

PredictionRefiner PredictionRefiner::load(const quant::ModelFile& f) {
  f.expect_architecture(kRefinerArchitecture, "a vidcodec refiner model");
  RefinerConfig c;
  c.channels = f.metadata_int("channels", 4, 256);
  c.layers = f.metadata_int("layers", 2, 16);
  RefinerNet net(c);
  load_weights(f, weights_of(net));
  PredictionRefiner r = from_net(net, static_cast<uint32_t>(f.metadata_int("model_version", 1, UINT32_MAX)));
  r.int8_ = quant::Int8Sequential::load(f, "body.int8", r.net_->body);
  return r;
}

PredictionRefiner PredictionRefiner::load(const std::string& path) { return load(quant::ModelFile::load(path)); }

Image PredictionRefiner::refine(const Image& pred) const {
  torch::NoGradGuard ng;
  auto x = image_to_tensor(pred);
  const int64_t H = pred.height, W = pred.width;
  if (H % 2 || W % 2)
    x = torch::nn::functional::pad(x, torch::nn::functional::PadFuncOptions({0, W % 2, 0, H % 2}).mode(torch::kReplicate));
  RefinerNet net = net_;  // a non-const handle to the shared module
  auto out = (x + net->correction(x, &int8_)).narrow(2, 0, H).narrow(3, 0, W);
  return tensor_to_image(out);
}

std::string export_refiner(RefinerNet& net, const torch::Tensor& calib, const std::string& weight_format, uint32_t version,
                           const std::string& training_notes, const std::string& path) {
  torch::NoGradGuard ng;
  net->eval();
  quant::ModelFile f;
  f.metadata["architecture"] = kRefinerArchitecture;
  f.metadata["model_id"] = "vidcodec-refiner";
  f.metadata["model_version"] = std::to_string(version);
  f.metadata["channels"] = std::to_string(net->config().channels);
  f.metadata["layers"] = std::to_string(net->config().layers);
  f.metadata["training"] = training_notes;
  std::ostringstream report;
  report << store_weights(f, weights_of(net), weight_format);
  // Calibrate on the weights as the file holds them (quantized), so the ranges fit what the decoder runs.
  RefinerNet stored(net->config());
  load_weights(f, weights_of(stored));
  stored->eval();
  report << quant::Int8Sequential::calibrate_and_save(f, "body.int8", "body", stored->body, calib - 0.5);
  report << save_model_file(f, path);
  return report.str();
}

}  // namespace nicodec::codecs::video
