#include "model/version_profile.h"

namespace monsim {

std::optional<PyVersion> parseVersion(std::string_view text) {
  for (int i = 0; i < spec::kVersionCount; ++i) {
    const std::string_view name = spec::kVersionNames[i];
    if (text.substr(0, name.size()) != name) continue;
    // "3.13" must not match "3.130"; "3.13.0" and "3.13.0rc1" are fine.
    if (text.size() == name.size() || text[name.size()] == '.')
      return static_cast<PyVersion>(i);
  }
  return std::nullopt;
}

std::string_view versionName(PyVersion v) {
  return spec::kVersionNames[static_cast<int>(v)];
}

}  // namespace monsim
