#include "codecs/audio/model_io.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "codecs/audio/losses.h"
#include "codecs/common/weights_io.h"
#include "core/error.h"

namespace nicodec::codecs::audio {

namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// The tensors a codec needs: parameters plus the codebooks (EMA buffers). Training-only buffers are left out.
NamedTensors weights_of(const AudioModel& net) {
  NamedTensors out;
  for (const auto& p : net->named_parameters()) out.emplace_back(p.key(), p.value());
  for (const auto& b : net->named_buffers())
    if (ends_with(b.key(), ".embed")) out.emplace_back(b.key(), b.value());
  return out;
}

std::vector<uint32_t> usage_counts(const torch::Tensor& cluster_size) {
  // EMA vectors-per-batch to integer counts: scaled so the most used code has 2^16, at least 1 each.
  auto c = cluster_size.detach().cpu().to(torch::kDouble).clamp_min(0);
  const double top = std::max(c.max().item<double>(), 1e-9);
  std::vector<uint32_t> out(static_cast<size_t>(c.numel()));
  for (int64_t i = 0; i < c.numel(); ++i)
    out[static_cast<size_t>(i)] = static_cast<uint32_t>(std::max(1.0, std::round(c[i].item<double>() / top * 65536.0)));
  return out;
}

}  // namespace

AudioCodecModel model_from_float(AudioModel net) {
  net->eval();
  AudioCodecModel m;
  for (int64_t s = 0; s < net->config().num_quantizers; ++s)
    m.usage.push_back(usage_counts(net->rvq->stage(s)->named_buffers()["cluster_size"]));
  m.net = net;
  m.weight_format = "f32";
  m.description = net->config().describe() + ", weights f32";
  return m;
}

std::string export_audio_model(AudioModel& net, const torch::Tensor& validation, const std::string& weight_format,
                               uint32_t version, const std::string& training_notes, const std::string& path) {
  torch::NoGradGuard ng;
  net->eval();
  const AudioModelConfig& c = net->config();
  quant::ModelFile f;
  f.metadata["architecture"] = kArchitecture;
  f.metadata["model_version"] = std::to_string(version);
  for (const auto& [k, v] : std::vector<std::pair<const char*, int64_t>>{
           {"sample_rate", c.sample_rate}, {"hop", c.hop}, {"win", c.win}, {"down", c.down}, {"channels", c.channels},
           {"blocks_fast", c.blocks_fast}, {"blocks_slow", c.blocks_slow}, {"latent_dim", c.latent_dim},
           {"codebook_size", c.codebook_size}, {"num_quantizers", c.num_quantizers}})
    f.metadata[k] = std::to_string(v);
  if (c.phase_bins > 0) f.metadata["phase_bins"] = std::to_string(c.phase_bins);  // absent: v1 files, magnitudes only
  f.metadata["training"] = training_notes;
  std::ostringstream report;
  char line[200];
  report << store_weights(f, weights_of(net), weight_format);
  const AudioCodecModel float_model = model_from_float(net);
  for (int64_t s = 0; s < c.num_quantizers; ++s) {
    const auto& u = float_model.usage[static_cast<size_t>(s)];
    quant::TensorData td;
    td.dtype = "I32";
    td.shape = {c.codebook_size};
    const auto* p = reinterpret_cast<const uint8_t*>(u.data());
    td.bytes.assign(p, p + 4 * u.size());
    f.add_raw("usage." + std::to_string(s), std::move(td));
  }
  report << save_model_file(f, path);

  // What quantization costs: log-mel distance (the training loss' mel term) of float vs file weights.
  AudioCodecModel q = load_audio_model(path);
  SpectralLosses losses(static_cast<int>(c.sample_rate));
  const int64_t len = validation.size(1) / c.frame_samples() * c.frame_samples();
  auto x = validation.narrow(1, 0, len);
  auto y = net->g_a(x).reshape({-1, c.latent_dim});
  for (int64_t stages : {int64_t{1}, int64_t{3}, int64_t{6}, int64_t{12}, c.num_quantizers}) {
    if (stages > c.num_quantizers) continue;
    const double rel = (y - net->rvq->decode(net->rvq->encode(y, stages))).pow(2).sum().item<double>() / y.pow(2).sum().item<double>();
    std::snprintf(line, sizeof line, "  %2lld stages: latent residual %.1f dB below the latent\n", static_cast<long long>(stages),
                  -10 * std::log10(std::max(rel, 1e-12)));
    report << line;
  }
  for (int64_t stages : {int64_t{3}, int64_t{6}, int64_t{12}, c.num_quantizers}) {
    if (stages > c.num_quantizers) continue;
    const double mf = losses.mel(x, net->forward(x, stages).x_hat).item<double>();
    const double mq = losses.mel(x, q.net->forward(x, stages).x_hat).item<double>();
    std::snprintf(line, sizeof line, "  %2lld stages: log-mel L1 float %.4f, %s %.4f (%+.2f%%)\n", static_cast<long long>(stages),
                  mf, q.weight_format.c_str(), mq, 100.0 * (mq - mf) / mf);
    report << line;
  }
  return report.str();
}

AudioCodecModel load_audio_model(const quant::ModelFile& f) {
  f.expect_architecture(kArchitecture, "an audiocodec model");
  AudioModelConfig c;
  c.sample_rate = f.metadata_int("sample_rate", 8000, 48000);
  c.hop = f.metadata_int("hop", 16, 4096);
  c.win = f.metadata_int("win", 16, 16384);
  c.down = f.metadata_int("down", 1, 64);
  c.channels = f.metadata_int("channels", 8, 4096);
  c.blocks_fast = f.metadata_int("blocks_fast", 0, 64);
  c.blocks_slow = f.metadata_int("blocks_slow", 0, 64);
  c.latent_dim = f.metadata_int("latent_dim", 1, 4096);
  c.codebook_size = f.metadata_int("codebook_size", 2, 65536);
  c.num_quantizers = f.metadata_int("num_quantizers", 1, 64);
  c.phase_bins = f.metadata.count("phase_bins") ? f.metadata_int("phase_bins", 0, c.win / 2 + 1) : 0;
  AudioCodecModel m;
  m.version = static_cast<uint32_t>(f.metadata_int("model_version", 0, UINT32_MAX));
  m.net = AudioModel(c);
  m.net->eval();
  load_weights(f, weights_of(m.net));
  for (auto& b : m.net->named_buffers())
    if (ends_with(b.key(), ".initialized")) b.value().fill_(1);
  for (int64_t s = 0; s < c.num_quantizers; ++s) {
    const auto& td = f.raw("usage." + std::to_string(s));
    if (td.dtype != "I32" || td.shape != std::vector<int64_t>{c.codebook_size} ||
        td.bytes.size() != 4 * static_cast<size_t>(c.codebook_size))
      throw FormatError("model file: usage." + std::to_string(s) + " has the wrong shape");
    std::vector<uint32_t> u(static_cast<size_t>(c.codebook_size));
    std::memcpy(u.data(), td.bytes.data(), td.bytes.size());
    for (auto v : u)
      if (v < 1 || v > (1u << 20)) throw FormatError("model file: usage." + std::to_string(s) + " holds a count out of range");
    m.usage.push_back(std::move(u));
  }
  m.weight_format = f.metadata.count("weight_format") ? f.metadata.at("weight_format") : "f32";
  m.description = c.describe() + ", weights " + m.weight_format;
  return m;
}

AudioCodecModel load_audio_model(const std::string& path) { return load_audio_model(quant::ModelFile::load(path)); }

}  // namespace nicodec::codecs::audio
