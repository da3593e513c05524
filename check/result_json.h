#pragma once
// The writer's side of the results stream: one CheckResult as a `result` record
// (reports/schema/results.schema.json). Verdicts, kinds and divergences become text
// here, and nowhere earlier.
#include <nlohmann/json.hpp>

#include "check/check.h"

namespace monsim::harness {

nlohmann::json toJson(const CheckResult& r, const Scenario& s);

}  // namespace monsim::harness
