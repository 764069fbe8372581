// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as used by zlib, PNG and gzip.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nicodec {

// Continues a CRC: crc32(b, crc32(a)) == crc32(a ++ b). Start with crc = 0.
uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace nicodec
