// Classical image codecs run for real through their command-line tools (Debian packages), as anchors for
// rate-distortion comparisons. Each anchor encodes a PPM/PNG, decodes back to PNG, and reports the size of the
// file it wrote: no typed-in numbers.
#pragma once
#include <string>
#include <vector>

namespace nicodec::eval {

struct Anchor {
  std::string name;         // e.g. "jpeg420"
  std::string description;  // tool and settings, for the report
  std::string extension;    // of the coded file
  std::vector<double> params;  // the sweep, roughly 0.03 .. 2 bpp on Kodak-like photos
  double min_param, max_param;  // the setting's valid range, for bisection
  bool higher_is_better;        // a larger setting gives more bits
  bool integer;                 // the tool takes whole numbers only
  std::string tool;            // executable that must exist
  // Shell commands; {in} is a PPM and {png} a PNG of the same picture, {out} the coded file, {dec} the decoded PNG.
  std::string encode, decode;
  std::string cache_tag = {};  // mixed into the result cache key (e.g. a model file's CRC)
  // For a codec with its own rate control: the encode command with {param} = target bpp. rdeval's --bpp mode runs
  // it once instead of bisecting the setting (what a user of `nicodec encode --bpp X` gets); empty: bisection.
  std::string encode_at_target = {};
};

// The classical anchors, then "nicodec", "nicodec-fast", "nicodec-bpp" and "nicodec-float" (our learned codec with
// refinement, without it, through --bpp targets with the command's defaults, and with its float
// synthesis, run through its own binary next to this program's, with the model nicodec finds) when that binary
// exists.
std::vector<Anchor> image_anchors();
std::vector<Anchor> classical_anchors();
const Anchor& find_anchor(const std::string& name);  // throws UsageError listing the names
bool tool_available(const std::string& tool);
// The anchors named, each checked installed (Error naming the missing tool otherwise); `find` is one of the
// find_*anchor functions.
std::vector<const Anchor*> installed(const std::vector<std::string>& names, const Anchor& (*find)(const std::string&));
// The files of `dir` with one of the extensions (".wav", ...), sorted; Error naming how_to_build when the folder
// is missing or holds none.
std::vector<std::string> media_files(const std::string& dir, const std::vector<std::string>& extensions,
                                     const std::string& how_to_build);
// Runs a shell command with its stderr appended to log_file; returns the shell's status.
int run_tool(const std::string& cmd, const std::string& log_file);
// run_tool, timed: returns the wall-clock seconds and stores the shell's status in *status.
double timed_tool(const std::string& cmd, const std::string& log_file, int* status);
// Speech and audio anchors, run through FFmpeg: {in} is a 16 kHz mono WAV, {out} the coded file, {dec} the
// decoded 16 kHz WAV; params are bitrates (Opus: kbit/s; Codec2: its mode in bit/s, 700 meaning 700C). Then
// "audiocodec" (ours, param = its --kbps cap) and "audiocodec-stages" (param = --stages) when its binary is beside this program's and its model is found.
std::vector<Anchor> audio_anchors();
const Anchor& find_audio_anchor(const std::string& name);
// Video anchors through FFmpeg, low delay as learned video coding papers run them (zerolatency, no B-frames,
// fixed intra period): {in} a y4m clip, {out} the coded stream, {dec} the decoded y4m, {param} the CRF,
// {gop} the intra period (9999 for "first frame only"), {period} the same as vidcodec takes it (-1 for "first
// frame only"), {frames} the frame count. Then "vidcodec" and "vidcodec-intra" (ours) when the vidcodec binary is
// beside this program's and the image model is found.
std::vector<Anchor> video_anchors();
const Anchor& find_video_anchor(const std::string& name);
// Fills a template: {param} with the parameter, {ratio} with 24/param (JPEG 2000), paths single-quoted.
std::string fill(const std::string& tmpl, double param, const std::string& in, const std::string& png,
                 const std::string& out, const std::string& dec);

}  // namespace nicodec::eval
