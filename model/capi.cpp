// The monitoring C API (behaviour §13): scopes refresh PyMonitoringState arrays from
// the global event sets when the global version moved; a fire calls the callbacks of
// the state's tools, highest first, with no regard for local events, DISABLE at sites
// or a callback already running. Declared in monitor.h.
#include <bit>
#include <limits>

#include "model/disable.h"
#include "model/error_format.h"
#include "model/monitor.h"
#include "model/mutant.h"

namespace monsim {

namespace {
// A version cell nobody has entered a scope with: never the global version. (CPython
// starts cells at 0, which only equals a global version no tool ever changed, when
// every state would be 0 anyway.)
constexpr uint64_t kNeverEntered = std::numeric_limits<uint64_t>::max();
constexpr size_t kMaxFireNesting = 64;
}  // namespace

Outcome Monitor::onApi(const CapiEnterScope& c) {
  if (!profile_->hasCapi()) return InvalidInput{"the C API exists from 3.13 on"};
  if (capiVersions_.size() <= c.version)
    capiVersions_.resize(c.version + 1, kNeverEntered);
  if (capiStates_.size() < size_t(c.firstState) + c.count)
    capiStates_.resize(size_t(c.firstState) + c.count, 0);
  uint64_t& cell = capiVersions_[c.version];
  if (cell == uint64_t(g_.version))
    return PyNone{};  // nothing changed since: states kept as are
  if (mutant(Mutant::CapiEnterScopeNoRefresh) && cell != kNeverEntered)
    return PyNone{};  // Mutant: a stale state is kept
  for (int i = 0; i < c.count; ++i) {
    const int bit = eventBit_[static_cast<int>(c.events[i])];
    // Only the global sets count: a code-like object has no local events.
    capiStates_[c.firstState + i] = bit < 0 ? 0 : globalTools_[bit];
  }
  cell = uint64_t(g_.version);
  return PyNone{};
}

Outcome Monitor::onApi(const CapiExitScope&) { return PyNone{}; }

Outcome Monitor::onApi(const CapiFire& c) {
  if (!profile_->hasCapiFire(c.event))
    return InvalidInput{"no fire function for this event in this version"};
  // Callbacks that fire again without end would overflow this stack; CPython's own
  // recursion limit ends such a chain somewhere no model can say.
  if (effectDepth_ > kMaxFireNesting)
    return InvalidInput{"C API fires nested too deeply"};
  if (capiStates_.size() <= c.state) capiStates_.resize(c.state + 1, 0);
  // The inline wrapper returns at once for an inactive state.
  if (capiStates_[c.state] == 0) return IntValue{0};
  if (inCallback_ && mutant(Mutant::CapiFireInCallbackSuppressed))
    return IntValue{capiStates_[c.state]};  // Mutant: §9.5 applied to C fires
  const int bit = eventBit_[static_cast<int>(c.event)];
  const bool offsetFirst = mutant(Mutant::CapiOffsetBeforeException);
  if (offsetFirst && c.offset < 0)
    return makeError(*profile_, spec::Error::CapiNegativeOffset);
  if (capiTakesException(c.event) && c.exception.empty())
    return makeError(*profile_, spec::Error::CapiNoException, eventField(bit));
  if (c.offset < 0) return makeError(*profile_, spec::Error::CapiNegativeOffset);
  ReturnNonePolicy nonePolicy;
  NullSink nullSink;
  CallbackPolicy& policy = policy_ ? *policy_ : nonePolicy;
  DeliverySink& sink = sink_ ? *sink_ : nullSink;
  // The tool set is read from the state as dispatch starts; DISABLE clears bits of
  // the state itself, which the caller sees after the fire.
  uint32_t tools = capiStates_[c.state];
  while (tools) {
    const int t = 31 - std::countl_zero(tools);
    tools &= ~(1u << t);
    // Not modelled: the legacy hooks' handlers attribute a C-fired event to the
    // Python frame that fired it (behaviour §13.6); scenarios do not mix the two.
    if (isHookTool(t)) continue;
    const CallbackSlot slot = tools_[t].callbacks[bit];
    if (!slot.callable) continue;
    Delivery d;
    d.tool = ToolId{t};
    d.event = c.event;
    d.code = c.code;
    d.offset = c.event == Event::Line ? -1 : c.offset;  // LINE callbacks get no offset
    d.aux = c.aux;
    d.exception = c.exception;
    d.callable = *slot.callable;
    d.viaBranchWrapper = slot.branchWrapper;
    const bool wasInCallback = inCallback_;  // a callback may fire: restore, not clear
    inCallback_ = true;
    CallbackAction action = policy.onCallback(d);
    d.effects = applyEffects(action);
    inCallback_ = wasInCallback;
    if (!action.raiseType.empty()) {
      d.result = CallbackResult::Raised;
      sink.onDelivery(d);
      return PyError{std::string(action.raiseType), std::string(action.raiseMessage)};
    }
    if (action.disable) {
      if (profile_->group(c.event) != spec::Group::Local &&
          !mutant(Mutant::CapiDisableNonLocalAccepted)) {
        // As for the interpreter's own events: the callback is removed, dispatch stops.
        tools_[t].callbacks[bit] = CallbackSlot{};
        d.result = CallbackResult::DisableRejected;
        sink.onDelivery(d);
        return makeError(*profile_, spec::Error::CannotDisable,
                         nameField(profile_->name(c.event)));
      }
      capiStates_[c.state] &= uint8_t(~(1u << t));
      d.result = CallbackResult::ReturnedDisable;
    }
    sink.onDelivery(d);
  }
  return IntValue{capiStates_[c.state]};
}

}  // namespace monsim
