// Test helper: runs a shell command and returns what it printed (stdout and stderr).
#pragma once
#include <cstdio>
#include <string>

namespace nicodec::testing {

inline std::string run_command(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  pclose(p);
  return out;
}

}  // namespace nicodec::testing
