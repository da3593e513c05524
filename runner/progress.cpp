#include "runner/progress.h"

#include <unistd.h>

#include <iostream>

namespace monsim::harness {

Progress::Progress(std::chrono::seconds plainEvery)
    : tty_(isatty(STDERR_FILENO)), plainEvery_(plainEvery) {}

void Progress::status(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tty_) {
    std::cerr << "\r\033[K" << line.substr(0, 200) << std::flush;
    shown_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < plainEvery_) return;
  last_ = now;
  std::cerr << line << "\n";
}

void Progress::say(const std::string& text) {
  std::lock_guard<std::mutex> lock(mu_);
  if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
  std::cout << text << std::flush;
}

void Progress::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  if (tty_ && shown_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
}

}  // namespace monsim::harness
