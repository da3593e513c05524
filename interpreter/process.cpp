#include "interpreter/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string_view>

extern char** environ;

namespace monsim::harness {

namespace {

void closeFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string statusText(int st) {
  if (WIFEXITED(st)) return "exit " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return "signal " + std::to_string(WTERMSIG(st));
  return "unknown";
}

}  // namespace

Process::Process(Process&& o) noexcept { *this = std::move(o); }

Process& Process::operator=(Process&& o) noexcept {
  if (this != &o) {
    kill();
    pid_ = o.pid_;
    group_ = o.group_;
    in_ = o.in_;
    out_ = o.out_;
    err_ = o.err_;
    outBuf_ = std::move(o.outBuf_);
    outScanned_ = o.outScanned_;
    errBuf_ = std::move(o.errBuf_);
    outEof_ = o.outEof_;
    status_ = std::move(o.status_);
    o.pid_ = o.group_ = -1;
    o.in_ = o.out_ = o.err_ = -1;
  }
  return *this;
}

Process::~Process() { kill(); }

std::optional<std::string> Process::start(const std::vector<std::string>& argv) {
  int pin[2], pout[2], perr[2];
  if (::pipe2(pin, O_CLOEXEC) || ::pipe2(pout, O_CLOEXEC) || ::pipe2(perr, O_CLOEXEC))
    return std::string("pipe: ") + std::strerror(errno);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
  posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
  posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // Its own process group: a Ctrl-C at the terminal reaches monsim, which stops
  // cleanly, and not the interpreters it drives (they would die mid-scenario).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  ::close(pin[0]);
  ::close(pout[1]);
  ::close(perr[1]);
  if (rc != 0) {
    ::close(pin[1]);
    ::close(pout[0]);
    ::close(perr[0]);
    return "cannot start " + argv[0] + ": " + std::strerror(rc);
  }
  pid_ = group_ = pid;
  in_ = pin[1];
  out_ = pout[0];
  err_ = perr[0];
  ::fcntl(out_, F_SETFL, O_NONBLOCK);
  ::fcntl(err_, F_SETFL, O_NONBLOCK);
  outBuf_.clear();
  outScanned_ = 0;
  errBuf_.clear();
  outEof_ = false;
  status_.clear();
  ::signal(SIGPIPE, SIG_IGN);
  return std::nullopt;
}

bool Process::write(const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    if (in_ < 0) return false;
    const ssize_t n = ::write(in_, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

void Process::closeStdin() { closeFd(in_); }

constexpr size_t kStderrKept = 256 * 1024;

void Process::pump(bool block, std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{out_, POLLIN, 0}, {err_, POLLIN, 0}};
  const int n = ::poll(fds, 2, block ? static_cast<int>(timeout.count()) : 0);
  if (n <= 0) return;
  char buf[65536];
  for (int i = 0; i < 2; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    for (;;) {
      const ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (i == 0 ? outBuf_ : errBuf_).append(buf, static_cast<size_t>(r));
        // A long-lived worker's stderr is read only when something goes wrong: keep
        // its tail, not everything it ever wrote.
        if (errBuf_.size() > kStderrKept * 2)
          errBuf_.erase(0, errBuf_.size() - kStderrKept);
        continue;
      }
      if (r == 0) {
        if (i == 0) {
          outEof_ = true;
          closeFd(out_);
        } else {
          closeFd(err_);
        }
      }
      break;
    }
  }
}

Process::ReadStatus Process::readLine(std::string& line,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto nl = outBuf_.find('\n', outScanned_);
    if (nl != std::string::npos) {
      line = outBuf_.substr(0, nl);
      outBuf_.erase(0, nl + 1);
      outScanned_ = 0;
      return ReadStatus::Line;
    }
    outScanned_ = outBuf_.size();
    if (outEof_ || out_ < 0) {
      if (outBuf_.empty()) return ReadStatus::Eof;
      line.swap(outBuf_);  // a last line without its newline
      outBuf_.clear();
      outScanned_ = 0;
      return ReadStatus::Line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return ReadStatus::Timeout;
    pump(true, left);
  }
}

std::string Process::drainStderr() {
  if (err_ >= 0) pump(false, std::chrono::milliseconds(0));
  std::string s;
  s.swap(errBuf_);
  return s;
}

std::string Process::reap(bool block) {
  if (pid_ <= 0) return status_;
  int st = 0;
  const pid_t r = ::waitpid(pid_, &st, block ? 0 : WNOHANG);
  if (r == pid_) {
    status_ = statusText(st);
    pid_ = -1;
  }
  return status_;
}

namespace {

// The kB figure after `key` ("VmRSS:", "Pss:") in /proc/PID/<file>.
std::optional<long> procKb(long pid, const char* file, std::string_view key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/" + file);
  std::string word;
  long kb = 0;
  while (f >> word) {
    if (word == key && f >> kb) return kb;
    f.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
  }
  return std::nullopt;
}

std::optional<long> pssKb(long pid) { return procKb(pid, "smaps_rollup", "Pss:"); }

}  // namespace

std::optional<long> Process::residentKb() const {
  return pid_ > 0 ? procKb(pid_, "status", "VmRSS:") : std::nullopt;
}

std::optional<long> Process::proportionalKb() const {
  return pid_ > 0 ? pssKb(pid_) : std::nullopt;
}

std::optional<Process::GroupUse> Process::groupUse() const {
  if (group_ <= 0) return std::nullopt;
  DIR* proc = ::opendir("/proc");
  if (!proc) return std::nullopt;
  GroupUse use;
  while (const dirent* e = ::readdir(proc)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string stat;
    if (!std::getline(f, stat)) continue;  // gone meanwhile
    // After the command name (which may hold spaces and ')'): state ppid pgrp …
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string state, ppid;
    long pgrp = -1;
    if (!(fields >> state >> ppid >> pgrp) || pgrp != group_) continue;
    ++use.processes;
    use.proportionalKb += pssKb(std::atol(e->d_name)).value_or(0);
  }
  ::closedir(proc);
  if (use.processes == 0) return std::nullopt;
  return use;
}

std::string Process::signalAndCollect(int sig, std::chrono::milliseconds wait) {
  if (pid_ <= 0) return "";
  ::kill(pid_, sig);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (err_ >= 0 && std::chrono::steady_clock::now() < deadline)
    pump(true, std::chrono::milliseconds(20));
  return drainStderr();
}

std::string Process::kill() {
  // The child leads a process group of its own (start): what it started goes with it,
  // also when the child itself has already exited. No group left: ESRCH, a no-op.
  if (group_ > 0) ::kill(-group_, SIGKILL);
  group_ = -1;
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(true);
  }
  closeFd(in_);
  closeFd(out_);
  closeFd(err_);
  return status_;
}

std::string Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
    if (out_ >= 0 || err_ >= 0)
      pump(true, std::chrono::milliseconds(20));
    else
      ::usleep(5000);
    reap(false);
  }
  return kill();
}

RunResult runCommand(const std::vector<std::string>& argv, const std::string& input,
                     std::chrono::milliseconds timeout) {
  RunResult r;
  Process p;
  if (auto err = p.start(argv)) {
    r.status = "not started";
    r.err = *err;
    return r;
  }
  p.write(input);
  p.closeStdin();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string line;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.timedOut = true;
      break;
    }
    const auto st = p.readLine(line, left);
    if (st == Process::ReadStatus::Line)
      r.out += line + "\n";
    else if (st == Process::ReadStatus::Eof)
      break;
    else {
      r.timedOut = true;
      break;
    }
  }
  r.err = p.drainStderr();
  r.status = r.timedOut ? p.kill() : p.wait(timeout);
  r.err += p.drainStderr();
  return r;
}

}  // namespace monsim::harness
