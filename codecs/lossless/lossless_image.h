// A lossless image codec on the entropy layer (LOCO-I/JPEG-LS ideas): reversible colour transform, the median
// edge detector (MED) predictor, and prediction residuals coded with CABAC in contexts chosen by local
// activity. It is the suite's exact-reconstruction path and an end-to-end check of core + entropy.
#pragma once
#include <cstdint>
#include <vector>

#include "core/media/image_io.h"

namespace nicodec::lossless {

constexpr const char* kModelId = "lossless-med";
constexpr uint32_t kModelVersion = 1;
constexpr int kMaxSide = 1 << 16;         // sides above this are refused
constexpr int64_t kMaxPixels = 1ll << 28;  // so is an image above 268 Mpixel, before anything is allocated

// Returns a complete NiCodec container.
std::vector<uint8_t> encode(const Image& img);
// Throws FormatError on a damaged or foreign file.
Image decode(const std::vector<uint8_t>& bitstream);

}  // namespace nicodec::lossless
