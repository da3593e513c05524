#pragma once
// Dispatch of one occurrence (behaviour §9): tools from the highest id down, the
// tool set fixed when dispatch starts, each tool's callable read at its turn;
// a raising callback ends the loop (§9.4, §9.6). The callback's behaviour comes
// from a caller-supplied CallbackPolicy; what happened goes to a DeliverySink.
#include <cstdint>
#include <span>
#include <string_view>

#include "model/ids.h"
#include "model/input.h"
#include "model/legacy.h"
#include "model/py_value.h"

namespace monsim {

enum class CallbackResult : uint8_t {
  Returned,         // any value other than DISABLE (ignored, behaviour §2.4)
  ReturnedDisable,  // DISABLE, accepted (per site, or 3.15 local exception bit)
  DisableRejected,  // DISABLE from an event that cannot be disabled: ValueError
                    // (§10.5/§10.6)
  Raised,           // the callback raised
};

// An API call made by a callback, with its outcome (valid during onDelivery only).
struct EffectRecord {
  const ApiCall* call = nullptr;
  Outcome outcome;
};

// One callback invocation: what the callback was called with and what it did.
struct Delivery {
  ToolId tool;
  Event event = Event::PyStart;
  CodeId code;
  int32_t offset = 0;  // LINE: the line-start instruction (the callback gets aux)
  int32_t aux = 0;     // LINE: line number; JUMP/BRANCH*: destination
  std::string_view exception;
  CallableId callable;  // for a 3.14+ legacy BRANCH wrapper: the wrapped handler;
                        // tools 6/7: the profile / trace function called
  bool viaBranchWrapper = false;  // behaviour §8.3
  // Tools 6/7 (behaviour §12): what the trace or profile function is called with.
  LegacyEvent legacy = LegacyEvent::Call;
  CallbackResult result = CallbackResult::Returned;
  std::span<const EffectRecord> effects;  // API calls the callback made, in order
};

// What a callback does for a delivery: its API calls (applied at once, in order,
// outcomes recorded; a failing call is assumed caught by the callback), then it
// raises (raiseType non-empty) or returns DISABLE or returns something else.
struct CallbackAction {
  bool disable = false;
  std::string_view raiseType;
  std::string_view raiseMessage;
  std::span<const ApiCall> calls;
  // A trace function's return value when it is a callable (the frame's next local
  // trace function); nullopt: None, which keeps the current one (behaviour §12.4).
  CallableArg traceReturn;
};

class CallbackPolicy {
 public:
  virtual ~CallbackPolicy() = default;
  // `pending.result` and `pending.effects` are not yet known. Storage behind the
  // returned spans/views must live until the next onCallback call.
  virtual CallbackAction onCallback(const Delivery& pending) = 0;
};

class DeliverySink {
 public:
  virtual ~DeliverySink() = default;
  virtual void onDelivery(const Delivery& delivery) = 0;
};

// Callbacks that return None and do nothing else.
class ReturnNonePolicy final : public CallbackPolicy {
 public:
  CallbackAction onCallback(const Delivery&) override { return {}; }
};

class NullSink final : public DeliverySink {
 public:
  void onDelivery(const Delivery&) override {}
};

}  // namespace monsim
