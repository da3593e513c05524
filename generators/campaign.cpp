#include "campaign.h"

#include <sstream>

#include "scenario_loader.h"

namespace monsim::gen {

using harness::Verdict;

uint64_t caseSeed(uint64_t campaignSeed, uint64_t n) {
  uint64_t z = campaignSeed + 0x9e3779b97f4a7c15ULL * (n + 1);  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {

// The first line of `s`, without parts that name places (file:line:col).
std::string head(const std::string& s) {
  std::string h = s.substr(0, s.find('\n'));
  for (size_t p = h.find(" ("); p != std::string::npos; p = h.find(" (", p + 1)) {
    const size_t q = h.find(')', p);
    if (q == std::string::npos) break;
    const std::string inner = h.substr(p + 2, q - p - 2);
    if (inner.find(".yaml:") != std::string::npos || inner.find("<fuzz") != std::string::npos) {
      h.erase(p, q - p + 1);
      --p;
    }
  }
  return h;
}

// "delivery #N: with the probe <tool T EVENT …|(none)>; without it <…>" (compare.h).
std::string observerSignature(const std::string& diff) {
  auto side = [&](const std::string& label) -> std::string {
    const size_t p = diff.find(label);
    if (p == std::string::npos) return "";
    std::istringstream in(diff.substr(p + label.size()));
    std::string word, tool, event;
    in >> word;
    if (word != "tool") return "";
    in >> tool >> event;
    return event;
  };
  const std::string with = side("with the probe "), without = side("without it ");
  if (without.empty()) return "observer-effect " + with + ": only with the probe";
  if (with.empty()) return "observer-effect " + without + ": only without the probe";
  return "observer-effect " + with + "/" + without + ": differs";
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
  if (!r.observer.empty()) return observerSignature(r.observer);
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
    out.check.reason = "the generated scenario does not load: " +
                       (lr.diagnostics.empty() ? std::string("?") : lr.diagnostics[0].str());
    out.signature = "harness: generated scenario does not load";
    return out;
  }
  out.check = harness::checkOnInterpreter(*lr.scenario, w, ctx);
  // The oracle refusing a generated scenario is a generator bug, not a finding.
  if (out.check.verdict == Verdict::Error &&
      out.check.reason.find("errored in") != std::string::npos &&
      out.check.reason.find("errored in internal") == std::string::npos) {
    out.harnessError = true;
  }
  out.signature = signatureOf(out.check);
  if (!out.signature.empty() && ctx.expectations)
    out.known = harness::findKnownSignature(*ctx.expectations, w.interpreter().id, out.signature);
  return out;
}

Shrunk shrinkCase(const Token& t, const CaseRun& first, harness::OracleWorker& w,
                  const harness::CheckContext& ctx, int budget,
                  const std::atomic<bool>* stop) {
  Shrunk s{t, {}, first, 0, false};
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
