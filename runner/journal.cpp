#include "runner/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace monsim::harness {

ResultsJournal::~ResultsJournal() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

bool writeLine(int fd, const std::string& text) {
  const std::string line = text + "\n";
  size_t off = 0;
  while (off < line.size()) {
    const ssize_t n = ::write(fd, line.data() + off, line.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

bool ResultsJournal::open(const std::string& path, const nlohmann::json& header,
                          const std::vector<nlohmann::json>& kept, std::string& error) {
  // The kept records go to a new file that then replaces the old one: a kill in
  // between leaves the earlier prefix, never a shorter one.
  const std::string fresh = path + ".resume";
  fd_ = ::open(fresh.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    error = "cannot write the results stream to " + path + ": " + std::strerror(errno);
    return false;
  }
  bool ok = writeLine(fd_, header.dump());
  for (const nlohmann::json& r : kept) ok = ok && writeLine(fd_, r.dump());
  if (!ok || ::rename(fresh.c_str(), path.c_str()) != 0) {
    error = "cannot write the results stream to " + path + ": " + std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    ::unlink(fresh.c_str());
    return false;
  }
  return true;
}

bool ResultsJournal::append(const nlohmann::json& record) {
  if (fd_ < 0 || !ok_) return false;
  ok_ = writeLine(fd_,
                  record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return ok_;
}

std::optional<EarlierRun> readEarlierRun(const std::string& path, std::string& error) {
  EarlierRun run;
  std::ifstream in(path);
  if (!in) return run;  // nothing to resume: every check runs
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const bool last = in.peek() == std::char_traits<char>::eof();
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      if (last) break;  // cut short by the kill
      error = path + ":" + std::to_string(n) + ": not a results stream line";
      return std::nullopt;
    }
    const std::string kind = j.value("kind", "");
    if (n == 1) {
      if (kind != "header") {
        error = path + ":1: not a results stream (no header)";
        return std::nullopt;
      }
      if (j.value("format", 0) != 1 || j.value("monsim", "") != MONSIM_VERSION) {
        error = path + ":1: written by another monsim (" + j.value("monsim", "?") +
                ", this is " + MONSIM_VERSION + "): its verdicts cannot be resumed";
        return std::nullopt;
      }
      run.header = std::move(j);
      continue;
    }
    if (kind == "footer") {
      run.finished = true;
    } else if (kind == "result" && j.contains("scenario") && j["scenario"].is_string() &&
               j.contains("interpreter") && j["interpreter"].is_string()) {
      RecordKey key{j["scenario"].get<std::string>(),
                    j["interpreter"].get<std::string>()};
      run.records[std::move(key)] = std::move(j);
    } else {
      error = path + ":" + std::to_string(n) + ": not a record of a results stream";
      return std::nullopt;
    }
  }
  return run;
}

}  // namespace monsim::harness
