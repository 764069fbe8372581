#include <gtest/gtest.h>

#include <limits>

#include "core/byte_io.h"

namespace nicodec {
namespace {

TEST(ByteIo, VarintsRoundTripAcrossTheRange) {
  ByteWriter w;
  std::vector<uint64_t> u = {0, 1, 127, 128, 300, 16383, 16384, uint64_t{1} << 35, std::numeric_limits<uint64_t>::max()};
  std::vector<int64_t> s = {0, -1, 1, -64, 64, -65, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  for (auto v : u) w.varint(v);
  for (auto v : s) w.svarint(v);
  w.u16(0xBEEF);
  w.u32(0xDEADBEEF);
  w.u64(0x0123456789ABCDEFull);
  w.string("hello");
  ByteReader r(w.data().data(), w.size());
  for (auto v : u) EXPECT_EQ(r.varint(), v);
  for (auto v : s) EXPECT_EQ(r.svarint(), v);
  EXPECT_EQ(r.u16(), 0xBEEF);
  EXPECT_EQ(r.u32(), 0xDEADBEEFu);
  EXPECT_EQ(r.u64(), 0x0123456789ABCDEFull);
  EXPECT_EQ(r.string(10, "s"), "hello");
  EXPECT_TRUE(r.at_end());
  EXPECT_EQ(w.data()[0], 0);  // varint(0) is one zero byte
}

TEST(ByteIo, ReaderRefusesToReadPastTheEnd) {
  const uint8_t three[3] = {1, 2, 3};
  ByteReader r(three, 3);
  EXPECT_THROW(r.u32(), FormatError);
  const uint8_t endless[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  ByteReader r2(endless, sizeof endless);
  EXPECT_THROW(r2.varint(), FormatError);
  const uint8_t cont[2] = {0x80, 0x80};
  ByteReader r3(cont, 2);
  EXPECT_THROW(r3.varint(), FormatError);
  ByteWriter w;
  w.varint(1000);
  ByteReader r4(w.data().data(), w.size());
  EXPECT_THROW(r4.varint_max(999, "len"), FormatError);
  ByteWriter w2;
  w2.string("abcdef");
  ByteReader r5(w2.data().data(), w2.size() - 1);
  EXPECT_THROW(r5.string(100, "s"), FormatError);
}

}  // namespace
}  // namespace nicodec
