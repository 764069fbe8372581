#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace nicodec {

Progress::Progress(std::string label, uint64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { finish(); }

void Progress::update(uint64_t done) {
  done_ = done;
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(false);
  } else {
    int decile = total_ ? static_cast<int>(10 * done_ / total_) : 0;
    if (decile != last_decile_) {
      last_decile_ = decile;
      draw(false);
    }
  }
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  const bool shown = !tty_ && last_decile_ == 10 && done_ == total_;  // the 100% line is already out
  done_ = total_;
  if (!shown) draw(true);
}

void Progress::draw(bool final_line) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double frac = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  char eta[32] = "";
  if (!final_line && frac > 0.0 && frac < 1.0) std::snprintf(eta, sizeof eta, ", ETA %.1f s", elapsed / frac - elapsed);
  std::fprintf(stderr, "%s%s %3d%% [%llu/%llu] %.1f s%s%s", tty_ ? "\r" : "", label_.c_str(),
               static_cast<int>(100 * frac), static_cast<unsigned long long>(done_),
               static_cast<unsigned long long>(total_), elapsed, eta, (tty_ && !final_line) ? "\033[K" : "\n");
  std::fflush(stderr);
}

}  // namespace nicodec
