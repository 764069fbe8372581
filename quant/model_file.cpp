#include "quant/model_file.h"

#include <cstdlib>

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/byte_io.h"
#include "core/error.h"
#include "core/file_io.h"

namespace nicodec::quant {

void ModelFile::expect_architecture(const std::string& expected, const std::string& what) const {
  auto it = metadata.find("architecture");
  if (it == metadata.end() || it->second != expected)
    throw FormatError("model file is not " + what + " (architecture '" + (it == metadata.end() ? "none" : it->second) +
                      "', expected '" + expected + "')");
}

int64_t ModelFile::metadata_int(const std::string& key, int64_t lo, int64_t hi) const {
  auto it = metadata.find(key);
  if (it == metadata.end()) throw FormatError("model file: no metadata '" + key + "'");
  char* end = nullptr;
  const long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (end == it->second.c_str() || *end != '\0' || v < lo || v > hi)
    throw FormatError("model file: metadata '" + key + "' = '" + it->second + "' is out of range");
  return v;
}
namespace {

using json = nlohmann::json;

size_t dtype_size(const std::string& d) {
  if (d == "F32" || d == "I32") return 4;
  if (d == "F16") return 2;
  if (d == "I8" || d == "U8") return 1;
  if (d == "I16") return 2;
  return 0;
}

std::string shape_string(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// A JSON array of integers. Anything else (floats such as 1e300, strings, huge values) is a FormatError:
// converting an out-of-range float to an integer would be undefined behaviour.
std::vector<int64_t> int_list(const json& j, const std::string& what) {
  if (!j.is_array()) throw FormatError("model file: " + what + " is not a list");
  std::vector<int64_t> v;
  for (const auto& e : j) {
    if (!e.is_number_integer()) throw FormatError("model file: " + what + " must hold integers");
    if (e.is_number_unsigned() && e.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      throw FormatError("model file: " + what + " holds a value out of range");
    v.push_back(e.get<int64_t>());
  }
  return v;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

void check_shape(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d)) throw FormatError("model file: tensor shape " + shape_string(shape) + " is out of range");
    n *= d;
  }
}

}  // namespace

void ModelFile::add_raw(const std::string& name, TensorData t) {
  if (name.empty() || name == "__metadata__") throw UsageError("model file: invalid tensor name '" + name + "'");
  const size_t es = dtype_size(t.dtype);
  if (!es) throw UsageError("model file: unsupported dtype " + t.dtype);
  check_shape(t.shape);
  if (t.bytes.size() != static_cast<size_t>(numel(t.shape)) * es) throw UsageError("model file: data size does not match the shape of " + name);
  tensors_[name] = std::move(t);
}

void ModelFile::add_float(const std::string& name, const std::vector<int64_t>& shape, const float* data) {
  TensorData t{"F32", shape, {}};
  const auto* b = reinterpret_cast<const uint8_t*>(data);
  t.bytes.assign(b, b + 4 * numel(shape));
  add_raw(name, std::move(t));
}

void ModelFile::add_quantized(const std::string& name, const std::vector<int64_t>& shape, const float* w, WeightFormat f) {
  if (shape.empty()) throw UsageError("model file: a quantized tensor needs a shape");
  const int64_t rows = shape[0], cols = numel(shape) / std::max<int64_t>(rows, 1);
  QuantizedWeights q = quantize_reference(f, w, rows, cols);
  add_raw(name, TensorData{"U8", {static_cast<int64_t>(q.data.size())}, q.data});
  if (!q.row_scales.empty()) add_float(name + ".scales", {static_cast<int64_t>(q.row_scales.size())}, q.row_scales.data());
  metadata[name + ".format"] = format_name(f);
  metadata[name + ".shape"] = json(shape).dump();
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(q.tensor_scale));
  metadata[name + ".tscale"] = buf;
}

const TensorData& ModelFile::raw(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw FormatError("model file lacks the tensor '" + name + "'; is it the right model for this build?");
  return it->second;
}

std::vector<std::string> ModelFile::names() const {
  std::vector<std::string> n;
  for (const auto& kv : tensors_) n.push_back(kv.first);
  return n;
}

size_t ModelFile::data_bytes() const {
  size_t n = 0;
  for (const auto& kv : tensors_) n += kv.second.bytes.size();
  return n;
}

QuantizedWeights ModelFile::quantized(const std::string& name) const {
  if (!is_quantized(name)) throw FormatError("model file: tensor '" + name + "' is not quantized");
  QuantizedWeights q;
  std::vector<int64_t> shape;
  try {
    q.format = parse_format(metadata.at(name + ".format"));
    shape = int_list(json::parse(metadata.at(name + ".shape")), name + ".shape");
    q.tensor_scale = std::stof(metadata.at(name + ".tscale"));
  } catch (const std::exception& e) {
    throw FormatError("model file: bad quantization metadata for '" + name + "': " + e.what());
  }
  check_shape(shape);
  if (shape.empty() || shape[0] < 1 || numel(shape) < 1) throw FormatError("model file: bad shape for '" + name + "'");
  q.rows = shape[0];
  q.cols = numel(shape) / q.rows;
  q.data = raw(name).bytes;
  if (q.data.size() != q.row_bytes() * static_cast<size_t>(q.rows))
    throw FormatError("model file: packed size of '" + name + "' does not match its shape and format");
  if (has(name + ".scales")) {
    const TensorData& s = raw(name + ".scales");
    if (s.dtype != "F32" || s.bytes.size() != 4 * static_cast<size_t>(q.rows)) throw FormatError("model file: bad scales for '" + name + "'");
    q.row_scales.resize(static_cast<size_t>(q.rows));
    std::memcpy(q.row_scales.data(), s.bytes.data(), s.bytes.size());
  } else if (q.format == WeightFormat::kInt8 || q.format == WeightFormat::kTernary || q.format == WeightFormat::kBinary) {
    throw FormatError("model file: '" + name + "' lacks its row scales");
  }
  return q;
}

std::vector<float> ModelFile::weights(const std::string& name, const std::vector<int64_t>& shape) const {
  std::vector<float> out(static_cast<size_t>(numel(shape)));
  if (is_quantized(name)) {
    const QuantizedWeights q = quantized(name);
    if (int_list(json::parse(metadata.at(name + ".shape")), name + ".shape") != shape)
      throw FormatError("model file: '" + name + "' has shape " + metadata.at(name + ".shape") + ", expected " + shape_string(shape));
    dequantize_reference(q, out.data());
    return out;
  }
  const TensorData& t = raw(name);
  if (t.dtype != "F32" || t.shape != shape)
    throw FormatError("model file: '" + name + "' is " + t.dtype + " " + shape_string(t.shape) + ", expected F32 " + shape_string(shape));
  std::memcpy(out.data(), t.bytes.data(), t.bytes.size());
  return out;
}

std::vector<uint8_t> ModelFile::to_safetensors() const {
  json header = json::object();
  size_t offset = 0;
  for (const auto& kv : tensors_) {
    header[kv.first] = {{"dtype", kv.second.dtype}, {"shape", kv.second.shape}, {"data_offsets", {offset, offset + kv.second.bytes.size()}}};
    offset += kv.second.bytes.size();
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string h = header.dump();
  while ((h.size() + 8) % 8) h.push_back(' ');  // the data starts 8-byte aligned
  ByteWriter w;
  w.u64(h.size());
  w.bytes(h.data(), h.size());
  for (const auto& kv : tensors_) w.bytes(kv.second.bytes.data(), kv.second.bytes.size());
  return w.take();
}

ModelFile ModelFile::from_safetensors(const uint8_t* data, size_t size) {
  if (size < 8) throw FormatError("model file truncated (" + std::to_string(size) + " bytes)");
  const uint64_t n = ByteReader(data, 8).u64();
  if (n > kMaxHeader || n > size - 8) throw FormatError("model file: header length " + std::to_string(n) + " is out of range");
  json header;
  try {
    header = json::parse(data + 8, data + 8 + n);
  } catch (const std::exception& e) {
    throw FormatError(std::string("model file: header is not valid JSON (") + e.what() + ")");
  }
  if (!header.is_object()) throw FormatError("model file: header is not a JSON object");
  const uint8_t* base = data + 8 + n;
  const size_t avail = size - 8 - static_cast<size_t>(n);
  ModelFile m;
  std::vector<std::pair<size_t, size_t>> ranges;
  try {
    for (auto it = header.begin(); it != header.end(); ++it) {
      if (it.key() == "__metadata__") {
        m.metadata = it.value().get<std::map<std::string, std::string>>();
        continue;
      }
      const json& e = it.value();
      TensorData t;
      t.dtype = e.at("dtype").get<std::string>();
      t.shape = int_list(e.at("shape"), "shape of '" + it.key() + "'");
      const std::vector<int64_t> off = int_list(e.at("data_offsets"), "data_offsets of '" + it.key() + "'");
      const size_t es = dtype_size(t.dtype);
      if (!es) throw FormatError("model file: tensor '" + it.key() + "' has unsupported dtype " + t.dtype);
      check_shape(t.shape);
      if (off.size() != 2 || off[0] < 0 || off[0] > off[1] || static_cast<uint64_t>(off[1]) > avail)
        throw FormatError("model file: tensor '" + it.key() + "' points outside the file (truncated?)");
      if (static_cast<uint64_t>(off[1] - off[0]) != static_cast<uint64_t>(numel(t.shape)) * es)
        throw FormatError("model file: tensor '" + it.key() + "' size does not match its shape");
      t.bytes.assign(base + off[0], base + off[1]);
      ranges.emplace_back(static_cast<size_t>(off[0]), static_cast<size_t>(off[1]));
      m.tensors_[it.key()] = std::move(t);
    }
  } catch (const FormatError&) {
    throw;
  } catch (const std::exception& e) {
    throw FormatError(std::string("model file: malformed header (") + e.what() + ")");
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i)
    if (ranges[i].first < ranges[i - 1].second) throw FormatError("model file: tensors overlap");
  return m;
}

std::vector<uint8_t> ModelFile::to_compressed(int zstd_level) const {
  const std::vector<uint8_t> raw_bytes = to_safetensors();
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
  if (!cctx) throw Error("zstd: out of memory");
  std::vector<uint8_t> z(ZSTD_compressBound(raw_bytes.size()));
  size_t n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, zstd_level);
  if (!ZSTD_isError(n)) n = ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_checksumFlag, 1);
  if (!ZSTD_isError(n)) n = ZSTD_compress2(cctx.get(), z.data(), z.size(), raw_bytes.data(), raw_bytes.size());
  if (ZSTD_isError(n)) throw Error(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  z.resize(n);
  return z;
}

void ModelFile::save(const std::string& path, int zstd_level) const { write_file_atomic(path, to_compressed(zstd_level)); }

ModelFile ModelFile::from_compressed(const std::vector<uint8_t>& zst) {
  const unsigned long long n = ZSTD_getFrameContentSize(zst.data(), zst.size());
  if (n == ZSTD_CONTENTSIZE_ERROR) throw FormatError("model file is not zstd-compressed (or is damaged)");
  if (n == ZSTD_CONTENTSIZE_UNKNOWN || n > kMaxFile) throw FormatError("model file: missing or implausible decompressed size");
  std::vector<uint8_t> raw_bytes(static_cast<size_t>(n));
  const size_t got = ZSTD_decompress(raw_bytes.data(), raw_bytes.size(), zst.data(), zst.size());
  if (ZSTD_isError(got) || got != n) throw FormatError("model file is damaged (zstd: " + std::string(ZSTD_isError(got) ? ZSTD_getErrorName(got) : "size mismatch") + ")");
  return from_safetensors(raw_bytes.data(), raw_bytes.size());
}

ModelFile ModelFile::load(const std::string& path) {
  try {
    return from_compressed(read_file(path, kMaxFile));
  } catch (const FormatError& e) {
    throw FormatError("'" + path + "': " + e.what());
  }
}

}  // namespace nicodec::quant
