#pragma once
// Where interpreters depart from the documented spec, per scenario: the known
// deviations (listed in spec/expectations) and the failures nobody has triaged yet,
// with the interpreters that behave the same way grouped together. The model's own
// results (script scenarios) are not interpreter deviations and are left out.
#include <string>
#include <vector>

#include "reports/render/results.h"

namespace monsim::report {

// Interpreters that depart from the spec in the same way (same verdict, reason and
// issue); the evidence (each record's detail) may still differ in offsets.
struct DeviationGroup {
  std::vector<const Record*> records;  // one per interpreter, in column order
  Verdict verdict = Verdict::Fail;     // known-deviation | fail | expect-fail
  std::string reason, issue;
  std::vector<std::string> listedAt;  // spec/expectations entries, for known deviations
  bool known() const { return verdict == Verdict::KnownDeviation; }
};

struct DeviationEntry {
  const Record* first = nullptr;  // scenario metadata (file, spec, level, description)
  std::vector<DeviationGroup> groups;
  std::vector<const Record*> conforming;     // pass / xpass
  std::vector<const Record*> notApplicable;  // skipped
  std::vector<const Record*> errored;        // no trustworthy trace
  bool triaged() const;                      // every group is a known deviation
};

std::vector<DeviationEntry> collectDeviations(const ResultSet& rs);
// Known-deviation entries an interpreter no longer reproduces (xpass): stale lines in
// spec/expectations.
std::vector<const Record*> staleExpectations(const ResultSet& rs);

// "pyodide-3.14.2, pyodide-3.15.0rc1"
std::string interpreterList(const std::vector<const Record*>& rs);

}  // namespace monsim::report
