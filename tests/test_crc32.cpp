#include <gtest/gtest.h>

#include <string>

#include "core/crc32.h"

namespace nicodec {
namespace {

uint32_t bitwise_crc32(const std::string& s) {  // naive reference: one bit at a time
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char ch : s) {
    crc ^= ch;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
  }
  return ~crc;
}

TEST(Crc32, CheckValueFromTheStandard) {
  // The CRC-32/ISO-HDLC catalogue check value for "123456789".
  EXPECT_EQ(crc32("123456789", 9), 0xCBF43926u);
  EXPECT_EQ(crc32("", 0), 0u);
}

TEST(Crc32, MatchesBitwiseReferenceAndChains) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>((i * 131 + 7) & 0xff));
  EXPECT_EQ(crc32(s.data(), s.size()), bitwise_crc32(s));
  uint32_t part = crc32(s.data(), 400);
  EXPECT_EQ(crc32(s.data() + 400, s.size() - 400, part), bitwise_crc32(s));
}

}  // namespace
}  // namespace nicodec
