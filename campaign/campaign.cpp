#include "campaign/campaign.h"

#include <algorithm>
#include <optional>

#include "check/invariants.h"
#include "scenario/loader.h"

namespace monsim::gen {

using harness::Verdict;

namespace {

// The first line of `s`, without parts that name places (file:line:col).
std::string head(const std::string& s) {
  std::string h = s.substr(0, s.find('\n'));
  for (size_t p = h.find(" ("); p != std::string::npos; p = h.find(" (", p + 1)) {
    const size_t q = h.find(')', p);
    if (q == std::string::npos) break;
    const std::string inner = h.substr(p + 2, q - p - 2);
    if (inner.find(".yaml:") != std::string::npos ||
        inner.find("<fuzz") != std::string::npos) {
      h.erase(p, q - p + 1);
      --p;
    }
  }
  return h;
}

// Garbage offsets compare equal, as in observerDifference.
std::string offsetKey(int64_t offset) {
  return harness::isGarbageOffset(offset) ? "?" : std::to_string(offset);
}

// The first delivery one run has and the other lacks (multisets of tool, event,
// site, result), so the signature names the event the probe adds or takes away.
std::string observerSignature(const harness::Trace& on, const harness::Trace& off) {
  struct Key {
    std::string site;  // tool, event, code, result: everything but the offset
    std::string offset, event;
  };
  auto keys = [](const harness::Trace& t) {
    std::vector<Key> k;
    for (const auto& d : harness::associateDeliveries(t)) {
      const nlohmann::json& r = *d.record;
      const std::string ev = r.value("event", "");
      k.push_back({std::to_string(r.value("tool", -1)) + " " + ev + " " +
                       r.value("code", "") + " " +
                       r.value("returned", nlohmann::json()).dump(),
                   offsetKey(r.value("offset", 0)), ev});
    }
    return k;
  };
  auto a = keys(on), b = keys(off);
  // Drop what both runs have; what is left is the observer effect.
  for (auto it = a.begin(); it != a.end();) {
    auto m = std::find_if(b.begin(), b.end(), [&](const Key& k) {
      return k.site == it->site && k.offset == it->offset;
    });
    if (m == b.end()) {
      ++it;
      continue;
    }
    b.erase(m);
    it = a.erase(it);
  }
  for (const Key& k : a)
    if (std::any_of(b.begin(), b.end(), [&](const Key& o) { return o.site == k.site; }))
      return "observer-effect " + k.event + ": location differs";
  if (!a.empty()) return "observer-effect " + a.front().event + ": only with the probe";
  if (!b.empty())
    return "observer-effect " + b.front().event + ": only without the probe";
  return "observer-effect: order differs";
}

}  // namespace

std::string signatureOf(const harness::CheckResult& r) {
  switch (r.verdict) {
    case Verdict::Pass:
    case Verdict::KnownDeviation:
    case Verdict::Skipped:
      return "";
    case Verdict::Error: {
      // Keep the phase and cause, not the message text (it names the case).
      std::string h = head(r.reason);
      if (size_t c = h.find(": "); c != std::string::npos) h = h.substr(0, c);
      return "error: " + h;
    }
    default:
      break;
  }
  if (!r.divergences.empty()) {
    const harness::Divergence& d = r.divergences.front();
    return std::string(harness::kindName(d.kind)) + " " + d.event + " | " + head(d.rule);
  }
  return std::string(harness::verdictName(r.verdict)) + ": " + head(r.reason);
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
  if (out.check.verdict == Verdict::Error &&
      out.check.reason.find("errored in") != std::string::npos &&
      out.check.reason.find("errored in internal") == std::string::npos) {
    out.harnessError = true;
  }
  // A case whose trace outgrows the record limit is not judged (and not shrunk).
  if (out.check.verdict == Verdict::Error &&
      out.check.reason.starts_with("the trace was truncated")) {
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
        if (v.record < on.records.size())
          ev = " " + on.records[v.record].value("event", "");
        out.signature = "invariant " + v.invariant + ev;
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
