// Small helpers the codec apps (nicodec, audiocodec, vidcodec) share.
#pragma once
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

namespace nicodec::apps {

// Argument spelling: our docs and habits from other tools spell long options with one dash ("-bpp 0.05",
// "-kbps 1.4"); CLI11 reads one-dash words as bundles of short flags, so the long names listed are rewritten to
// two dashes. Returns the arguments reversed, as CLI11's vector parse() takes them.
inline std::vector<std::string> cli_args(int argc, char** argv, std::initializer_list<const char*> long_names) {
  std::vector<std::string> out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    for (const char* name : long_names)
      if (a == std::string("-") + name || a.rfind(std::string("-") + name + "=", 0) == 0) a = "-" + a;
    out.push_back(a);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// The default output name: the input's with another extension.
inline std::string with_extension(const std::string& path, const std::string& ext) {
  return std::filesystem::path(path).replace_extension(ext).string();
}

}  // namespace nicodec::apps
