#pragma once
// The legacy hooks for the naive reference (naive_reference.h): sys.settrace and
// sys.setprofile as dispatch tools 7 and 6, written out from the rules of
// spec/research/legacy/LEGACY.md (L2–L6, L9) with literal per-version event numbers,
// apart from the model's model/hooks.cpp. The reference owns the instrumentation;
// the hooks reach it through a `Port` with two operations:
//   setHookEvents(tool, set)           G[tool] := set (sys.settrace / sys.setprofile)
//   setTraceInstruction(code, on)      INSTRUCTION in or out of L[code][7] (3.13+)
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/input.h"
#include "model/py_value.h"

namespace monsim::naive {

template <class Call>
concept HookApiCall = std::same_as<Call, SetTrace> || std::same_as<Call, SetProfile> ||
    std::same_as<Call, SetFrameTrace> || std::same_as<Call, SetFrameTraceLines> ||
    std::same_as<Call, SetFrameTraceOpcodes>;

// Facts of an occurrence that only the hooks read.
struct HookFacts {
  int32_t jumpTo = 0;         // JUMP: the destination offset
  bool jumpSameLine = false;  // JUMP: the destination is on the source's line
  // CALL / C_RETURN / C_RAISE: what is called. 0 anything else (a Python function, a
  // type), 1 a builtin function, 2 a method descriptor with a self argument, 3 a method
  // descriptor with no argument, 4 a bound method of a builtin (gh-122029).
  int callable = 0;
};

// frame.f_trace, frame.f_trace_lines, frame.f_trace_opcodes (L4, L5).
struct FrameTraceState {
  std::optional<uint32_t> fTrace;
  bool lines = true;
  bool opcodes = false;
  bool operator==(const FrameTraceState&) const = default;
};

// What a hook's handler does with one occurrence.
struct HookCall {
  enum Kind { Nothing, Disable, Call };
  Kind kind = Nothing;
  std::string legacy;  // what the trace or profile function is called with
  uint32_t fn = 0;     // the function called
};

class Hooks {
  static std::optional<uint32_t> fn(const CallableArg& f) {
    if (!f) return std::nullopt;
    return f->value;
  }

 public:
  explicit Hooks(int minor) : minor_(minor) {}

  std::optional<uint32_t> trace, profile;  // sys.gettrace(), sys.getprofile()

  // ---- event numbers (L2, L3) ----
  // Tool 7's global events while a trace function is set.
  uint32_t traceSet() const {
    std::vector<int> bits;
    if (minor_ == 12)  // PY_START PY_RESUME PY_RETURN PY_YIELD PY_UNWIND PY_THROW RAISE
                       // STOP_ITERATION LINE JUMP BRANCH EXCEPTION_HANDLED
      bits = {0, 1, 2, 3, 12, 13, 10, 9, 5, 7, 8, 11};
    else if (minor_ == 13)  // the same without BRANCH, EXCEPTION_HANDLED
      bits = {0, 1, 2, 3, 12, 13, 10, 9, 5, 7};
    else  // 3.14+ numbering
      bits = {0, 1, 2, 3, 13, 14, 11, 10, 5, 7};
    uint32_t set = 0;
    for (int b : bits) set |= 1u << b;
    // L5: 3.12 adds INSTRUCTION once any frame has had f_trace_opcodes = True.
    if (minor_ == 12 && opcodesEverSet_) set |= 1u << 6;
    return set;
  }
  // Tool 6's: PY_START PY_RESUME PY_RETURN PY_YIELD PY_UNWIND PY_THROW CALL.
  uint32_t profileSet() const {
    const std::vector<int> bits = minor_ <= 13 ? std::vector<int>{0, 1, 2, 3, 12, 13, 4}
                                               : std::vector<int>{0, 1, 2, 3, 13, 14, 4};
    uint32_t set = 0;
    for (int b : bits) set |= 1u << b;
    return set;
  }
  // What the trace function gets for event number `bit`; "" for nothing (3.12 BRANCH
  // and EXCEPTION_HANDLED are set but silent).
  std::string traceEvent(int bit) const {
    switch (bit) {
      case 0:
      case 1:
        return "call";  // PY_START, PY_RESUME
      case 2:
      case 3:
        return "return";  // PY_RETURN, PY_YIELD
      case 5:
      case 7:
        return "line";  // LINE, JUMP
      case 6:
        return "opcode";  // INSTRUCTION
    }
    if (minor_ <= 13) {
      if (bit == 13) return "call";                   // PY_THROW
      if (bit == 12) return "return";                 // PY_UNWIND
      if (bit == 9 || bit == 10) return "exception";  // STOP_ITERATION, RAISE
    } else {
      if (bit == 14) return "call";
      if (bit == 13) return "return";
      if (bit == 10 || bit == 11) return "exception";
    }
    return "";
  }
  std::string profileEvent(int bit) const {
    switch (bit) {
      case 0:
      case 1:
        return "call";
      case 2:
      case 3:
        return "return";
      case 4:
        return "c_call";  // CALL
    }
    if (minor_ <= 13) {
      if (bit == 13) return "call";
      if (bit == 12) return "return";
      if (bit == 15) return "c_return";
      if (bit == 16) return "c_exception";
    } else {
      if (bit == 14) return "call";
      if (bit == 13) return "return";
      if (bit == 16) return "c_return";
      if (bit == 17) return "c_exception";
    }
    return "";
  }

  // ---- the API (L2, L4, L5) ----
  // The frame attributes are those of the innermost frame `top` (none: nothing to set),
  // running `code`; settrace() is called by that frame unless a callback calls it.
  template <class Port>
  Outcome api(const SetTrace& c, FrameTraceState* top, uint32_t code, bool inCallback,
              Port& port) {
    setTrace(fn(c.func), port, inCallback ? nullptr : top, code);
    return PyNone{};
  }
  template <class Port>
  Outcome api(const SetProfile& c, FrameTraceState*, uint32_t, bool, Port& port) {
    setProfile(fn(c.func), port);
    return PyNone{};
  }
  template <class Port>
  Outcome api(const SetFrameTrace& c, FrameTraceState* top, uint32_t, bool, Port&) {
    if (top) top->fTrace = fn(c.func);
    return PyNone{};
  }
  template <class Port>
  Outcome api(const SetFrameTraceLines& c, FrameTraceState* top, uint32_t, bool, Port&) {
    if (top) top->lines = c.on;
    return PyNone{};
  }
  template <class Port>
  Outcome api(const SetFrameTraceOpcodes& c, FrameTraceState* top, uint32_t code, bool,
              Port& port) {
    if (top)
      setOpcodes(*top, code, c.on, port);
    else if (minor_ == 12 && c.on)
      opcodesEverSet_ = true;  // no frame: one earlier in the process had it
    return PyNone{};
  }

  // sys.settrace(f). `caller`: the traced frame that calls it (none from inside a
  // callback, whose own frame is not traced), running `callerCode`.
  template <class Port>
  void setTrace(std::optional<uint32_t> f, Port& port,
                const FrameTraceState* caller = nullptr, uint32_t callerCode = 0) {
    trace = f;
    if (f && minor_ >= 13 && caller && caller->opcodes)
      port.setTraceInstruction(callerCode, true);
    port.setHookEvents(7, f ? traceSet() : 0u);
  }
  template <class Port>
  void setProfile(std::optional<uint32_t> f, Port& port) {
    profile = f;
    port.setHookEvents(6, f ? profileSet() : 0u);
  }
  // frame.f_trace_opcodes = on, on the frame `frame` running `code`.
  template <class Port>
  void setOpcodes(FrameTraceState& frame, uint32_t code, bool on, Port& port) {
    frame.opcodes = on;
    if (minor_ == 12) {
      if (on) opcodesEverSet_ = true;  // sticky; takes effect at the next settrace
      return;
    }
    if (!on)
      port.setTraceInstruction(code, false);
    else if (frame.fTrace)
      port.setTraceInstruction(code, true);
  }

  // ---- one occurrence (L3–L5) ----
  // Tool `tool`'s handler for event number `bit` at `offset` in a frame of `code` with
  // the trace attributes `*top` (nullptr: a frame the reference does not track, which
  // nobody has touched).
  template <class Port>
  HookCall handle(int tool, int bit, uint32_t code, int32_t offset,
                  const FrameTraceState* top, const HookFacts& facts, Port& port) {
    const FrameTraceState frame = top ? *top : FrameTraceState{};
    HookCall out;
    if (tool == 6) {
      if (!profile) return out;
      const std::string ev = profileEvent(bit);
      if (ev.empty()) return out;
      const bool cEvent = ev == "c_call" || ev == "c_return" || ev == "c_exception";
      // Only builtins and method descriptors called with a self argument are reported.
      // 3.13+ also the CALL of a bound method of a builtin (gh-122029).
      const bool boundC = facts.callable == 4 && minor_ >= 13;
      if (cEvent && facts.callable != 1 && facts.callable != 2 && !boundC) return out;
      out.kind = HookCall::Call;
      out.legacy = ev;
      out.fn = *profile;
      return out;
    }
    if (!trace) {
      if (bit == 6 && minor_ >= 13) port.setTraceInstruction(code, false);
      return out;
    }
    const std::string ev = traceEvent(bit);
    if (ev.empty()) return out;
    if (bit == 7) {  // JUMP
      const bool forward = facts.jumpTo > offset;
      if (forward || !facts.jumpSameLine) {
        out.kind = HookCall::Disable;  // the target's LINE reports it
        return out;
      }
      if (!frame.lines) return out;
    } else if (bit == 5) {  // LINE
      if (!frame.lines) return out;
    } else if (bit == 6) {  // INSTRUCTION
      if (!frame.opcodes) {
        if (minor_ >= 13) port.setTraceInstruction(code, false);
        return out;
      }
    } else if (frame.opcodes && minor_ >= 13) {
      // call / return / exception go through call_trace_func, which turns the
      // frame's opcode events on before the trace function runs.
      port.setTraceInstruction(code, true);
    }
    // 'call' goes to the global trace function; the rest to the frame's f_trace.
    const std::optional<uint32_t> fn = ev == "call" ? trace : frame.fTrace;
    if (!fn) return out;
    out.kind = HookCall::Call;
    out.legacy = ev;
    out.fn = *fn;
    return out;
  }
  // After the function ran (in the frame `frame`, if tracked; the frame stack does not
  // change meanwhile). It raised: the hook is unset (L6), and the trace function's frame
  // loses its f_trace. It returned `value`: a callable replaces f_trace, None keeps it
  // (L4); what the profile function returns does not matter.
  template <class Port>
  void after(int tool, FrameTraceState* frame, bool raised, const CallableArg& value,
             Port& port) {
    if (raised && tool == 6) setProfile(std::nullopt, port);
    if (raised && tool == 7) setTrace(std::nullopt, port);
    if (raised && tool == 7 && frame) frame->fTrace.reset();
    if (!raised && tool == 7 && frame && value) frame->fTrace = value->value;
  }

  // ---- generators (L9) ----
  // A frame suspends (yield): its trace attributes live on with the generator.
  void suspend(uint32_t code, const FrameTraceState& s) {
    suspended_.push_back({code, s});
  }
  // A suspended frame of `code` resumes: the one suspended last.
  FrameTraceState resume(uint32_t code) {
    for (size_t i = suspended_.size(); i-- > 0;)
      if (suspended_[i].first == code) {
        const FrameTraceState s = suspended_[i].second;
        suspended_.erase(suspended_.begin() + static_cast<std::ptrdiff_t>(i));
        return s;
      }
    return FrameTraceState{};
  }

 private:
  int minor_;
  bool opcodesEverSet_ = false;
  std::vector<std::pair<uint32_t, FrameTraceState>> suspended_;
};

}  // namespace monsim::naive
