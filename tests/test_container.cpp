#include <gtest/gtest.h>

#include <random>

#include "core/container.h"
#include "core/crc32.h"
#include "core/error.h"

namespace nicodec {
namespace {

Container sample() {
  Container c;
  c.codec = CodecKind::kImage;
  c.model = "image-hyperprior";
  c.model_version = 3;
  c.set_param("w", 768);
  c.set_param("h", 512);
  c.set_param("q", -5);
  c.add_section("hyper", {1, 2, 3});
  std::vector<uint8_t> big(5000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
  c.add_section("latent", big);
  c.add_section("empty", {});
  return c;
}

TEST(Container, RoundTrip) {
  Container c = sample();
  std::vector<uint8_t> bytes = write_container(c);
  Container d = read_container(bytes);
  EXPECT_EQ(d.codec, c.codec);
  EXPECT_EQ(d.model, c.model);
  EXPECT_EQ(d.model_version, 3u);
  EXPECT_EQ(d.params, c.params);
  ASSERT_EQ(d.sections.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(d.sections[i].name, c.sections[i].name);
    EXPECT_EQ(d.sections[i].data, c.sections[i].data);
  }
  EXPECT_EQ(d.param("w"), 768);
  EXPECT_EQ(d.param_in("q", -10, 10), -5);
  EXPECT_THROW(d.param_in("w", 1, 100), FormatError);
  EXPECT_THROW(d.param("missing"), FormatError);
  EXPECT_THROW(d.section("missing"), FormatError);
  EXPECT_NO_THROW(d.expect(CodecKind::kImage, "image-hyperprior", 3));
  EXPECT_THROW(d.expect(CodecKind::kImage, "image-hyperprior", 4), FormatError);
  EXPECT_THROW(d.expect(CodecKind::kAudio, "image-hyperprior", 3), FormatError);
}

TEST(Container, HeaderOverheadIsSmall) {
  Container c;
  c.codec = CodecKind::kImage;
  c.model = "img";
  c.set_param("w", 768);
  c.set_param("h", 512);
  c.add_section("y", {});
  // magic 4 + version 1 + kind 1 + model 4 + mversion 1 + params (1 + 2*(2+2)) + sections (1 + 3) + crc 4
  EXPECT_EQ(write_container(c).size(), 4u + 1 + 1 + 4 + 1 + 9 + 4 + 4);
}

TEST(Container, RejectsEmptyWrongTypeAndNewerVersions) {
  EXPECT_THROW(read_container(nullptr, 0), FormatError);
  std::vector<uint8_t> png = {0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
  try {
    read_container(png);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("not a NiCodec bitstream"), std::string::npos);
  }
  std::vector<uint8_t> bytes = write_container(sample());
  bytes[4] = Container::kFormatVersion + 1;
  try {
    read_container(bytes);
    FAIL();
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("update NiCodec"), std::string::npos);
  }
}

TEST(Container, EveryTruncationAndEveryByteFlipIsRejected) {
  const std::vector<uint8_t> bytes = write_container(sample());
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_THROW(read_container(bytes.data(), n), FormatError) << n;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::vector<uint8_t> bad = bytes;
    bad[i] ^= 0x10;
    EXPECT_THROW(read_container(bad), FormatError) << i;
  }
}

TEST(Container, HostileLengthsWithAValidChecksumAreRejectedBeforeAllocating) {
  // A forged header claiming a 2^60-byte section, with a correct CRC: must fail on the length check.
  std::vector<uint8_t> b = {'N', 'I', 'C', 'O', 1, 1, 0, 0, 0, 1, 1, 'x'};
  for (int i = 0; i < 8; ++i) b.push_back(0xff);
  b.push_back(0x0f);
  uint32_t crc = crc32(b.data(), b.size());
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  EXPECT_THROW(read_container(b), FormatError);
}

}  // namespace
}  // namespace nicodec
