#include "codecs/lossless/lossless_image.h"

#include <algorithm>
#include <cstdlib>

#include "core/container.h"
#include "core/error.h"
#include "entropy/binarization.h"

namespace nicodec::lossless {
namespace {

constexpr int kPlanes = 3, kActivityClasses = 10;

// Reversible colour transform of JPEG 2000: Y = floor((R + 2G + B) / 4), Cb = B - G, Cr = R - G.
void forward_rct(const Image& img, std::vector<int32_t> planes[kPlanes]) {
  const size_t n = static_cast<size_t>(img.width) * img.height;
  for (auto* p = planes; p != planes + kPlanes; ++p) p->resize(n);
  for (size_t i = 0; i < n; ++i) {
    const int r = img.rgb[3 * i], g = img.rgb[3 * i + 1], b = img.rgb[3 * i + 2];
    planes[0][i] = (r + 2 * g + b) >> 2;
    planes[1][i] = b - g;
    planes[2][i] = r - g;
  }
}

void inverse_rct(std::vector<int32_t> planes[kPlanes], Image& img) {
  const size_t n = static_cast<size_t>(img.width) * img.height;
  for (size_t i = 0; i < n; ++i) {
    const int g = planes[0][i] - ((planes[1][i] + planes[2][i]) >> 2);
    const int r = planes[2][i] + g, b = planes[1][i] + g;
    if ((r | g | b) & ~0xff) throw FormatError("lossless stream corrupted: pixel out of range");
    img.rgb[3 * i] = static_cast<uint8_t>(r);
    img.rgb[3 * i + 1] = static_cast<uint8_t>(g);
    img.rgb[3 * i + 2] = static_cast<uint8_t>(b);
  }
}

// MED prediction and an activity class from the causal neighbours a (left), b (up), c (up-left), d (up-right).
struct Neighbourhood {
  int32_t pred;
  int cls;
};

Neighbourhood predict(const int32_t* p, int w, int x, int y) {
  const int32_t* row = p + static_cast<size_t>(y) * w;
  const int32_t* up = y > 0 ? row - w : nullptr;
  const int32_t a = x > 0 ? row[x - 1] : (up ? up[x] : 0);
  const int32_t b = up ? up[x] : a;
  const int32_t c = (up && x > 0) ? up[x - 1] : b;
  const int32_t d = (up && x + 1 < w) ? up[x + 1] : b;
  int32_t pred;
  if (c >= std::max(a, b)) pred = std::min(a, b);
  else if (c <= std::min(a, b)) pred = std::max(a, b);
  else pred = a + b - c;
  const int activity = std::abs(d - b) + std::abs(b - c) + std::abs(c - a);
  int cls = 0;
  while (cls < kActivityClasses - 1 && activity >= (1 << cls)) ++cls;  // log2 classes
  return {pred, cls};
}

}  // namespace

std::vector<uint8_t> encode(const Image& img) {
  if (img.width < 1 || img.height < 1 || img.width > kMaxSide || img.height > kMaxSide ||
      int64_t{img.width} * img.height > kMaxPixels)
    throw UsageError("lossless: image sides must be 1.." + std::to_string(kMaxSide) + " and the area at most 2^28 pixels");
  std::vector<int32_t> planes[kPlanes];
  forward_rct(img, planes);
  std::vector<entropy::SignedIntContexts> ctx(kPlanes * kActivityClasses);
  entropy::CabacEncoder enc;
  for (int k = 0; k < kPlanes; ++k)
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        const Neighbourhood nb = predict(planes[k].data(), img.width, x, y);
        const int32_t value = planes[k][static_cast<size_t>(y) * img.width + x];
        entropy::encode_signed(enc, value - nb.pred, ctx[k * kActivityClasses + nb.cls], 16);
      }
  Container c;
  c.codec = CodecKind::kImage;
  c.model = kModelId;
  c.model_version = kModelVersion;
  c.set_param("w", img.width);
  c.set_param("h", img.height);
  c.add_section("residuals", enc.finish());
  return write_container(c);
}

Image decode(const std::vector<uint8_t>& bitstream) {
  const Container c = read_container(bitstream);
  c.expect(CodecKind::kImage, kModelId, kModelVersion);
  Image img;
  img.width = static_cast<int>(c.param_in("w", 1, kMaxSide));
  img.height = static_cast<int>(c.param_in("h", 1, kMaxSide));
  const Section& s = c.section("residuals");
  // Every pixel costs at least 3 bins and a bin at least 2^-16 bits: a stream this short cannot hold it all.
  const uint64_t pixels = static_cast<uint64_t>(img.width) * img.height;
  if (pixels > static_cast<uint64_t>(kMaxPixels)) throw FormatError("lossless: image larger than 2^28 pixels");
  if (pixels > (s.data.size() + 8) * 8ull * 65536ull / 3) throw FormatError("lossless stream too short for its image size");
  img.rgb.resize(pixels * 3);
  std::vector<int32_t> planes[kPlanes];
  std::vector<entropy::SignedIntContexts> ctx(kPlanes * kActivityClasses);
  entropy::CabacDecoder dec(s.data.data(), s.data.size());
  for (int k = 0; k < kPlanes; ++k) {
    planes[k].resize(pixels);
    const int32_t lo = k == 0 ? 0 : -255, hi = 255;
    for (int y = 0; y < img.height; ++y)
      for (int x = 0; x < img.width; ++x) {
        const Neighbourhood nb = predict(planes[k].data(), img.width, x, y);
        const int64_t v = int64_t{nb.pred} + entropy::decode_signed(dec, ctx[k * kActivityClasses + nb.cls], 16);
        if (v < lo || v > hi) throw FormatError("lossless stream corrupted: sample out of range");
        planes[k][static_cast<size_t>(y) * img.width + x] = static_cast<int32_t>(v);
      }
  }
  dec.finish();
  inverse_rct(planes, img);
  return img;
}

}  // namespace nicodec::lossless
