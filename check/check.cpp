#include "check/check.h"

#include <algorithm>
#include <chrono>

#include "check/replay.h"
#include "interpreter/trace.h"

namespace monsim::harness {

using nlohmann::json;

json CheckResult::toJson(const Scenario& s) const {
  json j{{"kind", "result"},
         {"scenario", scenario},
         {"file", file},
         {"interpreter", interpreter},
         {"version", version},
         {"verdict", verdictName(verdict)},
         {"reason", reason},
         {"level", levelName(s.level)},
         {"features", s.features},
         {"spec", s.specRefs},
         {"description", s.description},
         {"python", s.python.text},
         {"seconds", seconds}};
  if (!detail.empty()) j["detail"] = detail;
  json divs = json::array();
  for (const Divergence& d : divergences)
    divs.push_back({{"kind", kindName(d.kind)},
                    {"record", d.record},
                    {"tool", d.tool},
                    {"where", d.where},
                    {"model", d.model},
                    {"interpreter", d.interpreter},
                    {"rule", d.rule}});
  j["divergences"] = std::move(divs);
  json ef = json::array();
  for (const ExpectFailure& f : expectFailures)
    ef.push_back({{"at", f.loc.str()}, {"message", f.message}});
  j["expect_failures"] = std::move(ef);
  if (!observer.empty()) j["observer_difference"] = observer;
  if (deviation) {
    j["known"] = {{"verdict", deviation->verdict},
                  {"reason", deviation->reason},
                  {"issue", deviation->issue},
                  {"at", deviation->loc.str()}};
  }
  return j;
}

namespace {

bool mentionsInstruction(const Scenario& s) {
  for (const ToolSpec& t : s.tools) {
    for (const auto& e : t.events)
      if (e == "INSTRUCTION") return true;
    for (const auto& [f, evs] : t.local)
      for (const auto& e : evs)
        if (e == "INSTRUCTION") return true;
    if (t.callbacks.count("INSTRUCTION")) return true;
  }
  return s.oracle.value("program", "").find("INSTRUCTION") != std::string::npos;
}

std::vector<int> toolIds(const Scenario& s) {
  std::vector<int> ids;
  for (const ToolSpec& t : s.tools) ids.push_back(t.id);
  return ids;
}

// Verdict from the comparison and the expectations, before the expectations file.
void judge(CheckResult& r, const Comparison& cmp) {
  if (!cmp.agree()) {
    r.verdict = Verdict::Fail;
    r.divergences = cmp.divergences;
    const Divergence& d = cmp.divergences.front();
    r.reason = "model and interpreter disagree: " + std::string(kindName(d.kind)) +
               " at " + d.where;
    r.detail = cmp.report;
  } else if (!r.expectFailures.empty()) {
    r.verdict = Verdict::ExpectFail;
    r.reason = "model and interpreter agree, but the expectation at " +
               r.expectFailures.front().loc.str() + " does not hold";
    for (const ExpectFailure& f : r.expectFailures) {
      const std::string at = f.loc.str();
      r.detail += (f.message.starts_with(at) ? "" : at + ": ") + f.message + "\n";
    }
  } else {
    r.verdict = Verdict::Pass;
  }
}

void applyExpectations(CheckResult& r, const CheckContext& c) {
  if (!c.expectations) return;
  r.deviation = findDeviation(*c.expectations, r.interpreter, r.scenario);
  if (!r.deviation) return;
  if (r.verdict == Verdict::Pass) {
    r.verdict = Verdict::XPass;
    r.reason = "listed as a known deviation (" + r.deviation->loc.str() +
               ") but passes now: remove the entry";
  } else if (std::string(verdictName(r.verdict)) == r.deviation->verdict) {
    r.verdict = Verdict::KnownDeviation;
    r.reason = r.deviation->reason;
  }
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Every way out of a check: the time taken, a detail that ends with a newline (so a
// verdict printed after it starts on a line of its own), the expectations file.
void finish(CheckResult& r, const CheckContext& c,
            std::chrono::steady_clock::time_point t0) {
  r.seconds = since(t0);
  if (!r.detail.empty() && r.detail.back() != '\n') r.detail += '\n';
  applyExpectations(r, c);
}

// Compare, `expect`, and observer independence when `off` is given.
void judgeTraces(CheckResult& r, const Scenario& s, const Trace& on, const Trace* off,
                 PyVersion v, const CheckContext& c) {
  const Prediction p = predict(s, on, v);
  const Comparison cmp = compare(s, on, p);
  if (s.expect.present)
    r.expectFailures =
        checkExpect(s.expect, toolIds(s), seenDeliveries(on), seenSteps(on), v);
  judge(r, cmp);
  if (!off || !c.observerCheck) return;
  r.observer = observerDifference(on, *off);
  const bool declared = s.observerDependent &&
                        (s.observerVersions.empty() ||
                         std::find(s.observerVersions.begin(), s.observerVersions.end(),
                                   v) != s.observerVersions.end());
  if (!r.observer.empty() && !declared && r.verdict == Verdict::Pass) {
    r.verdict = Verdict::Fail;
    r.reason = "observer effect: the probe changes what the scenario's tools receive";
    r.detail = r.observer + "\n";
  }
}

}  // namespace

json runOptions(const Scenario& s, bool probe) {
  json o{{"probe", probe}};
  if (probe && mentionsInstruction(s)) o["instruction"] = true;
  return o;
}

CheckResult checkOnInterpreter(const Scenario& s, OracleWorker& w,
                               const CheckContext& c) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckResult r;
  r.scenario = s.id;
  r.file = s.file;
  r.interpreter = w.interpreter().id;
  r.version = w.interpreter().version;
  auto done = [&]() -> CheckResult {
    finish(r, c, t0);
    return r;
  };
  const auto v = parseVersion(r.version);
  if (!v) {
    r.verdict = Verdict::Skipped;
    r.reason = "no model profile for Python " + r.version;
    return done();
  }
  if (!s.python.contains(*v)) {
    r.verdict = Verdict::Skipped;
    r.reason = "scenario applies to python " + s.python.text;
    return done();
  }
  if (s.kind == Scenario::Kind::Script) {
    r.verdict = Verdict::Skipped;
    r.reason = "script scenario: runs on the model only";
    return done();
  }
  std::string why;
  const auto hello = w.hello(&why);
  if (!hello) {
    r.verdict = Verdict::Error;
    r.reason = "the oracle worker does not start: " + why;
    return done();
  }
  for (const std::string& cap : s.requires_) {
    const json caps = hello->value("capabilities", json::object());
    if (!caps.value(cap, false)) {
      r.verdict = Verdict::Skipped;
      r.reason = "needs capability '" + cap + "', which this interpreter lacks";
      return done();
    }
  }
  json lastTrace;
  auto record = [&](bool probe, std::optional<Trace>& out) {
    json options = runOptions(s, probe);
    if (c.maxRecords > 0) options["max_records"] = c.maxRecords;
    RunOutcome o = w.run(s.oracle, options);
    if (o.kind != RunOutcome::Kind::Result) {
      r.verdict = Verdict::Error;
      r.reason =
          std::string(probe ? "" : "probe-off run: ") + std::string(kindName(o.kind));
      if (o.kind == RunOutcome::Kind::Errored) {
        const json ctx = o.message.value("context", json::object());
        r.reason += " in " + ctx.value("phase", "?") + ": " + ctx.value("message", "");
        r.detail = ctx.dump(2);
      } else {
        r.detail = o.detail;
      }
      return false;
    }
    json& tj = o.message["trace"];
    out = traceFromJson(tj);
    lastTrace = c.keepTraceJson ? std::move(tj) : json();
    if (out->truncated) {
      r.verdict = Verdict::Error;
      r.reason = "the trace was truncated (options.max_records)";
      return false;
    }
    return true;
  };
  std::optional<Trace> on, off;
  if (!record(true, on)) return done();
  if (c.keepTraces) r.traceOn = std::move(lastTrace);
  const bool wantOff = c.observerCheck && !s.tools.empty();
  if (wantOff) {
    if (!record(false, off)) return done();
    if (c.keepTraces) r.traceOff = std::move(lastTrace);
  }
  judgeTraces(r, s, *on, off ? &*off : nullptr, *v, c);
  if (c.keepTraces) {
    r.on = std::make_shared<const Trace>(std::move(*on));
    if (off) r.off = std::make_shared<const Trace>(std::move(*off));
  }
  return done();
}

CheckResult checkTraces(const Scenario& s, const Trace& on, const Trace* off,
                        const std::string& interpreter, PyVersion v,
                        const CheckContext& c) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckResult r;
  r.scenario = s.id;
  r.file = s.file;
  r.interpreter = interpreter;
  r.version = std::string(versionName(v));
  judgeTraces(r, s, on, off, v, c);
  finish(r, c, t0);
  return r;
}

CheckResult checkScript(const Scenario& s, PyVersion v, const CheckContext& c) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckResult r;
  r.scenario = s.id;
  r.file = s.file;
  r.version = std::string(versionName(v));
  r.interpreter = "model-" + r.version;
  if (!s.python.contains(v)) {
    r.verdict = Verdict::Skipped;
    r.reason = "scenario applies to python " + s.python.text;
  } else {
    const Prediction p = predictScript(s, v);
    Trace t;
    for (const auto& [name, line] : s.scriptFunctions)
      t.codes[name] = TraceCode{name, name, line, true};
    if (s.expect.present)
      r.expectFailures =
          checkExpect(s.expect, toolIds(s), seenDeliveries(t, p), seenSteps(p), v);
    judge(r, Comparison{});
    for (const std::string& n : p.notes) r.detail += "replay note: " + n + "\n";
  }
  finish(r, c, t0);
  return r;
}

}  // namespace monsim::harness
