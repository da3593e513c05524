#pragma once
// The sys.monitoring dispatch layer of one interpreter (PEP 669; behaviour §5–§9, §9.1,
// §9.5–§9.7, §10, FINDINGS F1–F7) as one state machine: `step` applies an API call, a
// frame change or an event occurrence and returns its outcome; deliveries go to the sink,
// callback behaviour comes from the policy. No I/O, globals, clocks or randomness;
// occurrences do not allocate (after a code's first DISABLE per site).
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/code_instrumentation.h"
#include "model/dispatch.h"
#include "model/explain.h"
#include "model/input.h"
#include "model/py_value.h"
#include "model/tool_slots.h"
#include "model/version_profile.h"

namespace monsim {

class Monitor {
 public:
  explicit Monitor(PyVersion v);

  // One input. API calls ignore policy and sink (they never dispatch).
  Outcome step(const Input& input, CallbackPolicy& policy, DeliverySink& sink);
  Outcome step(const ApiCall& call);
  // An API call whose callbacks (C API fires) run under this policy and sink.
  Outcome step(const ApiCall& call, CallbackPolicy& policy, DeliverySink& sink) {
    const DispatchScope scope(*this, policy, sink);
    return step(call);
  }
  // The same for one input kind, without building an Input (replay hot path).
  Outcome step(const Occurrence& o, CallbackPolicy& policy, DeliverySink& sink) {
    return onOccurrence(o, policy, sink);
  }
  // What an occurrence's dispatch did, small enough to come back in registers (an
  // Outcome is a 96-byte variant): a raised exception is kept aside (takeRaised).
  struct Replayed {
    uint32_t deliveries = 0;
    bool suppressed = false;        // arrived while a callback was running (§9.5)
    bool raised = false;            // a callback raised: takeRaised() has the exception
    const char* invalid = nullptr;  // the input is malformed: why
  };
  // The same with a concrete (final) policy and sink, whose calls are compiled into
  // the dispatch loop: for replays that need speed. Defined in model/dispatch_loop.h.
  template <class Policy, class Sink>
  Replayed replay(const Occurrence& o, Policy& policy, Sink& sink) {
    return dispatchOccurrence(o, policy, sink);
  }
  // The exception of the last replay() that says `raised`.
  PyError takeRaised() { return std::move(raised_); }
  // A replay's result as step() gives it.
  Outcome outcomeOf(const Replayed& r);
  Outcome step(const FrameEnter& f) { return onFrameEnter(f); }
  Outcome step(const FrameExit& f) { return onFrameExit(f); }

  const VersionProfile& profile() const { return *profile_; }
  // sys.gettrace() / sys.getprofile() (behaviour §12).
  std::optional<CallableId> traceFunction() const { return traceFn_; }
  std::optional<CallableId> profileFunction() const { return profileFn_; }
  bool inCallback() const { return inCallback_; }
  // Inspection (no Python-visible counterpart).
  std::optional<std::string_view> toolName(ToolId t) const;
  EventSet globalEvents(ToolId t) const { return g_.global[t.value]; }
  // The tools an occurrence of `event` at (code, offset) would be dispatched to now.
  uint8_t activeTools(Event event, CodeId code, int32_t offset) const;
  // Why an occurrence of `event` at (code, offset) would (not) reach tool `t` now.
  Reason explain(ToolId t, Event event, CodeId code, int32_t offset) const;
  // The same for an occurrence, with the occurrence rules (behaviour §14.3).
  Reason explain(ToolId t, const Occurrence& o) const;

 private:
  Outcome onApi(const UseToolId& c);
  Outcome onApi(const FreeToolId& c);
  Outcome onApi(const ClearToolId& c);
  Outcome onApi(const GetTool& c);
  Outcome onApi(const SetEvents& c);
  Outcome onApi(const GetEvents& c);
  Outcome onApi(const SetLocalEvents& c);
  Outcome onApi(const GetLocalEvents& c);
  Outcome onApi(const RegisterCallback& c);
  Outcome onApi(const RestartEvents& c);
  Outcome onApi(const AllEvents& c);
  Outcome onApi(const SetTrace& c);
  Outcome onApi(const SetProfile& c);
  Outcome onApi(const SetFrameTrace& c);
  Outcome onApi(const SetFrameTraceLines& c);
  Outcome onApi(const SetFrameTraceOpcodes& c);
  // The C API (model/capi.cpp). A fire dispatches: its callbacks run under the
  // policy and sink of the step that made it (a step's, or an enclosing callback's).
  Outcome onApi(const CapiEnterScope& c);
  Outcome onApi(const CapiExitScope& c);
  Outcome onApi(const CapiFire& c);
  Outcome onOccurrence(const Occurrence& o, CallbackPolicy& policy, DeliverySink& sink);
  template <class Policy, class Sink>
  Replayed dispatchOccurrence(const Occurrence& o, Policy& policy, Sink& sink);
  Outcome onFrameEnter(const FrameEnter& f);
  Outcome onFrameExit(const FrameExit& f);

  CodeInstrumentation& code(CodeId c);
  // set_events after validation: a changed set bumps V and re-instruments the stack.
  void storeGlobal(int tool, EventSet set);
  void clearTool(int tool);
  void bumpVersionAndReinstrumentStack();
  void recomputeGlobalTools();
  uint8_t dispatchTools(int bit, const CodeInstrumentation& c, int32_t offset) const;
  // FINDINGS F6: is the instruction at a branch's source `src` instrumented for any
  // tool? `src` is the source the wrapper is given: fixed as the event fires (R6), even
  // when a higher tool's callback changes the instrumentation before the wrapper runs.
  bool branchSourceInstrumented(const Occurrence& o, int32_t src) const;

  // A frame on the stack, with what the occurrence rules (behaviour §14.3) need of
  // the instruction it is executing.
  struct Frame {
    CodeId code;
    int32_t callOffset = -1;         // the CALL in flight (its CALL occurrence)
    bool callInstrumented = false;   // some tool had CALL at that site as it started
    bool resumeInstrumented = true;  // the frame's last RESUME ran instrumented
    // R5: the branch the instruction dispatched before a frame below ran reports.
    int32_t dispatchSite = -1;
    Event dispatchEvent = Event::Branch;
    bool dispatchInstrumented = false;
    bool closing = false;  // R7: close() skipped the throw; nothing more happens here
    // R8: the LINE at this offset lost its last tool during its dispatch: the same
    // execution's INSTRUCTION is not reported. -1: none.
    int32_t skipInstructionAt = -1;
    // R7 (3.15): the code's PY_UNWIND tools as close() sees them, before the frame's
    // entry re-instruments the code.
    uint8_t unwindAtEntry = 0;
    FrameTrace trace{};  // f_trace, f_trace_lines, f_trace_opcodes (behaviour §12.4)
  };
  // The innermost frame, if it runs `code`.
  const Frame* topFrameOf(CodeId code) const {
    return !stack_.empty() && stack_.back().code == code ? &stack_.back() : nullptr;
  }
  // Occurrence rules: the tools an occurrence reaches, given the tools its event
  // has at the site now (behaviour §14.3 R1, R2, R5). Inline: most occurrences meet
  // none of the rules' conditions and skip the call (the replay hot path).
  uint32_t occurrenceTools(const Occurrence& o, int bit, uint32_t tools) const {
    const Frame* top = topFrameOf(o.code);
    if (!top || (top->dispatchSite != o.offset && bitKind_[bit] != BitKind::CallSite &&
                 !(o.event == Event::Line && o.lineAfterResume)))
      return tools;
    return occurrenceRules(o, bit, tools, *top);
  }
  uint32_t occurrenceRules(const Occurrence& o, int bit, uint32_t tools,
                           const Frame& top) const;
  // R4: what a FOR_ITER execution that ran specialised changes about the occurrence.
  struct ForIterEffect {
    bool drop = false;              // the occurrence does not happen
    bool addStop = false;           // STOP_ITERATION at the END_FOR happens first
    std::optional<int32_t> offset;  // reported at this offset instead
  };
  bool forIterInstrumented(const CodeInstrumentation& c, const ForIterFacts& f) const;
  // R7: close() at a depth-1 yield skips the throw now.
  bool closeSkipsThrow(const Occurrence& o) const;
  // R6: the source a 3.14+ NOT_TAKEN/POP_ITER branch reports (its own offset if wrapped).
  int32_t branchSourceReported(const Occurrence& o) const;
  ForIterEffect forIterEffect(const Occurrence& o, ForIterSite& site) const;

  // The legacy hooks' handlers (behaviour §12, model/hooks.cpp): whether tool `t`
  // (6 or 7) calls its function for the occurrence, and what that did.
  enum class HookResult : uint8_t { Silent, Disable, Delivered, Raised };
  HookResult dispatchHook(int t, const Occurrence& o, Delivery& d, CallbackPolicy& policy,
                          CallbackAction& action);
  // INSTRUCTION in tool 7's local set of `code` (3.13+ f_trace_opcodes).
  void setOpcodeTrace(CodeId code, bool on);
  void setHook(int tool, std::optional<CallableId> func);
  // The callback's API calls, applied in order, with their outcomes.
  // A fire among them nests callbacks: `action`'s views are then moved to storage of
  // this nesting level (the policy's may not outlive its next answer).
  std::span<const EffectRecord> applyEffects(CallbackAction& action);
  // Makes a dispatch's policy and sink those of fires made meanwhile.
  struct DispatchScope {
    DispatchScope(Monitor& m, CallbackPolicy& p, DeliverySink& s)
        : m(m), policy(m.policy_), sink(m.sink_) {
      m.policy_ = &p;
      m.sink_ = &s;
    }
    ~DispatchScope() {
      m.policy_ = policy;
      m.sink_ = sink;
    }
    Monitor& m;
    CallbackPolicy* policy;
    DeliverySink* sink;
  };

  // How the tools of an event are found, precomputed per event number.
  enum class BitKind : uint8_t { Site, CallSite, Global, GlobalOrLocal };

  const VersionProfile* profile_;  // a pointer keeps Monitor copy-assignable
  std::array<ToolSlot, kDispatchToolCount> tools_{};  // 6, 7: no slots (hooks)
  InstrumentationGlobals g_;
  std::array<uint8_t, 32> globalTools_{};  // per event number: tools with it in G
  std::vector<CodeInstrumentation> codes_;
  std::vector<Frame> stack_;
  uint64_t lastToolVersion_ = 0;
  int callBit_;
  std::array<int8_t, spec::kEventCount> eventBit_{};  // -1: absent or an alias
  std::array<BitKind, 32> bitKind_{};
  bool inCallback_ = false;
  PyError raised_;  // the exception of the last dispatch that raised
  std::optional<CallableId> traceFn_, profileFn_;  // sys.settrace / sys.setprofile
  // C API (behaviour §13): each PyMonitoringState's `active` tools, each version cell.
  std::vector<uint8_t> capiStates_;
  std::vector<uint64_t> capiVersions_;
  // The policy and sink of the dispatch in progress (nullptr: none), for fires made
  // by callbacks; effects_ per callback nesting level (a fire's callbacks nest).
  CallbackPolicy* policy_ = nullptr;
  DeliverySink* sink_ = nullptr;
  struct EffectLevel {
    std::vector<EffectRecord> records;
    std::vector<ApiCall> calls;  // the action's, when a fire among them may nest
    std::string raiseType, raiseMessage;
  };
  std::deque<EffectLevel> effectLevels_;
  size_t effectDepth_ = 0;
  bool opcodesEverSet_ = false;  // 3.12: some frame has had f_trace_opcodes set
  // Suspended generator frames' trace state, innermost last, by code and frame
  // identity (§12.4).
  struct Suspended {
    CodeId code;
    uint64_t frame = 0;
    FrameTrace trace;
  };
  std::vector<Suspended> suspended_;
};

}  // namespace monsim
