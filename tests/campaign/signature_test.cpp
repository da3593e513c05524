// A fuzz signature is built from kinds (the error's, the divergence's, its event
// and rule), never from message text, and spells each situation exactly as the
// triaged `fuzz_signatures` of spec/expectations/ and earlier findings do.
#include <gtest/gtest.h>

#include <string>

#include "campaign/campaign.h"

namespace monsim::gen {
namespace {

using harness::CheckError;
using harness::CheckResult;
using harness::Divergence;
using harness::DivergenceRule;
using harness::ErrorKind;
using harness::OraclePhase;
using harness::Verdict;

CheckResult error(ErrorKind kind, bool probeOff = false,
                  OraclePhase phase = OraclePhase::Unknown) {
  CheckResult r;
  r.verdict = Verdict::Error;
  r.error = CheckError{kind, probeOff, phase};
  r.reason = "a message that names the case <fuzz 313-1-100>:3:4: and more";
  return r;
}

TEST(Signature, ErrorsNameTheirKindAndPhaseOnly) {
  EXPECT_EQ(signatureOf(error(ErrorKind::WorkerDoesNotStart)),
            "error: the oracle worker does not start");
  EXPECT_EQ(signatureOf(error(ErrorKind::OracleErrored, false, OraclePhase::Validate)),
            "error: errored in validate");
  EXPECT_EQ(signatureOf(error(ErrorKind::OracleErrored, false, OraclePhase::Internal)),
            "error: errored in internal");
  EXPECT_EQ(signatureOf(error(ErrorKind::OracleErrored)), "error: errored in ?");
  EXPECT_EQ(signatureOf(error(ErrorKind::Timeout)), "error: timeout");
  EXPECT_EQ(signatureOf(error(ErrorKind::Crashed)), "error: crashed");
  EXPECT_EQ(signatureOf(error(ErrorKind::Truncated)),
            "error: the trace was truncated (options.max_records)");
  EXPECT_EQ(signatureOf(error(ErrorKind::ScenarioDoesNotLoad)),
            "error: the generated scenario does not load");
  EXPECT_EQ(signatureOf(error(ErrorKind::HarnessFailed)), "error: the harness failed");
}

TEST(Signature, AFailedProbeOffRunIsOneSignature) {
  for (ErrorKind k : {ErrorKind::OracleErrored, ErrorKind::Timeout, ErrorKind::Crashed})
    EXPECT_EQ(signatureOf(error(k, true, OraclePhase::Run)), "error: probe-off run");
  EXPECT_EQ(signatureOf(error(ErrorKind::Truncated, true)),
            "error: the trace was truncated (options.max_records)");
}

TEST(Signature, VerdictsWithoutADivergence) {
  CheckResult r;
  r.verdict = Verdict::Pass;
  EXPECT_EQ(signatureOf(r), "");
  r.verdict = Verdict::ExpectFail;
  r.expectFailures.push_back({{"<fuzz 313-1-100>", 3, 4}, "message"});
  EXPECT_EQ(signatureOf(r),
            "expect-fail: model and interpreter agree, but the expectation at "
            "<fuzz 313-1-100>:3:4 does not hold");
  r.verdict = Verdict::XPass;
  EXPECT_EQ(signatureOf(r),
            "xpass: listed as a known deviation but passes now: remove the entry");
}

CheckResult divergent(Divergence::Kind kind, std::optional<Event> event, std::string fn,
                      DivergenceRule rule) {
  Divergence d;
  d.kind = kind;
  d.inTrace = true;
  d.event = event;
  d.fn = std::move(fn);
  d.rule = std::move(rule);
  CheckResult r;
  r.verdict = Verdict::Fail;
  r.divergences = {d};
  return r;
}

TEST(Signature, DivergencesNameKindEventAndRuleWithoutPlaces) {
  using K = DivergenceRule::Kind;
  const harness::SourceLoc clause{"<fuzz 313-1-100>", 12, 9};
  EXPECT_EQ(signatureOf(divergent(Divergence::Kind::WrongResult, Event::Line, "",
                                  {K::DeclaredCallback, {}, std::nullopt, clause})),
            "wrong-result LINE | the callback as the scenario declares it");
  EXPECT_EQ(signatureOf(divergent(Divergence::Kind::WrongArgument, Event::Line, "",
                                  {K::ToolReason, Reason::ActiveGlobal,
                                   harness::DeliveryField::Offset, std::nullopt})),
            "wrong-argument LINE | global events: the event is in the tool's "
            "set_events set — behaviour §6, §9.1 (differs in offset)");
  EXPECT_EQ(
      signatureOf(divergent(Divergence::Kind::ApiOutcome, std::nullopt, "set_events",
                            {K::ApiSemantics, {}, std::nullopt, std::nullopt})),
      "api-outcome set_events | API semantics and error messages — behaviour "
      "§5–§8, spec/errors.yaml");
  EXPECT_EQ(signatureOf(divergent(
                Divergence::Kind::Missing, Event::BranchLeft, "",
                {K::ToolReason, Reason::DisabledAtSite, std::nullopt, std::nullopt})),
            "missing BRANCH_LEFT | " + std::string(reasonText(Reason::DisabledAtSite)));
}

// What the probe changes is no signature of its own: a divergence in the run without
// the probe is one like any other, with its model rule, and says which run it is in.
TEST(Signature, ADivergenceWithoutTheProbeNamesTheRun) {
  CheckResult r = divergent(Divergence::Kind::Extra, Event::CReturn, "",
                            {DivergenceRule::Kind::ToolReason, Reason::CallNotAtSite,
                             std::nullopt, std::nullopt});
  r.divergences[0].alone = true;
  EXPECT_EQ(signatureOf(r), "extra C_RETURN (without the probe) | " +
                                std::string(reasonText(Reason::CallNotAtSite)));
}

// A case counts under a triaged signature only when each of its divergences is
// triaged: a known first divergence does not hide a second, unknown one, which then
// names the case.
TEST(Signature, AKnownFirstDivergenceDoesNotHideAnUnknownOne) {
  using K = DivergenceRule::Kind;
  CheckResult r =
      divergent(Divergence::Kind::Missing, Event::Line, "",
                {K::ToolReason, Reason::DisabledAtSite, std::nullopt, std::nullopt});
  const std::string first = signatureOf(r);
  const harness::KnownSignature triaged{first, "some-scenario", "why", {}};
  auto lookup = [&](const std::string& sig) { return sig == first ? &triaged : nullptr; };
  std::string sig = first;
  EXPECT_EQ(knownCase(r, sig, lookup), &triaged);
  EXPECT_EQ(sig, first);

  Divergence other = r.divergences[0];
  other.kind = Divergence::Kind::Extra;
  other.event = Event::PyStart;
  other.alone = true;
  r.divergences.push_back(other);
  sig = first;
  EXPECT_EQ(knownCase(r, sig, lookup), nullptr);
  EXPECT_EQ(sig, divergenceSignature(other));
  EXPECT_NE(sig, first);
}

}  // namespace
}  // namespace monsim::gen
