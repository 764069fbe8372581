// Image files through OpenCV: PNG, JPEG, PPM/PGM, TIFF, WebP, BMP. Everything becomes 8-bit RGB; what was
// converted on the way (grayscale, 16-bit, alpha dropped) is reported as notices the app can print.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace nicodec {

struct Image {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // height * width * 3, row-major, R G B
  uint8_t* pixel(int x, int y) { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
  const uint8_t* pixel(int x, int y) const { return &rgb[(static_cast<size_t>(y) * width + x) * 3]; }
};

// Throws Error naming the file and the reason (missing, not an image, unsupported depth).
Image read_image(const std::string& path, std::vector<std::string>* notices = nullptr);
// The format follows the extension (.png, .ppm, .jpg, .tif, .webp, .bmp); written atomically.
void write_image(const std::string& path, const Image& img);

}  // namespace nicodec
