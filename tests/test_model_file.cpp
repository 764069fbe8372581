// Model files: safetensors layout checked by an independent JSON parse, quantized tensors, damaged files.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

#include "core/byte_io.h"
#include "core/error.h"
#include "core/file_io.h"
#include "quant/model_file.h"
#include "quant/quantize_model.h"

namespace nicodec::quant {
namespace {

ModelFile sample_model(std::vector<float>* conv_out = nullptr) {
  std::mt19937 rng(1);
  std::normal_distribution<float> g(0, 0.05f);
  std::vector<float> bias(16), conv(16 * 3 * 5 * 5);
  for (auto& x : bias) x = g(rng);
  for (auto& x : conv) x = g(rng);
  ModelFile m;
  m.metadata["architecture"] = "test-net";
  m.metadata["model_version"] = "7";
  m.add_float("g_s.0.bias", {16}, bias.data());
  m.add_quantized("g_s.0.weight", {16, 3, 5, 5}, conv.data(), WeightFormat::kInt8);
  m.add_quantized("g_s.1.weight", {16, 3, 5, 5}, conv.data(), WeightFormat::kNvfp4);
  if (conv_out) *conv_out = conv;
  return m;
}

TEST(ModelFile, SafetensorsLayoutReadsWithAPlainJsonParser) {
  const auto bytes = sample_model().to_safetensors();
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ((8 + n) % 8, 0u);  // data is 8-byte aligned
  auto header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(n));
  EXPECT_EQ(header["__metadata__"]["architecture"], "test-net");
  EXPECT_EQ(header["g_s.0.bias"]["dtype"], "F32");
  EXPECT_EQ(header["g_s.0.bias"]["shape"], nlohmann::json({16}));
  auto off = header["g_s.0.bias"]["data_offsets"].get<std::vector<size_t>>();
  float first;
  std::memcpy(&first, bytes.data() + 8 + n + off[0], 4);
  ModelFile m = sample_model();
  EXPECT_EQ(first, m.weights("g_s.0.bias", {16})[0]);
  EXPECT_EQ(header["g_s.0.weight.scales"]["shape"], nlohmann::json({16}));  // int8 row scales
  EXPECT_EQ(header["__metadata__"]["g_s.1.weight.format"], "nvfp4");
}

TEST(ModelFile, SaveLoadRoundTripAndDequantizedWeights) {
  std::vector<float> conv;
  ModelFile m = sample_model(&conv);
  const std::string path = std::filesystem::temp_directory_path() / ("nicodec_model_" + std::to_string(::getpid()) + ".st.zst");
  m.save(path);
  ModelFile back = ModelFile::load(path);
  std::filesystem::remove(path);
  EXPECT_EQ(back.metadata, m.metadata);
  EXPECT_EQ(back.names(), m.names());
  EXPECT_EQ(back.weights("g_s.0.bias", {16}), m.weights("g_s.0.bias", {16}));
  for (const char* name : {"g_s.0.weight", "g_s.1.weight"}) {
    auto w = back.weights(name, {16, 3, 5, 5});
    EXPECT_EQ(w, m.weights(name, {16, 3, 5, 5}));
    EXPECT_GT(sqnr_db(conv.data(), w.data(), conv.size()), 18.0) << name;
  }
  EXPECT_THROW(back.weights("g_s.0.weight", {16, 75}), FormatError);  // wrong shape is named
  EXPECT_THROW(back.weights("missing", {1}), FormatError);
}

TEST(ModelFile, DamagedFilesGiveFormatErrors) {
  const auto good = sample_model().to_safetensors();
  for (size_t cut : {size_t{0}, size_t{7}, size_t{8}, size_t{40}, good.size() - 1})
    EXPECT_THROW(ModelFile::from_safetensors(good.data(), cut), FormatError) << cut;
  auto huge = good;
  huge[7] = 0x7f;  // header length ~2^62
  EXPECT_THROW(ModelFile::from_safetensors(huge.data(), huge.size()), FormatError);
  auto bad_json = good;
  bad_json[10] = '#';
  EXPECT_THROW(ModelFile::from_safetensors(bad_json.data(), bad_json.size()), FormatError);
  // Hand-made headers: a tensor running past the end, a size that does not match its shape, overlaps.
  auto make = [](const std::string& h, size_t data) {
    ByteWriter w;
    w.u64(h.size());
    w.bytes(h.data(), h.size());
    w.bytes(std::vector<uint8_t>(data).data(), data);
    return w.take();
  };
  for (const char* h : {R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})",
                        R"({"a":{"dtype":"F32","shape":[5],"data_offsets":[0,8]}})",
                        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                        R"({"a":{"dtype":"Q9","shape":[2],"data_offsets":[0,8]}})",
                        R"({"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})",
                        R"({"a":{"dtype":"F32","shape":[2]}})", R"([1,2,3])",
                        // found by fuzz_model_file: floats where integers belong (undefined behaviour if converted)
                        R"({"a":{"dtype":"F32","shape":[6.5e81],"data_offsets":[0,8]}})",
                        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.0e300]}})",
                        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})",
                        R"({"a":{"dtype":"F32","shape":[18446744073709551615],"data_offsets":[0,8]}})"}) {
    auto b = make(h, 12);
    EXPECT_THROW(ModelFile::from_safetensors(b.data(), b.size()), FormatError) << h;
  }
  std::vector<uint8_t> not_zstd(100, 7);
  EXPECT_THROW(ModelFile::from_compressed(not_zstd), FormatError);
  // Any one byte of the compressed file changed: an error, never other weights (the frame's content checksum).
  // A few header bits are unused by zstd, and a changed byte may decode to the same content: those may load.
  const auto raw = sample_model().to_safetensors();
  const auto zst = sample_model().to_compressed();
  ASSERT_EQ(ModelFile::from_compressed(zst).to_safetensors(), raw);
  int errors = 0;
  for (size_t i = 0; i < zst.size(); ++i) {
    auto bad = zst;
    bad[i] ^= 0x10;
    try {
      EXPECT_EQ(ModelFile::from_compressed(bad).to_safetensors(), raw) << "byte " << i << " of " << zst.size();
    } catch (const FormatError&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, static_cast<int>(zst.size()) * 9 / 10);
  // Quantized tensor whose packed size does not match the metadata shape.
  ModelFile m = sample_model();
  m.metadata["g_s.1.weight.shape"] = "[16, 3, 5, 6]";
  EXPECT_THROW(m.quantized("g_s.1.weight"), FormatError);
  m.metadata["g_s.1.weight.shape"] = "[16, 3, 5, 1e300]";
  EXPECT_THROW(m.quantized("g_s.1.weight"), FormatError);
}

TEST(ModelFile, QuantizedModelsAreSmall) {
  std::mt19937 rng(2);
  std::normal_distribution<float> g(0, 0.05f);
  std::vector<float> w(192 * 192 * 9);
  for (auto& x : w) x = g(rng);
  ModelFile f32, q4;
  f32.add_float("w", {192, 192, 3, 3}, w.data());
  q4.add_quantized("w", {192, 192, 3, 3}, w.data(), WeightFormat::kInt4G32);
  EXPECT_LT(q4.data_bytes() * 7, f32.data_bytes());  // 4.5 of 32 bits
}

}  // namespace
}  // namespace nicodec::quant

namespace nicodec::quant {
namespace {

TEST(QuantizeModel, QuantizesWeightsKeepsBiasesAndReportsErrorPerTensor) {
  std::mt19937 rng(3);
  std::normal_distribution<float> g(0, 0.05f);
  std::vector<float> w1(64 * 32 * 3 * 3), w2(16 * 64), b(64);
  for (auto* v : {&w1, &w2, &b})
    for (auto& x : *v) x = g(rng);
  ModelFile m;
  m.metadata["architecture"] = "t";
  m.add_float("conv.weight", {64, 32, 3, 3}, w1.data());
  m.add_float("conv.bias", {64}, b.data());
  m.add_float("fc.weight", {16, 64}, w2.data());
  double prev = INFINITY;
  for (WeightFormat f : {WeightFormat::kInt8, WeightFormat::kInt4G32, WeightFormat::kTernary}) {
    std::vector<TensorReport> rep;
    ModelFile q = quantize_model(m, f, &rep);
    ASSERT_EQ(rep.size(), 3u);
    EXPECT_EQ(q.metadata.at("architecture"), "t");
    EXPECT_EQ(q.weights("conv.bias", {64}), b);  // kept in float
    EXPECT_TRUE(q.is_quantized("conv.weight"));
    for (const auto& r : rep) {
      if (r.name == "conv.bias") {
        EXPECT_EQ(r.format, "f32");
        continue;
      }
      EXPECT_LT(r.bytes_after, r.bytes_before);
      auto back = q.weights(r.name, r.shape);
      const auto& orig = r.name == "conv.weight" ? w1 : w2;
      EXPECT_NEAR(r.sqnr_db, sqnr_db(orig.data(), back.data(), orig.size()), 1e-9);
    }
    EXPECT_LT(rep[1].sqnr_db, prev);  // conv.weight: fewer bits, more error
    prev = rep[1].sqnr_db;
    // A quantized model passes through unchanged when quantized again.
    std::vector<TensorReport> again;
    ModelFile qq = quantize_model(q, WeightFormat::kInt8, &again);
    EXPECT_EQ(qq.weights("conv.weight", {64, 32, 3, 3}), q.weights("conv.weight", {64, 32, 3, 3}));
  }
}

}  // namespace
}  // namespace nicodec::quant
