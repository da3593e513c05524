#include "model/self_check.h"

#include <string>

#include "model/version_profile.h"

namespace monsim {

std::vector<std::string> selfCheck() {
  std::vector<std::string> problems;
  for (const VersionProfile& p : kProfiles) {
    const std::string v(versionName(p.version()));
    uint32_t seen = 0;
    for (int e = 0; e < spec::kEventCount; ++e) {
      const auto ev = static_cast<Event>(e);
      if (!p.has(ev)) continue;
      const uint32_t b = uint32_t{1} << p.bitOf(ev);
      if (seen & b)
        problems.push_back(v + ": two events share bit " + std::to_string(p.bitOf(ev)));
      seen |= b;
      if (p.isAlias(ev)) {
        for (Event a : p.aliasOf(ev))
          if (!p.has(a) || p.isAlias(a))
            problems.push_back(v + ": alias " + std::string(p.name(ev)) +
                               " names a missing event");
      }
      if (p.mayBeLocal(ev) && spec::kEvents[e].group == spec::Group::Ancillary)
        problems.push_back(v + ": ancillary event " + std::string(p.name(ev)) +
                           " marked local");
    }
    // Real events are numbered densely from 0; only aliases sit above them.
    if (p.realEvents().bits() != (uint32_t{1} << p.realEvents().count()) - 1)
      problems.push_back(v + ": real event numbers are not dense");
    if (!p.localEvents().intersects(EventSet(1)))
      problems.push_back(v + ": PY_START must be a local event");
    for (int err = 0; err < static_cast<int>(spec::kErrors.size()); ++err) {
      if (spec::kErrors[err].type.empty()) problems.push_back(v + ": error without type");
    }
  }
  return problems;
}

}  // namespace monsim
