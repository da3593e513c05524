#include "check/check.h"

#include <algorithm>
#include <chrono>

#include "check/client_results.h"
#include "check/probe_effect.h"
#include "check/replay.h"
#include "interpreter/compact_events.h"
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
    case RunOutcome::Kind::NotRecorded:
      return ErrorKind::NotRecorded;
    case RunOutcome::Kind::MemoryLimit:
      return ErrorKind::MemoryLimit;
    case RunOutcome::Kind::ProcessLimit:
      return ErrorKind::ProcessLimit;
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

// Verdict from the comparisons and the expectations, before the expectations file.
void judge(CheckResult& r, const Comparison& on, const Comparison* alone) {
  const Comparison* first = !on.agree()                ? &on
                            : alone && !alone->agree() ? alone
                                                       : nullptr;
  if (first) {
    r.verdict = Verdict::Fail;
    r.divergences = on.divergences;
    if (alone)
      r.divergences.insert(r.divergences.end(), alone->divergences.begin(),
                           alone->divergences.end());
    const Divergence& d = first->divergences.front();
    r.reason = std::string("model and interpreter disagree") +
               (d.alone ? " without the probe" : "") + ": " +
               std::string(kindName(d.kind)) + " at " + d.where();
    r.detail = on.report + (alone ? alone->report : "");
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
  std::vector<std::string> names = {r.interpreter};
  if (!r.implementation.empty()) names.push_back(r.implementation + "-" + r.version);
  r.deviation = findDeviation(*c.expectations, names, r.scenario);
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

// A run that gave no trace: the error, and why. `label` names the run where there are
// two.
void runFailed(CheckResult& r, const RunOutcome& o, bool probeOff,
               std::string_view label) {
  r.verdict = Verdict::Error;
  r.error = {errorKindOf(o.kind), probeOff, o.phase};
  r.reason = std::string(label) + std::string(kindName(o.kind));
  if (o.kind == RunOutcome::Kind::Errored) {
    r.reason += " in " + std::string(phaseName(o.phase)) + ": " + o.errorMessage;
    r.detail = o.contextText();
    return;
  }
  r.detail = o.detail;
  // Over a limit: which, and by how much, fit in the reason's line.
  if (!o.errorMessage.empty()) r.reason += ": " + o.errorMessage;
}

// The record limit of a run: the harness's (--max-records), or the scenario's
// `limits.records` where that is lower.
void limitRecords(json& options, const Scenario& s, const CheckContext& c) {
  if (c.maxRecords > 0 && (s.limits.records <= 0 || c.maxRecords < s.limits.records))
    options["max_records"] = c.maxRecords;
}

// The limit the oracle applied, as its trace says (options.max_records).
std::string truncatedReason(const Scenario& s, const Trace& t) {
  const long n = t.recordLimit;
  return "the trace was truncated at the record limit (max_records " + std::to_string(n) +
         (s.limits.records == n ? ", the scenario's limits.records" : "") + ")";
}

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Every way out of a check: the time taken, a detail that ends with a newline (so a
// verdict printed after it starts on a line of its own), the expectations file.
// A stated `outcome` (hostile programs): the check's own verdict is what is judged.
void applyOutcome(CheckResult& r, const Scenario& s) {
  if (!s.outcome || r.verdict == Verdict::Skipped) return;
  const StatedOutcome& o = *s.outcome;
  std::string stated(vocab::name(o.verdict));
  if (o.error != ErrorKind::None)
    stated += " (" + std::string(vocab::name(o.error)) + ")";
  if (!o.says.empty()) stated += " saying \"" + o.says + "\"";
  std::string miss;
  if (r.verdict != o.verdict)
    miss = "the verdict is " + std::string(vocab::name(r.verdict));
  else if (o.error != ErrorKind::None && r.error.kind != o.error)
    miss = "the error is " + std::string(vocab::name(r.error.kind));
  else if (!o.says.empty() && r.reason.find(o.says) == std::string::npos &&
           r.detail.find(o.says) == std::string::npos)
    miss = "its reason and detail do not say it";
  if (miss.empty()) {
    r.verdict = Verdict::Pass;
    r.reason =
        "got its stated outcome, " + stated + (r.reason.empty() ? "" : ": " + r.reason);
  } else {
    r.verdict = Verdict::ExpectFail;
    r.reason = "the stated outcome at " + o.loc.str() + ", " + stated +
               ", does not hold: " + miss + " (" + r.reason + ")";
  }
}

// The output the oracle cut at its stdout_limit (the harness's, or limits.output).
void noteOutputCut(CheckResult& r, const Scenario& s, const Trace& t,
                   std::string_view run) {
  for (const auto& [name, written] :
       {std::pair{"stdout", t.stdoutWritten}, std::pair{"stderr", t.stderrWritten}})
    if (written >= 0)
      r.limitsHit.push_back(
          "output limit: the program wrote " + std::to_string(written) +
          " characters to " + name + " in the " + std::string(run) + " run; the first " +
          std::to_string(t.outputLimit) + " were kept" +
          (s.limits.output > 0 ? " (limits.output)" : " (stdout_limit)"));
}

void finish(CheckResult& r, const Scenario& s, const CheckContext& c,
            std::chrono::steady_clock::time_point t0) {
  r.seconds = since(t0);
  if (!r.detail.empty() && r.detail.back() != '\n') r.detail += '\n';
  for (const std::string& hit : r.limitsHit) r.detail += hit + "\n";
  applyOutcome(r, s);
  applyExpectations(r, c);
}

// `expect` on one run; each failure says which run it is from.
void expectOn(CheckResult& r, const Expect& e, const Scenario& s, const Trace& t,
              PyVersion v, std::string_view run) {
  if (!e.present) return;
  for (ExpectFailure f : checkExpect(e, toolIds(s), seenDeliveries(t), seenSteps(t), v)) {
    const std::string at = f.loc.str();
    if (f.message.starts_with(at)) f.message.erase(0, at.size() + 2);
    f.message = std::string(run) + ": " + f.message;
    r.expectFailures.push_back(std::move(f));
  }
}

// Program code run by callbacks (action records inside deliveries): each time, the
// model predicts that it reports nothing (§9.5, Reason::InCallback), which the
// comparison (a delivery there is extra) and the quiet-callbacks invariant check.
long programRunsInCallbacks(const std::vector<TraceRecord>& records, bool inside) {
  long n = 0;
  for (const TraceRecord& x : records) {
    if (inside && x.kind == RecordKind::Action) ++n;
    if (x.kind == RecordKind::Delivery) n += programRunsInCallbacks(x.calls, true);
  }
  return n;
}

// The rules that decided, per occurrence and scenario tool, and for the hook and
// C-API deliveries (tools 6/7 and C-API fires have no per-occurrence reasons). R6 moves
// a branch event's source rather than deciding whether it is delivered: counted where
// the predicted offset is not the one the probe-on run recorded.
void countRules(CheckResult& r, const Scenario& s, const Trace& on, const Prediction& p) {
  r.rules[static_cast<int>(Reason::InCallback)] +=
      programRunsInCallbacks(on.records, false);
  const std::vector<int> tools = toolIds(s);
  for (const auto& [record, why] : p.reasons)
    for (int t : tools)
      if (t >= 0 && t < 6) ++r.rules[static_cast<int>(why[t])];
  for (const PredictedDelivery& d : p.deliveries) {
    if (d.why == Reason::HookHandler || d.why == Reason::CapiState)
      ++r.rules[static_cast<int>(d.why)];
    const bool branch = d.event == Event::BranchLeft || d.event == Event::BranchRight ||
                        d.event == Event::Branch;
    if (branch && d.record < on.records.size() && on.records[d.record].offset != d.offset)
      ++r.rules[static_cast<int>(Reason::UnwrappedBranchSource)];
  }
}

// Both runs against their predictions, and `expect` on both: the run without the
// probe is what a user's lone tool gets (`expect`); the probe-on run is held to
// `expect_with_probe` where the scenario gives one, else to `expect` too.
void judgeTraces(CheckResult& r, const Scenario& s, const Trace& on, const Trace* off,
                 PyVersion v) {
  const Prediction withProbe = predict(s, on, v);
  countRules(r, s, on, withProbe);
  const Comparison cmp = compare(s, on, withProbe);
  std::optional<Comparison> aloneCmp;
  if (off) {
    const Prediction alone = predict(s, on, v, Run::Alone, off->opcodeTraceSticky);
    countRules(r, s, on, alone);
    const ProbeComparison runs = compareProbeRuns(withProbe, alone);
    aloneCmp = compareAlone(s, on, *off, alone, runs.split);
    for (const ProbeEffect& e : runs.effects) r.probeEffects.push_back(e.text());
    if (runs.split != kNoRecord)
      r.pathSplit = "from #" + std::to_string(runs.split) +
                    " on, a scenario callback raises in one run only: the run without "
                    "the probe takes another path there, and its rest is not compared";
    expectOn(r, s.expect, s, *off, v, "without the probe");
  }
  expectOn(r, s.expectWithProbe.present ? s.expectWithProbe : s.expect, s, on, v,
           "with the probe");
  judge(r, cmp, aloneCmp ? &*aloneCmp : nullptr);
  if (!r.pathSplit.empty()) r.detail += "note: " + r.pathSplit + "\n";
}

// Whether the worker says hello and has every capability the scenario requires;
// if not, r says why (an error, or a skip naming the missing capability).
bool capable(const Scenario& s, Oracle& w, CheckResult& r) {
  std::string why;
  const auto hello = w.hello(&why);
  if (!hello) {
    r.verdict = Verdict::Error;
    r.error.kind = ErrorKind::WorkerDoesNotStart;
    r.reason = "the oracle worker does not start: " + why;
    return false;
  }
  const json caps = hello->value("capabilities", json::object());
  for (const std::string& cap : s.requires_) {
    if (!caps.value(cap, false)) {
      r.verdict = Verdict::Skipped;
      r.missing = cap;
      r.reason = "needs capability '" + cap + "', which this interpreter lacks";
      return false;
    }
  }
  return true;
}

// The recorded runs' options, in the order a check makes them: probe on, then (for
// the tools' run alone) probe off.
std::vector<json> recordedRunOptions(const Scenario& s, const CheckContext& c) {
  // A real client is a tool too: what it gets alone is checked as for declared ones.
  const bool wantOff = c.aloneRun && (!s.tools.empty() || !s.traceFunctions.empty() ||
                                      s.clients.has_value());
  std::vector<json> out;
  for (const bool probe : {true, false}) {
    if (!probe && !wantOff) break;
    json options = runOptions(s, probe);
    limitRecords(options, s, c);
    out.push_back(std::move(options));
  }
  return out;
}

// A scenario's real clients (`clients.results`): the run that records nothing, made
// before the recorded runs so that their instrumentation of stdlib code (which
// outlives a run) cannot shape it. nullopt when none is needed or it failed (r says
// why; `failed` is set).
std::optional<Trace> unrecordedRun(CheckResult& r, const Scenario& s, Oracle& w,
                                   bool& failed) {
  failed = false;
  if (!s.clients || s.clients->results.empty()) return std::nullopt;
  RunOutcome o = w.run(s.oracle, unrecordedRunOptions(s), budgetOf(s));
  if (o.kind != RunOutcome::Kind::Result) {
    runFailed(r, o, true, "unrecorded run (clients.results): ");
    failed = true;
    return std::nullopt;
  }
  return traceFromJson(o.message["trace"]);
}

// The clients' own results in the recorded runs against the unrecorded run's; a
// difference fails the check.
void proveClientResults(CheckResult& r, const Scenario& s,
                        const std::optional<Trace>& bare,
                        const std::vector<RecordedRun>& recorded) {
  if (!bare) return;
  const ClientResults cr = compareClientResults(s, *bare, recorded);
  r.clientResultsCompared = cr.compared;
  r.clientMismatches = cr.mismatches;
  if (cr.mismatches.empty()) return;
  if (r.verdict != Verdict::Fail) {
    r.verdict = Verdict::Fail;
    r.reason =
        "the recording changed a real client's own results: " + cr.mismatches.front();
  }
  for (const std::string& m : cr.mismatches) r.detail += "client results: " + m + "\n";
}

// An implementation without sys.monitoring (PyPy 3.9): no probe and no model
// profile, so a scenario that needs nothing but the legacy hooks is run once and
// held to its `expect`; everything else is skipped with the reason.
CheckResult checkLegacyOnly(const Scenario& s, Oracle& w, const CheckContext& c,
                            CheckResult& r, std::chrono::steady_clock::time_point t0) {
  auto done = [&]() -> CheckResult {
    finish(r, s, c, t0);
    return r;
  };
  const std::string impl = w.interpreter().implementation + " " + r.version;
  r.verdict = Verdict::Skipped;
  if (s.kind == Scenario::Kind::Script) {
    r.reason = "script scenario: runs on the model only";
    return done();
  }
  if (s.usesMonitoring) {
    r.missing = "monitoring";
    r.reason =
        "needs a usable sys.monitoring, which " + impl + " lacks (legacy hooks only)";
    return done();
  }
  if (s.python.min.value_or(PyVersion::V3_12) != PyVersion::V3_12 || s.python.below) {
    r.reason = "applies to python " + s.python.text +
               " only: version-specific CPython "
               "behaviour";
    return done();
  }
  if (!s.expect.present && !s.outcome) {
    r.reason = "no model for " + impl + " and no expectations: nothing to check";
    return done();
  }
  if (!capable(s, w, r)) return done();
  bool failed = false;
  const std::optional<Trace> bare = unrecordedRun(r, s, w, failed);
  if (failed) return done();
  json options = runOptions(s, false);
  limitRecords(options, s, c);
  RunOutcome o = w.run(s.oracle, options, budgetOf(s));
  if (o.kind != RunOutcome::Kind::Result) {
    runFailed(r, o, true, "");
    return done();
  }
  const Trace t = traceFromJson(o.message["trace"]);
  if (t.truncated) {
    r.verdict = Verdict::Error;
    r.error = {ErrorKind::Truncated, true, OraclePhase::Unknown};
    r.reason = truncatedReason(s, t);
    return done();
  }
  noteOutputCut(r, s, t, "legacy-hooks");
  expectOn(r, s.expect, s, t, PyVersion::V3_12, "on " + impl);
  if (r.expectFailures.empty()) {
    r.verdict = Verdict::Pass;
    r.reason = "expectations only: " + impl + " has no model profile";
  } else {
    r.verdict = Verdict::ExpectFail;
    r.reason = "the expectation at " + r.expectFailures.front().loc.str() +
               " does not hold (expectations only: no model for " + impl + ")";
    for (const ExpectFailure& f : r.expectFailures)
      r.detail += f.loc.str() + ": " + f.message + "\n";
  }
  proveClientResults(r, s, bare, {{&t, "recorded"}});
  if (c.keepTraces) r.on = std::make_shared<const Trace>(t);
  return done();
}

}  // namespace

bool prefetchRuns(const Scenario& s, Oracle& w, const CheckContext& c) {
  const auto v = parseVersion(w.interpreter().version);
  CheckResult scratch;
  if (!w.interpreter().monitoring || !v || !s.python.contains(*v) ||
      s.kind == Scenario::Kind::Script || (s.clients && !s.clients->results.empty()) ||
      !capable(s, w, scratch))
    return false;
  for (const json& options : recordedRunOptions(s, c))
    if (!w.prefetch(s.oracle, options)) return false;
  return true;
}

CheckResult checkOnInterpreter(const Scenario& s, Oracle& w, const CheckContext& c) {
  const auto t0 = std::chrono::steady_clock::now();
  CheckResult r;
  r.scenario = s.id;
  r.file = s.file;
  r.interpreter = w.interpreter().id;
  r.version = w.interpreter().version;
  r.implementation = w.interpreter().implementation;
  auto done = [&]() -> CheckResult {
    finish(r, s, c, t0);
    return r;
  };
  if (!w.interpreter().monitoring) return checkLegacyOnly(s, w, c, r, t0);
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
  if (!capable(s, w, r)) return done();
  json lastTrace;
  const std::vector<json> runs = recordedRunOptions(s, c);
  auto record = [&](bool probe, std::optional<Trace>& out) {
    RunOutcome o = w.run(s.oracle, runs[probe ? 0 : 1], budgetOf(s));
    if (o.kind != RunOutcome::Kind::Result) {
      runFailed(r, o, !probe, probe ? "" : "probe-off run: ");
      return false;
    }
    json& tj = o.message["trace"];
    out = traceFromJson(tj);
    if (c.keepTraceJson) unpackCompactRecords(tj);  // written out as §4.5 says
    lastTrace = c.keepTraceJson ? std::move(tj) : json();
    if (out->truncated) {
      r.verdict = Verdict::Error;
      r.error = {ErrorKind::Truncated, !probe, OraclePhase::Unknown};
      r.reason = truncatedReason(s, *out);
      return false;
    }
    noteOutputCut(r, s, *out, probe ? "probe-on" : "probe-off");
    return true;
  };
  bool failed = false;
  const std::optional<Trace> bare = unrecordedRun(r, s, w, failed);
  if (failed) return done();
  std::optional<Trace> on, off;
  const bool wantOff = runs.size() > 1;
  // The worker runs the probe-off run while the probe-on one is read.
  for (const json& options : runs) w.prefetch(s.oracle, options);
  if (!record(true, on)) return done();
  if (c.keepTraces) r.traceOn.json = std::move(lastTrace);
  if (wantOff) {
    if (!record(false, off)) return done();
    if (c.keepTraces) r.traceOff.json = std::move(lastTrace);
  }
  try {
    judgeTraces(r, s, *on, off ? &*off : nullptr, *v);
  } catch (const std::exception& e) {
    // A bug of monsim's own: the run's verdict says so, and the others go on.
    r.verdict = Verdict::Error;
    r.error.kind = ErrorKind::HarnessFailed;
    r.reason = std::string("the harness failed judging the traces: ") + e.what();
  }
  if (r.verdict != Verdict::Error)
    proveClientResults(
        r, s, bare,
        {{&*on, "with the probe"}, {off ? &*off : nullptr, "without the probe"}});
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
  judgeTraces(r, s, on, c.aloneRun ? off : nullptr, v);
  finish(r, s, c, t0);
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
      t.codes[name] = TraceCode{name, name, line, true, {}};
    if (s.expect.present)
      r.expectFailures =
          checkExpect(s.expect, toolIds(s), seenDeliveries(t, p), seenSteps(p), v);
    judge(r, Comparison{}, nullptr);
    for (const std::string& n : p.notes) r.detail += "replay note: " + n + "\n";
  }
  finish(r, s, c, t0);
  return r;
}

}  // namespace monsim::harness
