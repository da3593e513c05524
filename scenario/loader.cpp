#include "scenario/loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "scenario/checker.h"
#include "scenario/yaml.h"
#include "spec/spec_tables.h"

namespace fs = std::filesystem;

namespace monsim::harness {

namespace {

std::optional<int> versionIndex(std::string_view v) {
  for (int i = 0; i < spec::kVersionCount; ++i)
    if (spec::kVersionNames[i] == v) return i;
  return std::nullopt;
}

// "3.N" -> N; nullopt when not of that shape.
std::optional<int> minorOf(std::string_view v) {
  if (!v.starts_with("3.") || v.size() < 3 || v.size() > 5) return std::nullopt;
  const std::string_view n = v.substr(2);
  if (n.size() > 1 && n[0] == '0') return std::nullopt;
  int minor = 0;
  for (const char c : n) {
    if (c < '0' || c > '9') return std::nullopt;
    minor = minor * 10 + (c - '0');
  }
  return minor;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

std::string readFile(const std::string& path, std::string& why) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    why = "is a directory";
    return {};
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = std::strerror(errno);
    return {};
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) why = std::strerror(errno);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

}  // namespace

std::string Diagnostic::str() const { return loc.str() + ": error: " + message; }

std::optional<VersionRange> parseVersionRange(std::string_view text, std::string& why) {
  VersionRange r;
  r.text = std::string(text);
  const int count = spec::kVersionCount;
  const int lastMinor = *minorOf(spec::kVersionNames[count - 1]);
  const std::string known = std::string(spec::kVersionNames[0]) + " to " +
                            std::string(spec::kVersionNames[count - 1]);
  int lo = 0, hi = count;  // versions [lo, hi)
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view bound = trim(text.substr(start, comma - start));
    start = comma + 1;
    std::string_view op = bound.starts_with(">=")  ? ">="
                          : bound.starts_with("<") ? "<"
                                                   : "";
    const std::string_view ver = trim(bound.substr(op.size()));
    const auto minor = minorOf(ver);
    if (!minor) {
      why = "bound '" + std::string(bound) + "' is not >=3.N, <3.N or 3.N";
      return std::nullopt;
    }
    const auto idx = versionIndex(ver);
    if (op == "<" && !idx && *minor > lastMinor) continue;  // past every spec version
    if (!idx) {
      why = "unknown version " + std::string(ver) + " (spec versions: " + known + ")";
      return std::nullopt;
    }
    if (op != "<") {
      lo = std::max(lo, *idx);
      r.min = static_cast<PyVersion>(lo);
    }
    if (op != ">=") hi = std::min(hi, op == "<" ? *idx : *idx + 1);
  }
  if (lo >= hi) {
    why = "it contains no spec version";
    return std::nullopt;
  }
  if (hi < count) r.below = static_cast<PyVersion>(hi);
  return r;
}

LoadResult loadScenarioText(std::string_view text, const std::string& fileName) {
  LoadResult out;
  try {
    const yaml::Documents docs = yaml::loadDocuments(std::string(text));
    yaml::Reader reader(fileName, out.diagnostics);
    if (docs.count == 0) {
      reader.error(YAML::Mark(), "the file holds no scenario (it is empty)");
    } else {
      if (docs.count > 1)
        reader.error(docs.second,
                     "one scenario per file: a second YAML document starts here");
      out.scenario = checkScenario(docs.first, reader);
    }
  } catch (const YAML::Exception& e) {
    out.diagnostics.push_back({yaml::locOf(fileName, e.mark), yaml::syntaxError(e.msg)});
  } catch (const std::exception& e) {  // a loader bug must not take the harness down
    out.diagnostics.push_back(
        {{fileName, 1, 1}, std::string("internal error: ") + e.what()});
  }
  std::stable_sort(out.diagnostics.begin(), out.diagnostics.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::pair(a.loc.line, a.loc.col) <
                            std::pair(b.loc.line, b.loc.col);
                   });
  if (!out.diagnostics.empty()) out.scenario.reset();
  return out;
}

LoadResult loadScenarioFile(const std::string& path) {
  std::string why;
  const std::string text = readFile(path, why);
  if (!why.empty()) {
    LoadResult out;
    out.diagnostics.push_back({{path, 1, 1}, "cannot read " + path + ": " + why});
    return out;
  }
  return loadScenarioText(text, path);
}

std::vector<std::string> findScenarioFiles(const std::vector<std::string>& paths,
                                           std::vector<Diagnostic>& missing) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& p) {
    if (seen.insert(p).second) out.push_back(p);
  };
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      missing.push_back({{p, 1, 1}, "no such file or directory"});
      continue;
    }
    if (!fs::is_directory(p, ec)) {
      add(p);
      continue;
    }
    std::vector<std::string> found;
    fs::recursive_directory_iterator it(
        p, fs::directory_options::follow_directory_symlink, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::path& f = it->path();
      const std::string name = f.filename().string();
      if (f.extension() == ".yaml" && !name.starts_with("bad-") &&
          it->is_regular_file(ec))
        found.push_back(f.string());
    }
    if (ec) missing.push_back({{p, 1, 1}, "cannot list directory: " + ec.message()});
    std::sort(found.begin(), found.end());
    for (const auto& f : found) add(f);
  }
  return out;
}

Suite loadSuite(const std::vector<std::string>& paths) {
  Suite suite;
  const auto files = findScenarioFiles(paths, suite.diagnostics);
  suite.files = files.size();
  std::map<std::string, std::string> ids;
  for (const std::string& f : files) {
    auto r = loadScenarioFile(f);
    suite.diagnostics.insert(suite.diagnostics.end(), r.diagnostics.begin(),
                             r.diagnostics.end());
    if (!r.scenario) continue;
    auto [it, fresh] = ids.emplace(r.scenario->id, f);
    if (!fresh) {
      suite.diagnostics.push_back(
          {r.scenario->loc,
           "scenario id '" + r.scenario->id + "' is also used by " + it->second});
      continue;
    }
    suite.scenarios.push_back(std::move(*r.scenario));
  }
  return suite;
}

}  // namespace monsim::harness
