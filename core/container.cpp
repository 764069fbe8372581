#include "core/container.h"

#include <cstdio>
#include <cstring>

#include "core/byte_io.h"
#include "core/crc32.h"
#include "core/error.h"

namespace nicodec {
namespace {
constexpr char kMagic[4] = {'N', 'I', 'C', 'O'};
}

const char* codec_kind_name(CodecKind k) {
  switch (k) {
    case CodecKind::kTest: return "test";
    case CodecKind::kImage: return "image";
    case CodecKind::kAudio: return "audio";
    case CodecKind::kVideo: return "video";
  }
  return "unknown";
}

void Container::set_param(const std::string& key, int64_t value) {
  if (key.empty() || key.size() > kMaxKey) throw UsageError("container parameter name '" + key + "' must be 1-32 bytes");
  for (auto& kv : params)
    if (kv.first == key) { kv.second = value; return; }
  if (params.size() >= kMaxParams) throw UsageError("too many container parameters");
  params.emplace_back(key, value);
}

bool Container::has_param(const std::string& key) const {
  for (const auto& kv : params)
    if (kv.first == key) return true;
  return false;
}

int64_t Container::param(const std::string& key) const {
  for (const auto& kv : params)
    if (kv.first == key) return kv.second;
  throw FormatError("the file lacks the parameter '" + key + "' its decoder needs; it is damaged or not made by this codec");
}

int64_t Container::param_in(const std::string& key, int64_t lo, int64_t hi) const {
  int64_t v = param(key);
  if (v < lo || v > hi)
    throw FormatError("parameter '" + key + "' = " + std::to_string(v) + " is outside [" + std::to_string(lo) + ", " +
                      std::to_string(hi) + "]; the file is damaged");
  return v;
}

void Container::add_section(std::string name, std::vector<uint8_t> data) {
  if (name.empty() || name.size() > kMaxKey) throw UsageError("section name '" + name + "' must be 1-32 bytes");
  if (sections.size() >= kMaxSections) throw UsageError("too many container sections");
  sections.push_back(Section{std::move(name), std::move(data)});
}

const Section& Container::section(const std::string& name) const {
  for (const auto& s : sections)
    if (s.name == name) return s;
  throw FormatError("the file lacks the section '" + name + "'; it is damaged or not made by this codec");
}

void Container::expect(CodecKind kind, const std::string& model_id, uint32_t version) const {
  if (codec != kind)
    throw FormatError(std::string("this is a NiCodec ") + codec_kind_name(codec) + " file, not an " +
                      codec_kind_name(kind) + " file: use the matching tool to decode it");
  if (model != model_id || model_version != version)
    throw FormatError("this file was made with model '" + model + "' v" + std::to_string(model_version) +
                      ", but this build has '" + model_id + "' v" + std::to_string(version) +
                      ": decode it with the NiCodec release that made it, or give that model file with --model "
                      "(older models are in the git history of data/models/)");
}

std::vector<uint8_t> write_container(const Container& c) {
  if (c.model.size() > Container::kMaxModelId) throw UsageError("model id longer than 64 bytes");
  ByteWriter w;
  w.bytes(kMagic, 4);
  w.u8(Container::kFormatVersion);
  w.u8(static_cast<uint8_t>(c.codec));
  w.string(c.model);
  w.varint(c.model_version);
  w.varint(c.params.size());
  for (const auto& kv : c.params) {
    w.string(kv.first);
    w.svarint(kv.second);
  }
  w.varint(c.sections.size());
  for (const auto& s : c.sections) {
    w.string(s.name);
    w.varint(s.data.size());
    w.bytes(s.data.data(), s.data.size());
  }
  w.u32(crc32(w.data().data(), w.size()));
  return w.take();
}

Container read_container(const uint8_t* data, size_t size) {
  if (size == 0) throw FormatError("the file is empty, not a NiCodec bitstream");
  if (size < 4 || std::memcmp(data, kMagic, 4) != 0)
    throw FormatError("not a NiCodec bitstream (the file does not start with 'NICO'); was it made by nicodec, audiocodec or vidcodec encode?");
  if (size < 11) throw FormatError("the NiCodec bitstream is truncated (" + std::to_string(size) + " bytes)");
  const uint8_t version = data[4];
  if (version == 0 || version > Container::kFormatVersion)
    throw FormatError("the bitstream has container format version " + std::to_string(version) +
                      "; this build reads versions 1 to " + std::to_string(Container::kFormatVersion) +
                      ": update NiCodec to decode it");
  const size_t body = size - 4;
  ByteReader tail(data + body, 4, "bitstream");
  if (tail.u32() != crc32(data, body))
    throw FormatError("the bitstream is corrupted or truncated (CRC-32 mismatch)");

  ByteReader r(data + 5, body - 5, "bitstream");
  Container c;
  c.format_version = version;
  uint8_t kind = r.u8();
  if (kind > static_cast<uint8_t>(CodecKind::kVideo)) r.fail("unknown codec kind " + std::to_string(kind));
  c.codec = static_cast<CodecKind>(kind);
  c.model = r.string(Container::kMaxModelId, "model id length");
  c.model_version = static_cast<uint32_t>(r.varint_max(UINT32_MAX, "model version"));
  size_t np = static_cast<size_t>(r.varint_max(Container::kMaxParams, "parameter count"));
  for (size_t i = 0; i < np; ++i) {
    std::string key = r.string(Container::kMaxKey, "parameter name length");
    int64_t value = r.svarint();
    c.params.emplace_back(std::move(key), value);
  }
  size_t ns = static_cast<size_t>(r.varint_max(Container::kMaxSections, "section count"));
  for (size_t i = 0; i < ns; ++i) {
    Section s;
    s.name = r.string(Container::kMaxKey, "section name length");
    size_t len = static_cast<size_t>(r.varint_max(r.remaining(), "section length"));
    const uint8_t* p = r.bytes(len);
    s.data.assign(p, p + len);
    c.sections.push_back(std::move(s));
  }
  if (!r.at_end()) r.fail(std::to_string(r.remaining()) + " unexpected bytes after the last section");
  return c;
}

std::string describe_container(const Container& c, size_t file_bytes) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "NiCodec container v%d, %zu bytes, CRC-32 ok\n", c.format_version, file_bytes);
  out += line;
  std::snprintf(line, sizeof line, "  codec   %s\n  model   %s v%u\n", codec_kind_name(c.codec), c.model.c_str(), c.model_version);
  out += line;
  for (const auto& kv : c.params) {
    std::snprintf(line, sizeof line, "  param   %-8s %lld\n", kv.first.c_str(), static_cast<long long>(kv.second));
    out += line;
  }
  for (const auto& s : c.sections) {
    std::snprintf(line, sizeof line, "  section %-12s %zu bytes\n", s.name.c_str(), s.data.size());
    out += line;
  }
  if (c.has_param("w") && c.has_param("h") && c.param("w") > 0 && c.param("h") > 0) {
    std::snprintf(line, sizeof line, "  bpp     %.4f (whole file)\n",
                  8.0 * static_cast<double>(file_bytes) / (static_cast<double>(c.param("w")) * static_cast<double>(c.param("h"))));
    out += line;
  }
  return out;
}

}  // namespace nicodec
