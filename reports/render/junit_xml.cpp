#include <cstdio>
#include <sstream>

#include "reports/render/render.h"
#include "reports/render/text.h"

namespace monsim::report {

namespace {

std::string num(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + escapeXml(value) + "\"";
}

// Jenkins splits classname at dots into package and class: keep the id in one piece.
std::string classname(const Record& r) {
  std::string id = r.interpreter;
  for (char& c : id)
    if (c == '.') c = '_';
  return id + "." + r.area;
}

struct Counts {
  int tests = 0, failures = 0, errors = 0, skipped = 0;
  double time = 0;
  void add(const Record& r) {
    ++tests;
    time += r.seconds;
    if (r.verdict == Verdict::Error)
      ++errors;
    else if (r.verdict == Verdict::Skipped || r.verdict == Verdict::KnownDeviation)
      ++skipped;
    else if (vocab::isBad(r.verdict))
      ++failures;
  }
  // The Jenkins schema has `skipped` on testsuite but not on testsuites.
  std::string attrs(bool withSkipped) const {
    return attr("tests", std::to_string(tests)) +
           attr("failures", std::to_string(failures)) +
           attr("errors", std::to_string(errors)) +
           (withSkipped ? attr("skipped", std::to_string(skipped)) : "") +
           attr("time", num(time));
  }
};

std::string body(const Record& r) {
  std::string s = r.detail;
  for (const std::string& e : r.probeEffects) s += "probe effect: " + e + "\n";
  s += "scenario: " + r.file + "\n";
  return s;
}

void testcase(std::ostringstream& x, const Record& r) {
  x << "    <testcase" << attr("name", r.scenario) << attr("classname", classname(r))
    << attr("time", num(r.seconds));
  if (r.verdict == Verdict::Pass) {
    x << "/>\n";
    return;
  }
  x << ">\n";
  if (r.verdict == Verdict::Skipped) {
    x << "      <skipped" << attr("message", r.reason) << "/>\n";
  } else if (r.verdict == Verdict::KnownDeviation) {
    // Like pytest's xfail: CI shows it, does not fail on it.
    std::string where = r.known ? " (" + r.known->at + ")" : "";
    x << "      <skipped" << attr("message", "known deviation" + where + ": " + r.reason)
      << "/>\n";
  } else if (r.verdict == Verdict::Error) {
    x << "      <error" << attr("message", r.reason) << attr("type", "error") << ">"
      << escapeXml(body(r)) << "</error>\n";
  } else {
    x << "      <failure" << attr("message", r.reason)
      << attr("type", vocab::name(r.verdict)) << ">" << escapeXml(body(r))
      << "</failure>\n";
  }
  x << "    </testcase>\n";
}

}  // namespace

std::string junitXml(const ResultSet& rs) {
  std::string date, commit = rs.suiteText();
  for (const Run& r : rs.runs)
    if (!r.date.empty()) date = r.date;
  if (date.ends_with("Z")) date.pop_back();  // the Ant schema's timestamp has no zone
  Counts all;
  for (const Record& r : rs.records) all.add(r);
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<testsuites" << attr("name", "monsim sys.monitoring conformance")
    << all.attrs(false) << ">\n";
  int id = 0;
  for (const Interpreter* i : rs.columns(true)) {
    Counts c;
    for (const Record& r : rs.records)
      if (r.interpreter == i->id) c.add(r);
    x << "  <testsuite" << attr("name", i->id) << c.attrs(true)
      << attr("id", std::to_string(id++)) << attr("package", "monsim")
      << attr("hostname", "localhost");
    if (!date.empty()) x << attr("timestamp", date);
    x << ">\n    <properties>\n";
    auto prop = [&](const char* name, const std::string& v) {
      if (!v.empty())
        x << "      <property" << attr("name", name) << attr("value", v) << "/>\n";
    };
    prop("implementation", i->implementation);
    prop("version", i->version);
    prop("kind", i->kind);
    prop("build", i->buildText());
    prop("provenance", i->provenance);
    prop("suite_commit", commit);
    x << "    </properties>\n";
    for (const Record& r : rs.records)
      if (r.interpreter == i->id) testcase(x, r);
    x << "    <system-out/>\n    <system-err/>\n  </testsuite>\n";
  }
  x << "</testsuites>\n";
  return x.str();
}

}  // namespace monsim::report
