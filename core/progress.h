// A progress line for long work on stderr: "label  42% [420/1000] 3.1 s, ETA 4.2 s".
// On a terminal it redraws in place at most 10 times a second; otherwise it prints a line every 10%.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>

namespace nicodec {

class Progress {
 public:
  Progress(std::string label, uint64_t total, bool enabled = true);
  ~Progress();
  void update(uint64_t done);  // absolute count
  void finish();

 private:
  void draw(bool final_line);
  std::string label_;
  uint64_t total_, done_ = 0;
  bool enabled_, tty_, finished_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace nicodec
