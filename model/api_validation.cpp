#include "model/api_validation.h"

#include <bit>
#include <limits>

#include "model/error_format.h"
#include "model/mutant.h"

namespace monsim {
namespace {

using spec::Error;

struct TypeNameOf {
  std::string_view operator()(const PyInt&) const { return "int"; }
  std::string_view operator()(const PyBool&) const { return "bool"; }
  std::string_view operator()(const PyStr&) const { return "str"; }
  std::string_view operator()(const PyNone&) const { return "NoneType"; }
  std::string_view operator()(const PyObj& o) const { return o.typeName; }
};

// Steps shared by set_events and set_local_events: pairing, strip, BRANCH alias.
Checked<uint32_t> stripAndMap(const VersionProfile& p, uint32_t set) {
  const uint32_t cBits = p.ancillaryEvents().bits();
  const uint32_t callAndC = cBits | p.setOf(Event::Call).bits();
  if (set & cBits) {
    // Mutant: only CALL is asked for.
    const uint32_t needed = mutant(Mutant::CEventsPairedWithCallOnly)
                                ? p.setOf(Event::Call).bits()
                                : callAndC;
    if ((set & needed) != needed) return makeError(p, Error::CEventsNotPaired);
    set &= ~cBits;
  }
  const bool branchIsAlias =
      p.isAlias(Event::Branch) ||
      (mutant(Mutant::BranchAliasOn313) && p.version() == PyVersion::V3_13);
  if (branchIsAlias && (set & p.setOf(Event::Branch).bits())) {
    set &= ~p.setOf(Event::Branch).bits();
    for (Event e : p.aliasOf(Event::Branch)) set |= p.setOf(e).bits();
  }
  return set;
}

}  // namespace

Checked<int32_t> toCInt(const VersionProfile& p, const PyArg& arg) {
  if (const auto* i = std::get_if<PyInt>(&arg)) {
    if (i->value < std::numeric_limits<int32_t>::min() ||
        i->value > std::numeric_limits<int32_t>::max())
      return makeError(p, Error::ToolIdOverflow);
    return static_cast<int32_t>(i->value);
  }
  if (const auto* b = std::get_if<PyBool>(&arg)) return static_cast<int32_t>(b->value);
  return makeError(p, Error::ToolIdNotInt, typeField(std::visit(TypeNameOf{}, arg)));
}

std::optional<PyError> checkToolRange(const VersionProfile& p, int32_t tool) {
  if (tool < 0 || tool >= kToolCount + (mutant(Mutant::ToolRangeOffByOne) ? 1 : 0))
    return makeError(p, Error::InvalidTool, toolField(tool));
  return std::nullopt;
}

Checked<EventSet> normalizeGlobalSet(const VersionProfile& p, int32_t set) {
  if (set < 0 || set >= (int64_t{1} << p.bitLimit()))
    return makeError(p, Error::InvalidEventSet, setField(static_cast<uint32_t>(set)));
  auto mapped = stripAndMap(p, static_cast<uint32_t>(set));
  if (const auto* err = errorOf(mapped)) return *err;
  if (mutant(Mutant::CBitsStoredGlobally))
    return EventSet(std::get<uint32_t>(mapped) |
                    (static_cast<uint32_t>(set) & p.ancillaryEvents().bits()));
  return EventSet(std::get<uint32_t>(mapped));
}

Checked<EventSet> normalizeLocalSet(const VersionProfile& p, int32_t set) {
  auto mapped = stripAndMap(p, static_cast<uint32_t>(set));
  if (const auto* err = errorOf(mapped)) return *err;
  const uint32_t bits = std::get<uint32_t>(mapped);
  if (bits & ~p.localEvents().bits())
    return makeError(
        p, Error::InvalidLocalEventSet,
        setField(mutant(Mutant::LocalRefusalPrintsRawSet) ? static_cast<uint32_t>(set)
                                                          : bits));
  return EventSet(bits);
}

Checked<int> callbackEventBit(const VersionProfile& p, int32_t event) {
  const auto u = static_cast<uint32_t>(event);
  if (std::popcount(u) != 1) return makeError(p, Error::CallbackOneEvent);
  // _Py_bit_length on the sign-extended value: INT_MIN names no event.
  const int bit = event < 0 ? 63 : std::countr_zero(u);
  if (bit >= p.bitLimit())
    return makeError(
        p, Error::InvalidEvent,
        eventField(mutant(Mutant::InvalidEventPrintsBitNumber) ? bit : event));
  return bit;
}

}  // namespace monsim
