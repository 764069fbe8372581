#include "core/media/image_io.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/error.h"
#include "core/file_io.h"

namespace nicodec {

Image read_image(const std::string& path, std::vector<std::string>* notices) {
  require_input_file(path, "'" + path + "'", "an image");
  cv::Mat m = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (m.empty())
    throw Error("cannot read '" + path + "' as an image: supported are PNG, JPEG, PPM/PGM, TIFF, WebP and BMP");
  auto note = [&](const std::string& s) {
    if (notices) notices->push_back(path + ": " + s);
  };
  if (m.depth() == CV_16U) {
    m.convertTo(m, CV_8U, 1.0 / 257.0);
    note("16-bit image converted to 8 bits per channel");
  } else if (m.depth() != CV_8U) {
    throw Error("'" + path + "' has an unsupported sample type (only 8- and 16-bit integer images are supported)");
  }
  cv::Mat rgb;
  switch (m.channels()) {
    case 1:
      cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
      note("grayscale image converted to RGB");
      break;
    case 3: cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB); break;
    case 4:
      cv::cvtColor(m, rgb, cv::COLOR_BGRA2RGB);
      note("alpha channel dropped (transparency is not coded)");
      break;
    default: throw Error("'" + path + "' has " + std::to_string(m.channels()) + " channels; expected 1, 3 or 4");
  }
  Image img;
  img.width = rgb.cols;
  img.height = rgb.rows;
  img.rgb.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y)
    std::copy(rgb.ptr<uint8_t>(y), rgb.ptr<uint8_t>(y) + img.width * 3, img.pixel(0, y));
  return img;
}

void write_image(const std::string& path, const Image& img) {
  if (img.width <= 0 || img.height <= 0 || img.rgb.size() != static_cast<size_t>(img.width) * img.height * 3)
    throw UsageError("write_image: image buffer does not match its size");
  std::filesystem::path p(path);
  if (p.extension().empty()) throw Error("'" + path + "' has no extension: add .png, .ppm, .jpg, .tif or .webp");
  // Temp name keeps the extension so OpenCV picks the same format.
  std::filesystem::path tmp = p;
  tmp.replace_filename(p.stem().string() + ".tmp-" + std::to_string(::getpid()) + p.extension().string());
  cv::Mat rgb(img.height, img.width, CV_8UC3, const_cast<uint8_t*>(img.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  bool ok = false;
  try {
    ok = cv::imwrite(tmp.string(), bgr);
  } catch (const cv::Exception& e) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "': " + e.what());
  }
  if (!ok) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "': unknown image format or unwritable folder");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, p, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error("cannot write '" + path + "': " + ec.message());
  }
}

}  // namespace nicodec
