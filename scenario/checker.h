#pragma once
// The rules of spec/SCENARIO-FORMAT.md applied to one parsed YAML document: builds
// the Scenario (and, for program scenarios, the oracle's scenario JSON) while
// reporting every problem through the reader. Used by scenario_loader.cpp.
#include <optional>

#include "scenario/scenario.h"
#include "scenario/yaml.h"

namespace monsim::harness {

// nullopt when the document is not a mapping. The caller drops the result when the
// reader collected any diagnostic.
std::optional<Scenario> checkScenario(const YAML::Node& doc, yaml::Reader& reader);

}  // namespace monsim::harness
