#pragma once
// The one status line of a long run: redrawn in place on a terminal (stderr), or
// printed every `plainEvery` when stderr is a file. Lines printed through `say`
// never get glued to the status line.
#include <chrono>
#include <mutex>
#include <string>

namespace monsim::harness {

class Progress {
 public:
  explicit Progress(std::chrono::seconds plainEvery = std::chrono::seconds(30));
  bool tty() const { return tty_; }
  // A new status; on a terminal drawn at once, otherwise at most every plainEvery.
  void status(const std::string& line);
  // Prints `text` (which should end with a newline) to stdout above the status line.
  void say(const std::string& text);
  // Removes the status line (call before the final summary).
  void clear();

 private:
  bool tty_;
  std::chrono::seconds plainEvery_;
  std::chrono::steady_clock::time_point last_{};
  bool shown_ = false;
  std::mutex mu_;
};

}  // namespace monsim::harness
