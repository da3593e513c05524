#include "campaign/campaign.h"

#include <algorithm>
#include <optional>

#include "check/invariants.h"
#include "scenario/loader.h"

namespace monsim::gen {

using harness::Verdict;

namespace {

// The phase and cause of an error, without what names the case.
std::string errorSignature(const harness::CheckError& e) {
  using harness::ErrorKind;
  const bool run = e.kind == ErrorKind::OracleErrored || e.kind == ErrorKind::Timeout ||
                   e.kind == ErrorKind::Crashed || e.kind == ErrorKind::MemoryLimit ||
                   e.kind == ErrorKind::ProcessLimit;
  if (run && e.probeOff) return "probe-off run";
  switch (e.kind) {
    case ErrorKind::WorkerDoesNotStart:
      return "the oracle worker does not start";
    case ErrorKind::OracleErrored:
      return "errored in " + std::string(harness::phaseName(e.phase));
    case ErrorKind::Timeout:
      return "timeout";
    case ErrorKind::Crashed:
      return "crashed";
    case ErrorKind::Truncated:
      return "the trace was truncated (options.max_records)";
    case ErrorKind::ScenarioDoesNotLoad:
      return "the generated scenario does not load";
    case ErrorKind::HarnessFailed:
      return "the harness failed";
    case ErrorKind::NotRecorded:
      return "not recorded";
    case ErrorKind::MemoryLimit:
      return "over the memory limit";
    case ErrorKind::ProcessLimit:
      return "over the process limit";
    case ErrorKind::None:
      break;
  }
  return "?";
}

}  // namespace

// A divergence in either run, with the model rule; the run without the probe is
// named, since its rule may be one the probe hides.
std::string divergenceSignature(const harness::Divergence& d) {
  return std::string(harness::kindName(d.kind)) + " " + d.subject() +
         (d.alone ? " (without the probe)" : "") + " | " +
         d.rule.text(/*withPlace=*/false);
}

const harness::KnownSignature* knownCase(
    const harness::CheckResult& r, std::string& signature,
    const std::function<const harness::KnownSignature*(const std::string&)>& lookup) {
  const harness::KnownSignature* known = lookup(signature);
  for (const harness::Divergence& d : r.divergences) {
    if (!known) break;
    const std::string sig = divergenceSignature(d);
    if (!lookup(sig)) {
      known = nullptr;
      signature = sig;
    }
  }
  return known;
}

std::string signatureOf(const harness::CheckResult& r) {
  switch (r.verdict) {
    case Verdict::Pass:
    case Verdict::KnownDeviation:
    case Verdict::Skipped:
      return "";
    case Verdict::Error:
      return "error: " + errorSignature(r.error);
    default:
      break;
  }
  if (!r.divergences.empty()) return divergenceSignature(r.divergences.front());
  std::string what;
  switch (r.verdict) {
    case Verdict::ExpectFail:
      what = "model and interpreter agree, but the expectation at " +
             (r.expectFailures.empty() ? std::string("?")
                                       : r.expectFailures.front().loc.str()) +
             " does not hold";
      break;
    case Verdict::XPass:
      what = "listed as a known deviation but passes now: remove the entry";
      break;
    default:
      break;
  }
  return std::string(harness::verdictName(r.verdict)) + ": " + what;
}

PreparedCase prepareCase(const FuzzCase& c, const Token& t, const std::string& id) {
  PreparedCase p;
  p.token = t;
  const std::string tok = t.str();
  const std::string name = id.empty() ? "fuzz-" + tok : id;
  p.yaml = renderScenario(c, t.version, name, "generated case " + tok,
                          "monsim fuzz --replay " + tok)
               .yaml;
  harness::LoadResult lr = harness::loadScenarioText(p.yaml, "<fuzz " + tok + ">");
  p.scenario = std::move(lr.scenario);
  if (!p.scenario)
    p.loadError = lr.diagnostics.empty() ? std::string("?") : lr.diagnostics[0].str();
  return p;
}

CaseRun runCase(const FuzzCase& c, const Token& t, harness::Oracle& w,
                const harness::CheckContext& ctx, const std::string& id) {
  return runPrepared(prepareCase(c, t, id), w, ctx);
}

CaseRun runPrepared(PreparedCase p, harness::Oracle& w,
                    const harness::CheckContext& ctx) {
  CaseRun out;
  out.yaml = std::move(p.yaml);
  if (!p.scenario) {
    out.harnessError = true;
    out.check.verdict = Verdict::Error;
    out.check.error.kind = harness::ErrorKind::ScenarioDoesNotLoad;
    out.check.reason = "the generated scenario does not load: " + p.loadError;
    out.signature = "harness: generated scenario does not load";
    return out;
  }
  harness::CheckContext keep = ctx;
  keep.keepTraces = true;  // for the invariants
  out.check = harness::checkOnInterpreter(*p.scenario, w, keep);
  if (out.check.error.kind == harness::ErrorKind::HarnessFailed) out.harnessError = true;
  // The oracle refusing a generated scenario is a generator bug, not a finding.
  const harness::CheckError& error = out.check.error;
  if (out.check.verdict == Verdict::Error &&
      error.kind == harness::ErrorKind::OracleErrored &&
      error.phase != harness::OraclePhase::Internal) {
    out.harnessError = true;
  }
  // A case whose trace outgrows the record limit is not judged (and not shrunk).
  if (out.check.verdict == Verdict::Error &&
      error.kind == harness::ErrorKind::Truncated) {
    out.tooBig = true;
    return out;
  }
  out.signature = signatureOf(out.check);
  if (out.check.on) {
    const harness::Trace& on = *out.check.on;
    std::vector<harness::InvariantViolation> violations;
    try {
      violations = harness::checkInvariants(on);
    } catch (const std::exception& e) {  // monsim's bug: say so, go on
      out.harnessError = true;
      out.check.reason = std::string("the invariant check failed: ") + e.what();
    }
    for (const auto& v : violations) {
      out.invariants.push_back(v.str());
      if (out.signature.empty()) {
        std::string ev;
        if (v.record < on.records.size()) {
          const harness::TraceRecord& r = on.records[v.record];
          const bool occurrence = r.kind == harness::RecordKind::Event ||
                                  r.kind == harness::RecordKind::Delivery;
          ev = " " + (occurrence ? std::string(eventName(r.event)) : std::string());
        }
        out.signature = "invariant " + std::string(invariantName(v.invariant)) + ev;
      }
    }
  }
  if (!ctx.keepTraces) out.check.on = out.check.off = nullptr;
  if (!out.signature.empty() && ctx.expectations) {
    const std::vector<std::string> names = {
        w.interpreter().id,
        w.interpreter().implementation + "-" + w.interpreter().version};
    out.known = knownCase(out.check, out.signature, [&](const std::string& sig) {
      return harness::findKnownSignature(*ctx.expectations, names, sig);
    });
  }
  return out;
}

Descent descend(const Token& t, int budget, const std::atomic<bool>* stop,
                const std::function<bool(const FuzzCase&, const Token&)>& keeps) {
  rc::Shrinkable<FuzzCase> cur = caseAt(t);
  Descent d{t, cur.value(), 0, false};
  for (bool progress = true; progress;) {
    progress = false;
    auto seq = cur.shrinks();
    int idx = 0;
    while (auto next = seq.next()) {
      if (d.evaluations >= budget || (stop && stop->load())) return d;
      ++d.evaluations;
      Token nt = d.token;
      nt.path.push_back(idx++);
      FuzzCase fc = next->value();
      if (keeps(fc, nt)) {
        cur = *next;
        d.token = nt;
        d.fc = std::move(fc);
        progress = true;
        break;
      }
    }
  }
  d.complete = true;
  return d;
}

Shrunk shrinkCase(const Token& t, const CaseRun& first, harness::Oracle& w,
                  const harness::CheckContext& ctx, int budget,
                  const std::atomic<bool>* stop) {
  // A timeout or crash costs seconds per run: shrink those only a little.
  if (first.signature.starts_with("error:")) budget = std::min(budget, 25);
  CaseRun last = first;
  Descent d = descend(t, budget, stop, [&](const FuzzCase& fc, const Token& nt) {
    CaseRun r = runCase(fc, nt, w, ctx);
    if (r.signature != first.signature) return false;
    last = std::move(r);
    return true;
  });
  return Shrunk{d.token, std::move(d.fc), std::move(last), d.evaluations, d.complete};
}

}  // namespace monsim::gen
