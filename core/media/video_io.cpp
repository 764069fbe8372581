#include "core/media/video_io.h"


#include <filesystem>

#include "core/error.h"
#include "core/media/ffmpeg_util.h"
#include "core/media/video_encode.h"

extern "C" {
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>
}

namespace nicodec {

void Frame420::resize(int w, int h) {
  width = w;
  height = h;
  y.resize(static_cast<size_t>(w) * h);
  u.resize(static_cast<size_t>(chroma_width()) * chroma_height());
  v.resize(u.size());
}

constexpr int kMaxDim = 16384;

struct VideoReader::Impl {
  std::unique_ptr<ffmpeg::Input> in;
  std::unique_ptr<ffmpeg::Decoder> dec;
  SwsContext* sws = nullptr;
  ~Impl() { sws_freeContext(sws); }
};

VideoReader::VideoReader(const std::string& path, const RawVideoOptions& raw) : impl_(new Impl) {
  if (path != "-") require_input_file(path, "'" + path + "'", "a video");
  const bool is_raw = std::filesystem::path(path).extension() == ".yuv";
  AVDictionary* opts = nullptr;
  if (is_raw) {
    if (raw.width < 1 || raw.height < 1 || raw.width > kMaxDim || raw.height > kMaxDim)
      throw Error("'" + path + "' is raw YUV without a header: give its size, e.g. --size 1920x1080");
    av_dict_set(&opts, "video_size", (std::to_string(raw.width) + "x" + std::to_string(raw.height)).c_str(), 0);
    av_dict_set(&opts, "pixel_format", "yuv420p", 0);
    av_dict_set(&opts, "framerate", (std::to_string(raw.fps_num) + "/" + std::to_string(raw.fps_den)).c_str(), 0);
  }
  try {
    impl_->in = std::make_unique<ffmpeg::Input>(path, is_raw ? "rawvideo" : nullptr, &opts);
  } catch (...) {
    av_dict_free(&opts);
    throw;
  }
  av_dict_free(&opts);
  impl_->dec = std::make_unique<ffmpeg::Decoder>(*impl_->in, AVMEDIA_TYPE_VIDEO);
  const AVCodecContext* c = impl_->dec->context();
  if (c->width < 1 || c->height < 1 || c->width > kMaxDim || c->height > kMaxDim)
    throw Error("'" + path + "' has an unsupported frame size " + std::to_string(c->width) + "x" + std::to_string(c->height));
}

VideoReader::~VideoReader() = default;

int VideoReader::width() const { return impl_->dec->context()->width; }
int VideoReader::height() const { return impl_->dec->context()->height; }
double VideoReader::fps() const {
  AVRational r = impl_->dec->stream()->avg_frame_rate;
  if (r.num <= 0 || r.den <= 0) r = impl_->dec->stream()->r_frame_rate;
  return (r.num > 0 && r.den > 0) ? av_q2d(r) : 30.0;
}

bool VideoReader::read(Frame420& frame) {
  return impl_->dec->next_frame([&](AVFrame* f) {
    if (f->width < 1 || f->height < 1 || f->width > kMaxDim || f->height > kMaxDim) throw Error("video frame of unsupported size");
    frame.resize(f->width, f->height);
    uint8_t* dst[4] = {frame.y.data(), frame.u.data(), frame.v.data(), nullptr};
    int stride[4] = {frame.width, frame.chroma_width(), frame.chroma_width(), 0};
    if (f->format == AV_PIX_FMT_YUV420P || f->format == AV_PIX_FMT_YUVJ420P) {
      av_image_copy_plane(dst[0], stride[0], f->data[0], f->linesize[0], f->width, f->height);
      av_image_copy_plane(dst[1], stride[1], f->data[1], f->linesize[1], frame.chroma_width(), frame.chroma_height());
      av_image_copy_plane(dst[2], stride[2], f->data[2], f->linesize[2], frame.chroma_width(), frame.chroma_height());
      return;
    }
    impl_->sws = sws_getCachedContext(impl_->sws, f->width, f->height, static_cast<AVPixelFormat>(f->format), f->width,
                                      f->height, AV_PIX_FMT_YUV420P, SWS_BICUBIC | SWS_ACCURATE_RND, nullptr, nullptr, nullptr);
    if (!impl_->sws) throw Error("cannot convert this video's pixel format to YUV 4:2:0");
    sws_scale(impl_->sws, f->data, f->linesize, 0, f->height, dst, stride);
  });
}

VideoWriter::VideoWriter(const std::string& path, int width, int height, int fps_num, int fps_den)
    : y4m_(path == "-" || std::filesystem::path(path).extension() == ".y4m"), width_(width), height_(height) {
  if (width < 1 || height < 1 || width > kMaxDim || height > kMaxDim) throw UsageError("VideoWriter: bad frame size");
  const auto ext = std::filesystem::path(path).extension();
  if (path != "-" && (ext == ".mp4" || ext == ".mkv")) {
    encoded_ = std::make_unique<EncodedVideoWriter>(path, width, height, fps_num, fps_den);
    return;
  }
  out_ = std::make_unique<AtomicFileWriter>(path);
  if (y4m_) {
    const std::string header = "YUV4MPEG2 W" + std::to_string(width) + " H" + std::to_string(height) + " F" +
                               std::to_string(fps_num) + ":" + std::to_string(fps_den) + " Ip A1:1 C420jpeg\n";
    out_->write(header.data(), header.size());
  }
}

VideoWriter::~VideoWriter() = default;

void VideoWriter::write(const Frame420& fr) {
  if (fr.width != width_ || fr.height != height_) throw UsageError("VideoWriter: frame size differs from the stream's");
  if (encoded_) return encoded_->write(fr);
  if (!out_) throw UsageError("VideoWriter: already closed");
  if (y4m_) out_->write("FRAME\n", 6);
  out_->write(fr.y.data(), fr.y.size());
  out_->write(fr.u.data(), fr.u.size());
  out_->write(fr.v.data(), fr.v.size());
}

void VideoWriter::close() {
  if (encoded_) return encoded_->close();
  if (!out_) return;
  out_->commit();
  out_.reset();
}

}  // namespace nicodec
