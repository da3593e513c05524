#pragma once
// Running generated cases against an interpreter: render, load, check (model vs
// interpreter, observer independence, trace invariants), reduce a disagreement
// to a signature, and shrink a failing case while its signature stays the same.
#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "check/check.h"
#include "generators/fuzz_case.h"
#include "interpreter/oracle_driver.h"

namespace monsim::gen {

struct CaseRun {
  harness::CheckResult check;
  std::string yaml;
  std::string signature;      // "" when model and interpreter agree
  bool harnessError = false;  // our bug (generator, loader, oracle), not a finding
  const harness::KnownSignature* known = nullptr;  // an already triaged signature
  bool tooBig = false;  // the trace hit CheckContext::maxRecords: not judged
  std::vector<std::string> invariants;  // violated trace invariants, one line each
};

// A case made ready to run: its YAML (the reproducer) and the scenario loaded from it
// (as any scenario file is; nullopt, with `loadError`, when it does not load).
struct PreparedCase {
  Token token;
  std::string yaml;
  std::optional<harness::Scenario> scenario;
  std::string loadError;
};
// `id` names the scenario inside the YAML (default: "fuzz-<token>").
PreparedCase prepareCase(const FuzzCase& c, const Token& t, const std::string& id = "");
CaseRun runPrepared(PreparedCase p, harness::Oracle& w, const harness::CheckContext& ctx);
// prepareCase, then runPrepared.
CaseRun runCase(const FuzzCase& c, const Token& t, harness::Oracle& w,
                const harness::CheckContext& ctx, const std::string& id = "");

// What a disagreement is, without what varies between cases (names, offsets,
// lines): kind, event and model rule of the first divergence, or the error kind.
std::string signatureOf(const harness::CheckResult& r);
// The signature of one divergence (signatureOf's for the first).
std::string divergenceSignature(const harness::Divergence& d);
// The triaged signature a case counts under: `signature`'s, when every divergence of
// the case is known too (a known first divergence must not hide another); else null,
// and `signature` becomes the first unknown divergence's.
const harness::KnownSignature* knownCase(
    const harness::CheckResult& r, std::string& signature,
    const std::function<const harness::KnownSignature*(const std::string&)>& lookup);

// Greedy descent over the shrinks of the case `t` names (control sequence first, as
// FuzzCase orders them): the first shrink `keeps` accepts is taken, until none is
// (complete) or the budget or `stop` ends the search.
struct Descent {
  Token token;
  FuzzCase fc;
  int evaluations = 0;
  bool complete = false;
};
Descent descend(const Token& t, int budget, const std::atomic<bool>* stop,
                const std::function<bool(const FuzzCase&, const Token&)>& keeps);

struct Shrunk {
  Token token;
  FuzzCase fc;
  CaseRun run;
  int evaluations = 0;
  bool complete = false;  // no smaller case keeps the signature (budget not hit)
};

// Greedy descent over the case's shrinks, control sequence first (FuzzCase puts
// it first), keeping the first divergence's signature.
Shrunk shrinkCase(const Token& t, const CaseRun& first, harness::Oracle& w,
                  const harness::CheckContext& ctx, int budget,
                  const std::atomic<bool>* stop = nullptr);

}  // namespace monsim::gen
