#include "codecs/common/image_tensor.h"

namespace nicodec::codecs {

torch::Tensor image_to_tensor(const Image& img) {
  return torch::from_blob(const_cast<uint8_t*>(img.rgb.data()), {1, img.height, img.width, 3}, torch::kUInt8)
      .permute({0, 3, 1, 2})
      .to(torch::kFloat)
      .div_(255.0);
}

Image tensor_to_image(const torch::Tensor& x) {
  auto px = x.mul(255.0).round_().clamp_(0, 255).to(torch::kCPU, torch::kUInt8).squeeze(0).permute({1, 2, 0}).contiguous();
  Image img;
  img.height = static_cast<int>(px.size(0));
  img.width = static_cast<int>(px.size(1));
  img.rgb.assign(px.data_ptr<uint8_t>(), px.data_ptr<uint8_t>() + px.numel());
  return img;
}

}  // namespace nicodec::codecs
