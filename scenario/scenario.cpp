#include "scenario/scenario.h"

namespace monsim::harness {

std::string SourceLoc::str() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(col);
}

bool VersionRange::contains(PyVersion v) const {
  return (!min || v >= *min) && (!below || v < *below);
}

nlohmann::json resolveEventsMarkers(const nlohmann::json& literal, PyVersion v) {
  if (literal.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : literal) out.push_back(resolveEventsMarkers(x, v));
    return out;
  }
  if (!literal.is_object()) return literal;
  const auto marker = literal.find("$");
  if (marker != literal.end() && *marker == "events") {
    uint32_t mask = 0;
    for (const auto& name : literal.value("names", nlohmann::json::array())) {
      const auto e =
          name.is_string() ? eventNamed(name.get<std::string>()) : std::nullopt;
      if (e) mask |= profile(v).setOf(*e).bits();
    }
    return mask;
  }
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [k, x] : literal.items()) out[k] = resolveEventsMarkers(x, v);
  return out;
}

}  // namespace monsim::harness
