// Random training crops from a folder of photos, held in memory as 8-bit RGB (a pool of ~50 photos fits easily).
#pragma once
#include <torch/torch.h>

#include <random>
#include <string>
#include <vector>

namespace nicodec::codecs {

class ImageCrops {
 public:
  // Loads every image in `dir` (png, jpg, jpeg, ppm, tif, tiff, webp, bmp) at least `crop` pixels on each side.
  // Throws Error if none is usable.
  ImageCrops(const std::string& dir, int64_t crop);
  size_t size() const { return images_.size(); }
  // A batch [B, 3, crop, crop] float in [0, 1]: random image, random position, random flip / transpose.
  torch::Tensor batch(int64_t b, std::mt19937_64& rng) const;

 private:
  int64_t crop_;
  std::vector<torch::Tensor> images_;  // uint8 [3, H, W]
};

}  // namespace nicodec::codecs
