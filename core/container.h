// The NiCodec bitstream container shared by every codec. Layout and rules: docs/bitstream.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nicodec {

enum class CodecKind : uint8_t { kTest = 0, kImage = 1, kAudio = 2, kVideo = 3 };
const char* codec_kind_name(CodecKind k);

struct Section {
  std::string name;
  std::vector<uint8_t> data;
};

struct Container {
  static constexpr uint8_t kFormatVersion = 1;
  static constexpr size_t kMaxModelId = 64, kMaxKey = 32, kMaxParams = 64, kMaxSections = 256;

  uint8_t format_version = kFormatVersion;  // as read; files are always written in kFormatVersion
  CodecKind codec = CodecKind::kTest;
  std::string model;           // model identifier, e.g. "image-hyperprior"
  uint32_t model_version = 0;  // bumped whenever weights change so old files cannot decode silently wrong
  std::vector<std::pair<std::string, int64_t>> params;  // what the decoder needs: sizes, rates, quality, ...
  std::vector<Section> sections;                        // payloads, in order

  void set_param(const std::string& key, int64_t value);
  bool has_param(const std::string& key) const;
  int64_t param(const std::string& key) const;  // throws FormatError naming the missing key
  // param() checked against [lo, hi]; a hostile file cannot make a caller allocate a huge buffer.
  int64_t param_in(const std::string& key, int64_t lo, int64_t hi) const;
  void add_section(std::string name, std::vector<uint8_t> data);
  const Section& section(const std::string& name) const;  // throws FormatError naming the missing section

  // Throws FormatError if this file was made for another codec or another model (version).
  void expect(CodecKind kind, const std::string& model_id, uint32_t version) const;
};

std::vector<uint8_t> write_container(const Container& c);
// Parses and verifies (magic, version, limits, CRC-32). Throws FormatError with a readable reason.
Container read_container(const uint8_t* data, size_t size);
inline Container read_container(const std::vector<uint8_t>& bytes) {
  return read_container(bytes.data(), bytes.size());
}
// A human-readable listing (codec, model, params, sections, bpp where w and h are known) for `info` commands.
std::string describe_container(const Container& c, size_t file_bytes);

}  // namespace nicodec
