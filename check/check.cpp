#include "check/check.h"

#include <algorithm>
#include <chrono>

#include "check/replay.h"
#include "interpreter/trace.h"

namespace monsim::harness {

using nlohmann::json;

namespace {

ErrorKind errorKindOf(RunOutcome::Kind k) {
  switch (k) {
    case RunOutcome::Kind::Errored:
      return ErrorKind::OracleErrored;
    case RunOutcome::Kind::Timeout:
      return ErrorKind::Timeout;
    case RunOutcome::Kind::Crashed:
      return ErrorKind::Crashed;
    case RunOutcome::Kind::Result:
      break;
  }
  return ErrorKind::None;
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
               " at " + d.where();
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
  } else if (vocab::verdictNamed(r.deviation->verdict) == r.verdict) {
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
    r.error.kind = ErrorKind::WorkerDoesNotStart;
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
      r.error = {errorKindOf(o.kind), !probe, o.phase};
      r.reason =
          std::string(probe ? "" : "probe-off run: ") + std::string(kindName(o.kind));
      if (o.kind == RunOutcome::Kind::Errored) {
        r.reason += " in " + std::string(phaseName(o.phase)) + ": " + o.errorMessage;
        r.detail = o.contextText();
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
      r.error = {ErrorKind::Truncated, !probe, OraclePhase::Unknown};
      r.reason = "the trace was truncated (options.max_records)";
      return false;
    }
    return true;
  };
  std::optional<Trace> on, off;
  if (!record(true, on)) return done();
  if (c.keepTraces) r.traceOn.json = std::move(lastTrace);
  const bool wantOff = c.observerCheck && !s.tools.empty();
  if (wantOff) {
    if (!record(false, off)) return done();
    if (c.keepTraces) r.traceOff.json = std::move(lastTrace);
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
