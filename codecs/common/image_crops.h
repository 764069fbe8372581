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
  // zoom_prob: the share of crops taken from a smaller square (side crop / s, s uniform in [1, max_zoom]) and
  // scaled up to crop x crop with bilinear interpolation. Photos downscaled for a small training set are dense
  // with detail; zoomed crops add the smooth areas (skies, walls) that real pictures are full of.
  ImageCrops(const std::string& dir, int64_t crop, double zoom_prob = 0, double max_zoom = 3);
  size_t size() const { return images_.size(); }
  // A batch [B, 3, crop, crop] float in [0, 1]: random image, random position, random flip / transpose, zoomed
  // as above.
  torch::Tensor batch(int64_t b, std::mt19937_64& rng) const;

 private:
  int64_t crop_;
  double zoom_prob_, max_zoom_;
  std::vector<torch::Tensor> images_;  // uint8 [3, H, W]
};

}  // namespace nicodec::codecs
