#pragma once
// A child process with pipes on stdin/stdout (stderr captured separately),
// line-oriented reads with deadlines, and a kill that always reaps. Used to
// drive interpreters: a hang or crash becomes a value, never a harness crash.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace monsim::harness {

class Process {
 public:
  Process() = default;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  Process(Process&& o) noexcept;
  Process& operator=(Process&& o) noexcept;
  ~Process();

  // Starts argv[0] (searched in PATH) with argv. Returns an error text on failure.
  std::optional<std::string> start(const std::vector<std::string>& argv);
  bool running() const { return pid_ > 0; }

  // Writes all of `data` to the child's stdin; false if the child is gone.
  bool write(const std::string& data);
  void closeStdin();

  enum class ReadStatus { Line, Timeout, Eof };
  // Reads one line (without '\n') before the deadline.
  ReadStatus readLine(std::string& line, std::chrono::milliseconds timeout);

  // Everything the child wrote to stderr so far (drained without blocking).
  std::string drainStderr();
  // The running child's resident memory in kB (Linux /proc); nullopt when unknown.
  std::optional<long> residentKb() const;
  // Its proportional share of resident memory in kB (Pss: pages shared with a forked
  // copy count half to each), what groupUse adds up; nullopt when unknown.
  std::optional<long> proportionalKb() const;
  // What the child's process group holds now (Linux /proc; nullopt when unknown): the
  // child leads a group of its own, and what it starts stays in it unless it leaves.
  struct GroupUse {
    int processes = 0;        // the child included
    long proportionalKb = 0;  // Pss summed: a fork's shared pages are not counted twice
  };
  std::optional<GroupUse> groupUse() const;
  // Sends `sig` to the child, then collects what it writes to stderr for up to `wait`.
  std::string signalAndCollect(int sig, std::chrono::milliseconds wait);

  // Kills (SIGKILL) if still running, reaps, and returns the wait status text
  // ("exit 0", "signal 9").
  std::string kill();
  // Waits for a clean exit up to `timeout`; kills after that.
  std::string wait(std::chrono::milliseconds timeout);

 private:
  void pump(bool block, std::chrono::milliseconds timeout);
  std::string reap(bool block);

  pid_t pid_ = -1;
  pid_t group_ = -1;  // outlives the child: what it started may still run
  int in_ = -1, out_ = -1, err_ = -1;
  std::string outBuf_, errBuf_;
  size_t outScanned_ = 0;  // outBuf_ holds no newline before this: a long line is
                           // searched once, not once per read
  bool outEof_ = false;
  std::string status_;
};

struct RunResult {
  bool timedOut = false;
  std::string status;  // "exit N" or "signal N"
  std::string out, err;
};

// Runs a command to completion with `input` on stdin and a time limit.
RunResult runCommand(const std::vector<std::string>& argv, const std::string& input,
                     std::chrono::milliseconds timeout);

}  // namespace monsim::harness
