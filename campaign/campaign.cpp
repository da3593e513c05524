#include "campaign/campaign.h"

#include <algorithm>
#include <optional>

#include "check/invariants.h"
#include "scenario/loader.h"

namespace monsim::gen {

using harness::Verdict;

namespace {

// Garbage offsets compare equal, as in observerDifference.
int64_t offsetKey(int64_t offset) {
  return harness::isGarbageOffset(offset) ? -1 : offset;
}

// The first delivery one run has and the other lacks (multisets of tool, event,
// site, result), so the signature names the event the probe adds or takes away.
std::string observerSignature(const harness::Trace& on, const harness::Trace& off) {
  struct Key {
    // Everything but the offset: tool, event, code, what the callback returned.
    int tool;
    Event event;
    std::string code;
    std::optional<harness::TraceValue> returned;
    int64_t offset;
    bool sameSite(const Key& k) const {
      return tool == k.tool && event == k.event && code == k.code &&
             returned == k.returned;
    }
  };
  auto keys = [](const harness::Trace& t) {
    std::vector<Key> k;
    for (const auto& d : harness::associateDeliveries(t))
      k.push_back({d.tool, d.event, d.code, d.source->returned, offsetKey(d.offset)});
    return k;
  };
  auto a = keys(on), b = keys(off);
  // Drop what both runs have; what is left is the observer effect.
  for (auto it = a.begin(); it != a.end();) {
    auto m = std::find_if(b.begin(), b.end(), [&](const Key& k) {
      return k.sameSite(*it) && k.offset == it->offset;
    });
    if (m == b.end()) {
      ++it;
      continue;
    }
    b.erase(m);
    it = a.erase(it);
  }
  auto name = [](const Key& k) { return std::string(eventName(k.event)); };
  for (const Key& k : a)
    if (std::any_of(b.begin(), b.end(), [&](const Key& o) { return o.sameSite(k); }))
      return "observer-effect " + name(k) + ": location differs";
  if (!a.empty()) return "observer-effect " + name(a.front()) + ": only with the probe";
  if (!b.empty())
    return "observer-effect " + name(b.front()) + ": only without the probe";
  return "observer-effect: order differs";
}

// The phase and cause of an error, without what names the case.
std::string errorSignature(const harness::CheckError& e) {
  using harness::ErrorKind;
  const bool run = e.kind == ErrorKind::OracleErrored || e.kind == ErrorKind::Timeout ||
                   e.kind == ErrorKind::Crashed;
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
    case ErrorKind::None:
      break;
  }
  return "?";
}

}  // namespace

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
  if (!r.divergences.empty()) {
    const harness::Divergence& d = r.divergences.front();
    return std::string(harness::kindName(d.kind)) + " " + d.subject() + " | " +
           d.rule.text(/*withPlace=*/false);
  }
  std::string what;
  switch (r.verdict) {
    case Verdict::Fail:  // no divergence: the probe changed the deliveries
      what = "observer effect: the probe changes what the scenario's tools receive";
      break;
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

CaseRun runCase(const FuzzCase& c, const Token& t, harness::OracleWorker& w,
                const harness::CheckContext& ctx, const std::string& id) {
  CaseRun out;
  const std::string tok = t.str();
  const std::string name = id.empty() ? "fuzz-" + tok : id;
  out.yaml = renderScenario(c, t.version, name, "generated case " + tok,
                            "monsim fuzz --replay " + tok)
                 .yaml;
  harness::LoadResult lr = harness::loadScenarioText(out.yaml, "<fuzz " + tok + ">");
  if (!lr.scenario) {
    out.harnessError = true;
    out.check.verdict = Verdict::Error;
    out.check.error.kind = harness::ErrorKind::ScenarioDoesNotLoad;
    out.check.reason =
        "the generated scenario does not load: " +
        (lr.diagnostics.empty() ? std::string("?") : lr.diagnostics[0].str());
    out.signature = "harness: generated scenario does not load";
    return out;
  }
  harness::CheckContext keep = ctx;
  keep.keepTraces = true;  // for the invariants and the observer signature
  out.check = harness::checkOnInterpreter(*lr.scenario, w, keep);
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
    if (!out.check.observer.empty() && out.check.off) {
      out.signature = observerSignature(on, *out.check.off);
      // FINDINGS F4 (a second tool drops INSTRUCTION tools) changes everything
      // downstream of an INSTRUCTION callback: one signature for all of it.
      if (out.yaml.find("INSTRUCTION") != std::string::npos)
        out.signature = "observer-effect with an INSTRUCTION tool (F4)";
    }
    for (const auto& v : harness::checkInvariants(*lr.scenario, on, nullptr)) {
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
  if (!out.signature.empty() && ctx.expectations)
    out.known =
        harness::findKnownSignature(*ctx.expectations, w.interpreter().id, out.signature);
  return out;
}

Shrunk shrinkCase(const Token& t, const CaseRun& first, harness::OracleWorker& w,
                  const harness::CheckContext& ctx, int budget,
                  const std::atomic<bool>* stop) {
  Shrunk s{t, {}, first, 0, false};
  // A timeout or crash costs seconds per run: shrink those only a little.
  if (first.signature.starts_with("error:")) budget = std::min(budget, 25);
  rc::Shrinkable<FuzzCase> cur = caseAt(t);
  s.fc = cur.value();
  for (bool progress = true; progress;) {
    progress = false;
    auto seq = cur.shrinks();
    int idx = 0;
    while (auto next = seq.next()) {
      if (s.evaluations >= budget || (stop && stop->load())) return s;
      ++s.evaluations;
      Token nt = s.token;
      nt.path.push_back(idx++);
      FuzzCase fc = next->value();
      CaseRun r = runCase(fc, nt, w, ctx);
      if (r.signature == first.signature) {
        cur = *next;
        s.token = nt;
        s.fc = std::move(fc);
        s.run = std::move(r);
        progress = true;
        break;
      }
    }
  }
  s.complete = true;
  return s;
}

}  // namespace monsim::gen
