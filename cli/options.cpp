#include "cli/options.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>

#include "model/mutant.h"
#include "model/version_profile.h"

namespace monsim::cli {

namespace {

// One footer row: the code, then `text` wrapped under itself at 88 columns.
std::string row(std::string_view code, std::string_view text) {
  constexpr size_t kWidth = 88, kIndent = 7;
  std::string out = "  " + std::string(code);
  out.resize(kIndent, ' ');
  size_t col = kIndent;
  while (!text.empty()) {
    const size_t end = std::min(text.find(' '), text.size());
    const std::string_view word = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    if (col > kIndent && col + 1 + word.size() > kWidth) {
      out += "\n" + std::string(kIndent, ' ');
      col = kIndent;
    } else if (col > kIndent) {
      out += ' ';
      ++col;
    }
    out += word;
    col += word.size();
  }
  return out + "\n";
}

}  // namespace

std::string exitFooter(std::string_view clean, std::string_view failures,
                       std::string_view usage) {
  std::string s = "Exit status:\n" + row("0", clean);
  if (!failures.empty()) s += row("1", failures);
  s += row("2", "usage or environment error" +
                    (usage.empty() ? std::string() : ": " + std::string(usage)));
  return s + row("130", "interrupted (Ctrl-C)");
}

CLI::Validator wholeNumber(long long min, long long max) {
  const std::string range =
      max == std::numeric_limits<long long>::max()
          ? "at least " + std::to_string(min)
          : "from " + std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        long long n = 0;
        if (!CLI::detail::lexical_cast(text, n) || n < min || n > max)
          return "'" + text + "' is not a whole number " + range;
        return "";
      },
      "INT " + range);
}

CLI::Validator seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double s = 0;
        if (!CLI::detail::lexical_cast(text, s) || !(s > 0) || s > 86400)
          return "'" + text + "' is not a time in seconds above 0 (at most 86400)";
        return "";
      },
      "SECONDS > 0");
}

void addRunLimits(CLI::App* c, RunLimitArgs& a) {
  c->add_option("--timeout", a.timeout, "Seconds each scenario run may take")
      ->capture_default_str()
      ->check(seconds());
  c->add_option("--memory-limit", a.memoryMb,
                "MB of resident memory a run may add to its worker (its processes "
                "together); over it, the run ends as error memory-limit (0: no limit)")
      ->capture_default_str()
      ->check(wholeNumber(0, 1 << 20));
  c->add_option("--process-limit", a.processes,
                "Processes a run may have at once besides its worker; over it, the run "
                "ends as error process-limit (0: no limit)")
      ->capture_default_str()
      ->check(wholeNumber(0, 100000));
}

void applyRunLimits(const RunLimitArgs& a, harness::OracleOptions& o) {
  // At least 1 ms: a zero time limit would end every run at once.
  o.runTimeout =
      std::chrono::milliseconds(std::max(1L, static_cast<long>(a.timeout * 1000)));
  o.memoryMb = a.memoryMb;
  o.processes = a.processes;
}

CLI::Validator seed() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const bool hex = text.starts_with("0x") || text.starts_with("0X");
        const std::string digits = hex ? text.substr(2) : text;
        const std::string_view allowed = hex ? "0123456789abcdefABCDEF" : "0123456789";
        bool ok =
            !digits.empty() && digits.find_first_not_of(allowed) == std::string::npos;
        if (ok) {
          errno = 0;
          std::strtoull(text.c_str(), nullptr, 0);
          ok = errno != ERANGE;
        }
        return ok ? "" : "'" + text + "' is not a 64-bit seed (decimal, or hex with 0x)";
      },
      "SEED");
}

CLI::Validator modelVersion() {
  std::string profiles;
  for (const VersionProfile& p : kProfiles)
    profiles += (profiles.empty() ? "" : ", ") + std::string(versionName(p.version()));
  return CLI::Validator(
      [profiles](std::string& text) -> std::string {
        if (parseVersion(text)) return "";
        return "no model profile for '" + text + "' (profiles: " + profiles + ")";
      },
      "VERSION");
}

bool reportSelection(std::string_view command, const harness::Selection& selection) {
  for (const harness::Vetting& v : selection.rejected)
    std::cerr << "monsim " << command << ": cannot use --python '" << v.spec
              << "': " << harness::vetReason(v) << "\n";
  if (!selection.rejected.empty()) {
    std::cerr << "monsim " << command
              << ": stopped before running anything: every interpreter asked for must "
                 "be usable (`monsim interpreters --python '"
              << selection.rejected.front().spec
              << "'` says why, capability by capability)\n";
    return false;
  }
  if (selection.interpreters.empty()) {
    std::cerr << "monsim " << command
              << ": no interpreter with sys.monitoring was found (pyenv, PATH, "
                 "node_modules/pyodide*; name one with --python PATH)\n";
    return false;
  }
  return true;
}

bool selectMutant(const std::string& name, std::string_view command) {
  if (!kMutantsBuild) {
    std::cerr << "monsim " << command << ": --mutant needs the mutants build "
              << "(meson setup build-mutants -Dmutants=true; ./run mutants)\n";
    return false;
  }
  for (const MutantRow& m : kMutants)
    if (m.name == name) {
      useMutant(m.id);
      return true;
    }
  std::cerr << "monsim " << command << ": no mutant '" << name
            << "' (monsim mutants --list names them)\n";
  return false;
}

}  // namespace monsim::cli
