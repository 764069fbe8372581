#include "codecs/common/image_crops.h"

#include <algorithm>
#include <filesystem>

#include "core/error.h"
#include "core/media/image_io.h"

namespace nicodec::codecs {

ImageCrops::ImageCrops(const std::string& dir, int64_t crop, double zoom_prob, double max_zoom)
    : crop_(crop), zoom_prob_(zoom_prob), max_zoom_(max_zoom) {
  namespace fs = std::filesystem;
  if (!(zoom_prob >= 0 && zoom_prob <= 1) || !(max_zoom >= 1))
    throw UsageError("zoomed crops: the share must be in [0, 1] and the largest zoom at least 1");
  if (!fs::is_directory(dir)) throw Error("training images: '" + dir + "' is not a folder (build it with data/build_image_sets.sh)");
  std::vector<std::string> paths;
  for (const auto& e : fs::directory_iterator(dir)) {
    auto ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".ppm" || ext == ".tif" || ext == ".tiff" ||
        ext == ".webp" || ext == ".bmp")
      paths.push_back(e.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    Image img = read_image(p);
    if (img.width < crop || img.height < crop) continue;
    auto t = torch::from_blob(img.rgb.data(), {img.height, img.width, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
    images_.push_back(t);
  }
  if (images_.empty())
    throw Error("training images: no image of at least " + std::to_string(crop) + "x" + std::to_string(crop) +
                " pixels in '" + dir + "'");
}

torch::Tensor ImageCrops::batch(int64_t b, std::mt19937_64& rng) const {
  std::vector<torch::Tensor> crops;
  crops.reserve(static_cast<size_t>(b));
  for (int64_t i = 0; i < b; ++i) {
    const auto& img = images_[std::uniform_int_distribution<size_t>(0, images_.size() - 1)(rng)];
    const bool zoom = zoom_prob_ > 0 && std::uniform_real_distribution<double>(0, 1)(rng) < zoom_prob_;
    const double s = zoom ? std::uniform_real_distribution<double>(1, max_zoom_)(rng) : 1.0;
    const int64_t side = std::max<int64_t>(2, static_cast<int64_t>(std::lround(static_cast<double>(crop_) / s)));
    const int64_t h = img.size(1), w = img.size(2);
    const int64_t y0 = std::uniform_int_distribution<int64_t>(0, h - side)(rng);
    const int64_t x0 = std::uniform_int_distribution<int64_t>(0, w - side)(rng);
    auto c = img.narrow(1, y0, side).narrow(2, x0, side).to(torch::kFloat).div(255.0);
    if (side != crop_)
      c = torch::nn::functional::interpolate(
              c.unsqueeze(0), torch::nn::functional::InterpolateFuncOptions()
                                  .size(std::vector<int64_t>{crop_, crop_})
                                  .mode(torch::kBilinear)
                                  .align_corners(false))
              .squeeze(0);
    const auto r = rng();
    if (r & 1) c = c.flip({2});
    if (r & 2) c = c.flip({1});
    if (r & 4) c = c.transpose(1, 2);
    crops.push_back(c);
  }
  return torch::stack(crops).contiguous();
}

}  // namespace nicodec::codecs
