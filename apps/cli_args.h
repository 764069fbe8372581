// Argument spelling shared by the codec apps. Our docs and habits from other tools spell long options with one
// dash ("-bpp 0.05", "-kbps 1.4"); CLI11 reads one-dash words as bundles of short flags, so the long names
// listed are rewritten to two dashes. Returns the arguments reversed, as CLI11's vector parse() takes them.
#pragma once
#include <algorithm>
#include <initializer_list>
#include <string>
#include <vector>

namespace nicodec::apps {

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

}  // namespace nicodec::apps
