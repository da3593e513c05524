#pragma once
// A deliberately naive reference dispatcher for the model's property test:
// std::map state, literal per-version event numbers and messages, and the
// instrumentation answered from the whole history of what happened to a code
// (naive_history.h) instead of per-site state. Shares only the input/output value
// types with the model. The legacy hooks, tools 6 and 7, are in naive_hooks.h.
#include <array>
#include <bitset>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "model/input.h"
#include "model/py_value.h"
#include "tests/model/naive_frames.h"
#include "tests/model/naive_history.h"
#include "tests/model/naive_hooks.h"
#include "tests/model/naive_occurrence.h"

namespace monsim::naive {

inline constexpr int kCodes = 3;
inline constexpr std::array<int32_t, 4> kOffsets{0, 2, 4, 6};

// What each tool's callback (6, 7: the profile / trace function) does if called for
// one occurrence. traceReturn: what a trace function returns (nullopt: None).
struct ToolAction {
  bool disable = false;
  bool raise = false;
  std::optional<ApiCall> call;
  CallableArg traceReturn;
};
using Script = std::array<ToolAction, kTools>;

struct NaiveDelivery {
  int tool;
  int bit;
  uint32_t callable;
  bool wrapper;
  int result;  // 0 returned, 1 disable accepted, 2 disable rejected, 3 raised
  std::vector<Outcome> effects;
  int32_t offset = -1;  // the offset the callback is given (R4, R6 move it)
  std::string legacy;   // tools 6, 7: the trace event ("call", "line", …)
  bool operator==(const NaiveDelivery&) const = default;
};

class Reference {
 public:
  explicit Reference(int minor)
      : minor_(minor), history_(minor, minor >= 14 ? 11 : 10), hooks_(minor) {}

  int minor() const { return minor_; }
  int eventCount() const { return minor_ >= 14 ? 19 : 17; }
  // The event names by number.
  const char* const* names() const {
    static const char* k12[] = {"PY_START",       "PY_RESUME", "PY_RETURN",
                                "PY_YIELD",       "CALL",      "LINE",
                                "INSTRUCTION",    "JUMP",      "BRANCH",
                                "STOP_ITERATION", "RAISE",     "EXCEPTION_HANDLED",
                                "PY_UNWIND",      "PY_THROW",  "RERAISE",
                                "C_RETURN",       "C_RAISE"};
    static const char* k14[] = {"PY_START",
                                "PY_RESUME",
                                "PY_RETURN",
                                "PY_YIELD",
                                "CALL",
                                "LINE",
                                "INSTRUCTION",
                                "JUMP",
                                "BRANCH_LEFT",
                                "BRANCH_RIGHT",
                                "STOP_ITERATION",
                                "RAISE",
                                "EXCEPTION_HANDLED",
                                "PY_UNWIND",
                                "PY_THROW",
                                "RERAISE",
                                "C_RETURN",
                                "C_RAISE",
                                "BRANCH"};
    return minor_ >= 14 ? k14 : k12;
  }
  int bitOf(std::string_view name) const {
    for (int i = 0; i < eventCount(); ++i)
      if (name == names()[i]) return i;
    return -1;
  }
  int siteEventCount() const {
    return minor_ >= 14 ? 11 : 10;
  }  // PY_START … STOP_ITERATION
  bool isSiteEvent(int b) const { return b < siteEventCount(); }
  bool isExceptionEvent(int b) const {
    return b >= siteEventCount() && b < siteEventCount() + 5;
  }
  bool isCEvent(int b) const { return b == bitOf("C_RETURN") || b == bitOf("C_RAISE"); }
  uint32_t localMask() const {
    if (minor_ >= 15) return 0xffff;
    return (1u << siteEventCount()) - 1;
  }

  const std::vector<uint32_t>& stack() const { return stack_; }
  const std::vector<NaiveDelivery>& lastDeliveries() const { return deliveries_; }
  // sys.gettrace(), sys.getprofile().
  std::optional<uint32_t> traceFunction() const { return hooks_.trace; }
  std::optional<uint32_t> profileFunction() const { return hooks_.profile; }

  // The hooks' way into the instrumentation (naive_hooks.h `Port`).
  void setHookEvents(int tool, uint32_t set) { setGlobal(tool, set); }
  void setTraceInstruction(uint32_t code, bool on) {
    const uint32_t now = L_[{code, 7}];
    setLocal(code, 7, on ? (now | (1u << 6)) : (now & ~(1u << 6)));
  }

  // ---- API ----
  Outcome api(const ApiCall& call) {
    return std::visit([&](const auto& c) { return on(c); }, call);
  }

  // ---- frames ----
  // `callerBranch`: the caller's instruction reports a branch of `callerBit` there once
  // this frame is done (R5); -1: none. `resumes`: a suspended generator frame resumes.
  void enter(uint32_t code, int32_t callerBranch = -1, int callerBit = -1,
             bool resumes = false) {
    if (callerBranch >= 0 && !frames_.empty()) {
      Happened h{Happened::CalleeEntered, frames_.back().id, stack_.back(), callerBit,
                 callerBranch};
      h.hadTools =
          callerBit >= 0 && history_.fires(stack_.back(), callerBit, callerBranch).any();
      log_.add(h);
    }
    // R7 (3.15): close() reads the code's PY_UNWIND tools before this entry
    // brings its instrumentation up to date.
    const int unwind = bitOf("PY_UNWIND");
    ToolSet atEntry;
    if (history_.everInstrumented(code)) {
      atEntry = history_.active(code, unwind);
    } else {
      for (auto& [t, g] : G_)
        if (g & (1u << unwind)) atEntry.set(t);
    }
    stack_.push_back(code);
    frames_.push_back(FrameFacts{nextFrame_++, atEntry, {}});
    if (resumes) frames_.back().trace = hooks_.resume(code);
    if (!history_.upToDate(code)) reinstrument(code);
  }
  // `suspends`: the frame yields (its trace attributes live on).
  void exit(bool suspends = false) {
    if (suspends) hooks_.suspend(stack_.back(), frames_.back().trace);
    stack_.pop_back();
    frames_.pop_back();
  }

  // ---- occurrence ----
  // `afterResume`: a LINE right after the frame's RESUME on the RESUME's line.
  Dispatched fire(int bit, uint32_t code, int32_t offset, const Script& script,
                  bool afterResume = false, const Facts& facts = {},
                  const HookFacts& hookFacts = {}) {
    deliveries_.clear();
    return fireInto(bit, code, offset, script, afterResume, facts, hookFacts);
  }

 private:
  // One occurrence, its deliveries appended to deliveries_.
  Dispatched fireInto(int bit, uint32_t code, int32_t offset, const Script& script,
                      bool afterResume, const Facts& facts, const HookFacts& hookFacts) {
    Dispatched out;
    std::set<int> tools;
    // The innermost frame, when the occurrence is in it: what happened in it before
    // decides R1, R2, R5, R7 and R8 (behaviour §14.3; naive_frames.h).
    FrameFacts* top =
        !stack_.empty() && stack_.back() == code ? &frames_.back() : nullptr;
    size_t cur = 0;  // the occurrence's entry in log_
    if (top) {
      // R7: once close() has skipped the throw into this frame, nothing happens in it.
      if (!log_.closed(top->id) && closesQuietly(facts))
        log_.add({Happened::Closed, top->id, code});
      if (log_.closed(top->id)) return out;
      cur = log_.add({Happened::Occurrence, top->id, code, bit, offset});
      if (bit == 6 && log_.instructionSkipped(top->id, offset, cur, 5)) return out;
    }
    const bool lineArmed = bit == 5 && !fireSet(code, 5, offset).empty();
    // R4: the FOR_ITER's adaptive warm-up; specialised for a generator, its exit is
    // STOP_ITERATION at the END_FOR and an exception from it is reported elsewhere.
    bool addStop = false;
    std::optional<int32_t> movedTo;
    if (facts.forIterEnd != 0) {
      ForIter& f = forIters_[{code, facts.forIterSite}];
      const bool on = forIterInstrumented(code, facts);
      const bool counts = minor_ >= 13;
      const int32_t genRaise =
          minor_ == 12 ? facts.forIterSite + 2 : facts.forIterSite - 2;
      switch (facts.forIterEnd) {
        case 1:
          f.startInstrumented = f.startInstrumented || on;
          break;
        case 2:
          runForIter(f, on, facts.generator, counts);
          break;
        case 3:
          if (f.ahead) {
            f.ahead = false;
            addStop = f.last;
          } else {
            addStop = runForIter(f, on, facts.generator, counts);
          }
          break;
        case 4:
          f.ahead = true;
          if (runForIter(f, on, facts.generator, counts)) return out;
          break;
        case 5:
          if (runForIter(f, on, facts.generator, counts) && !facts.raisedAtStart)
            movedTo = genRaise;
          break;
        case 6:
          if (f.last) movedTo = genRaise;
          break;
      }
    }
    if (addStop) {
      const Dispatched stop = fireInto(bitOf("STOP_ITERATION"), code, facts.endFor,
                                       script, false, Facts{}, HookFacts{});
      if (stop.raised) return stop;
      out.deliveries = stop.deliveries;
      // 3.13: the generator returns to the POP_TOP after the END_FOR, which the generic
      // exhaustion jumps over: only a specialised loop runs it and its INSTRUCTION.
      if (minor_ == 13) {
        Dispatched next = fireInto(bitOf("INSTRUCTION"), code, facts.endFor + 2, script,
                                   false, Facts{}, HookFacts{});
        out.deliveries += next.deliveries;
        if (next.raised) {
          next.deliveries = out.deliveries;
          return next;
        }
      }
    }
    if (isSiteEvent(bit)) {
      tools = fireSet(code, bit, offset);
      if (bit == 5 && afterResume && minor_ >= 13 && top &&
          !log_.resumeRan(top->id, cur, 0, 1, bitOf("PY_THROW")))
        tools.clear();  // R1: the LINE does not occur
    } else if (isCEvent(bit)) {
      tools = fireSet(code, 4, offset);
      const Happened* call = top ? log_.callAt(top->id, offset, cur, 4) : nullptr;
      if (call) {
        // R2: nothing after an uninstrumented CALL; single-tool code: the code's CALL
        // tools, whatever DISABLE did to the site.
        if (!call->hadTools) {
          tools.clear();
        } else if (!history_.everMulti(code)) {
          tools.clear();
          for (int t = 0; t < kTools; ++t)
            if (history_.active(code, 4).test(t)) tools.insert(t);
        }
      }
    } else {
      for (auto& [t, g] : G_)
        if (g & (1u << bit)) tools.insert(t);
      if (minor_ >= 15)
        for (int t = 0; t < kTools; ++t)
          if (L_[{code, t}] & (1u << bit)) tools.insert(t);
    }
    // R5: a branch reported after the frame below ran: its instruction as dispatched.
    const Happened* pending = top ? log_.pendingBranch(top->id) : nullptr;
    if (pending && pending->offset == offset && pending->bit == bit) {
      if (!pending->hadTools) {
        tools.clear();
      } else if (!history_.everMulti(code)) {
        tools.clear();
        for (int t = 0; t < kTools; ++t)
          if (history_.active(code, bit).test(t)) tools.insert(t);
      }
    }
    if (top) {
      Happened& h = log_.at(cur);
      h.dispatched = true;
      h.hadTools = !tools.empty();
      if (bit == bitOf("PY_THROW"))
        h.resumeToolsAtThrow = !fireSet(code, 1, offset).empty();
    }
    // The offset every callback gets, fixed as the event fires: R4 moves it; R6:
    // unwrapped by LINE (at a line site) and INSTRUCTION, a branch's source is the
    // instruction executed before.
    int32_t reportedAt = offset;
    if (movedTo) {
      reportedAt = *movedTo;
    } else if (facts.unwrappedSource >= 0) {
      const bool wrapped = (facts.lineSite && !fireSet(code, 5, offset).empty()) ||
                           !fireSet(code, 6, offset).empty() ||
                           history_.opcodesLeft(code);
      if (!wrapped) reportedAt = facts.unwrappedSource;
    }
    for (int t = kTools - 1; t >= 0; --t) {
      if (!tools.count(t)) continue;
      if (t >= 6) {  // the trace / profile function, if the handler calls it
        FrameTraceState* frame = top ? &top->trace : nullptr;
        const HookCall h = hooks_.handle(t, bit, code, offset, frame, hookFacts, *this);
        if (h.kind == HookCall::Disable) history_.disabled(code, t, bit, offset);
        if (h.kind != HookCall::Call) continue;
        NaiveDelivery d{t, bit, h.fn, false, 0, {}, reportedAt, h.legacy};
        const ToolAction& a = script[t];
        if (a.call) d.effects.push_back(callbackApi(*a.call));
        ++out.deliveries;
        hooks_.after(t, frame, a.raise, a.traceReturn, *this);
        if (a.raise) {
          d.result = 3;
          out.raised = PyError{"RuntimeError", "boom"};
        }
        deliveries_.push_back(d);
        if (a.raise) break;
        continue;
      }
      auto it = cb_.find({t, bit});
      if (it == cb_.end()) continue;
      if (it->second.second &&
          !branchSourceInstrumented(code, offset, reportedAt, facts)) {
        // R3: the legacy BRANCH wrapper returns DISABLE unseen: this direction goes.
        history_.disabled(code, t, bit, offset);
        continue;
      }
      NaiveDelivery d{t, bit, it->second.first, it->second.second, 0, {}, reportedAt, {}};
      const ToolAction& a = script[t];
      if (a.call) d.effects.push_back(callbackApi(*a.call));
      ++out.deliveries;
      if (a.raise) {
        d.result = 3;
        out.raised = PyError{"RuntimeError", "boom"};
        deliveries_.push_back(d);
        break;
      }
      if (a.disable) {
        if (isSiteEvent(bit)) {
          history_.disabled(code, t, bit, offset);
          d.result = 1;
        } else if (isExceptionEvent(bit) && minor_ >= 15) {
          L_[{code, t}] &= ~(1u << bit);
          d.result = 1;
        } else {
          cb_.erase({t, bit});
          d.result = 2;
          out.raised =
              PyError{"ValueError", std::string("Cannot disable ") + nameOf(bit) +
                                        " events. Callback removed."};
          deliveries_.push_back(d);
          break;
        }
      }
      deliveries_.push_back(d);
    }
    if (!out.raised && lineArmed && fireSet(code, 5, offset).empty() && top)
      log_.at(cur).lineLostLastTool = true;
    return out;
  }

  bool forIterInstrumented(uint32_t code, const Facts& facts) {
    const int branch = bitOf(minor_ >= 14 ? "BRANCH_LEFT" : "BRANCH");
    return !fireSet(code, 6, facts.forIterSite).empty() || history_.opcodesLeft(code) ||
           !fireSet(code, branch, facts.forIterSite).empty() ||
           (facts.forIterLineSite && !fireSet(code, 5, facts.forIterSite).empty());
  }
  // R3: an installed INSTRUCTION, LINE where the source is a line site, or the event
  // the source instruction reports itself, for any tool.
  // The wrapper checks the source it is given: `given` (R6 may have moved it).
  bool branchSourceInstrumented(uint32_t code, int32_t offset, int32_t given,
                                const Facts& facts) {
    const bool moved = given != offset;
    const int kind = moved ? facts.unwrappedSourceKind : facts.branchSource;
    if (kind == 0) return true;
    if (!fireSet(code, 6, given).empty() || history_.opcodesLeft(code)) return true;
    if ((moved ? facts.unwrappedLineSite : facts.lineSite) &&
        !fireSet(code, 5, given).empty())
      return true;
    if (kind == 3) return false;
    return history_.fires(code, bitOf(kind == 1 ? "BRANCH_LEFT" : "BRANCH_RIGHT"), given)
        .any();
  }
  bool closesQuietly(const Facts& facts) const {
    if (!facts.closeAtDepth1Yield) return false;
    if (minor_ == 12) return false;
    if (minor_ == 13) return true;
    if (minor_ == 14) {
      for (const auto& [t, g] : G_)
        if (g & (1u << bitOf("PY_UNWIND"))) return false;
      return true;
    }
    return frames_.back().unwindAtEntry.none();
  }
  struct FrameFacts {
    uint64_t id;            // its entries in log_
    ToolSet unwindAtEntry;  // R7 (3.15)
    FrameTraceState trace;  // f_trace, f_trace_lines, f_trace_opcodes
  };

  std::string nameOf(int bit) const {
    for (const char* n : {"C_RETURN", "C_RAISE", "RAISE", "EXCEPTION_HANDLED",
                          "PY_UNWIND", "PY_THROW", "RERAISE"})
      if (bitOf(n) == bit) return n;
    return "?";
  }

  std::set<int> fireSet(uint32_t code, int bit, int32_t offset) const {
    const ToolSet on = history_.fires(code, bit, offset);
    std::set<int> out;
    for (int t = 0; t < kTools; ++t)
      if (on.test(t)) out.insert(t);
    return out;
  }

  static std::string hex(uint32_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%x", v);
    return buf;
  }
  static PyError invalidTool(int64_t t) {
    return PyError{"ValueError",
                   "invalid tool " + std::to_string(t) + " (must be between 0 and 5)"};
  }
  // Returns true and sets out on success.
  static std::optional<PyError> asInt(const PyArg& a, int64_t& out) {
    if (auto* i = std::get_if<PyInt>(&a)) {
      if (i->value > 2147483647 || i->value < -2147483648LL)
        return PyError{"OverflowError", "Python int too large to convert to C int"};
      out = i->value;
      return std::nullopt;
    }
    if (auto* b = std::get_if<PyBool>(&a)) {
      out = b->value ? 1 : 0;
      return std::nullopt;
    }
    std::string type = std::holds_alternative<PyStr>(a)    ? "str"
                       : std::holds_alternative<PyNone>(a) ? "NoneType"
                                                           : std::get<PyObj>(a).typeName;
    return PyError{"TypeError",
                   "'" + type + "' object cannot be interpreted as an integer"};
  }
#define NAIVE_INT(arg, var) \
  int64_t var = 0;          \
  if (auto e = asInt(arg, var)) return *e;
#define NAIVE_TOOL(var) \
  if (var < 0 || var > 5) return invalidTool(var);

  std::optional<PyError> cStripAndBranch(int64_t& set) const {
    const int64_t c =
        (int64_t{1} << bitOf("C_RETURN")) | (int64_t{1} << bitOf("C_RAISE"));
    const int64_t call = int64_t{1} << bitOf("CALL");
    uint32_t u = static_cast<uint32_t>(set);
    if (u & c) {
      if ((u & (c | call)) != (c | call))
        return PyError{"ValueError",
                       "cannot set C_RETURN or C_RAISE events independently"};
      u &= ~static_cast<uint32_t>(c);
    }
    if (minor_ >= 14 && (u & (1u << 18))) {
      u &= ~(1u << 18);
      u |= 0x300;
    }
    set = u;
    return std::nullopt;
  }

  Outcome on(const UseToolId& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_TOOL(t);
    if (!std::holds_alternative<PyStr>(c.name))
      return PyError{"ValueError", "tool name must be a str"};
    if (names_.count(t))
      return PyError{"ValueError", "tool " + std::to_string(t) + " is already in use"};
    names_[t] = std::get<PyStr>(c.name).value;
    return PyNone{};
  }
  Outcome on(const FreeToolId& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_TOOL(t);
    if (minor_ >= 14 && names_.count(t)) clear(t);
    names_.erase(t);
    return PyNone{};
  }
  Outcome on(const ClearToolId& c) {
    if (minor_ < 14)
      return PyError{"AttributeError",
                     "module 'sys.monitoring' has no attribute 'clear_tool_id'"};
    NAIVE_INT(c.tool, t);
    NAIVE_TOOL(t);
    if (names_.count(t)) clear(t);
    return PyNone{};
  }
  Outcome on(const GetTool& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_TOOL(t);
    if (!names_.count(t)) return PyNone{};
    return StrValue{names_[t]};
  }
  Outcome on(const SetEvents& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_INT(c.events, set);
    NAIVE_TOOL(t);
    if (set < 0 || set >= (int64_t{1} << eventCount()))
      return PyError{"ValueError",
                     "invalid event set " + hex(static_cast<uint32_t>(set))};
    if (auto e = cStripAndBranch(set)) return *e;
    if (!names_.count(t))
      return PyError{"ValueError", "tool " + std::to_string(t) + " is not in use"};
    setGlobal(t, static_cast<uint32_t>(set));
    return PyNone{};
  }
  Outcome on(const GetEvents& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_TOOL(t);
    return IntValue{G_[t]};
  }
  Outcome on(const SetLocalEvents& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_INT(c.events, set);
    if (!std::holds_alternative<CodeId>(c.code))
      return PyError{"TypeError", "code must be a code object"};
    NAIVE_TOOL(t);
    if (auto e = cStripAndBranch(set)) return *e;
    if (static_cast<uint32_t>(set) & ~localMask())
      return PyError{"ValueError",
                     "invalid local event set " + hex(static_cast<uint32_t>(set))};
    if (!names_.count(t))
      return PyError{"ValueError", "tool " + std::to_string(t) + " is not in use"};
    setLocal(std::get<CodeId>(c.code).value, static_cast<int>(t),
             static_cast<uint32_t>(set));
    return PyNone{};
  }
  void setLocal(uint32_t code, int t, uint32_t set) {
    history_.localCall(code, t);
    if (L_[{code, t}] == set) return;
    L_[{code, t}] = set;
    reinstrument(code);
  }
  Outcome on(const GetLocalEvents& c) {
    NAIVE_INT(c.tool, t);
    if (!std::holds_alternative<CodeId>(c.code))
      return PyError{"TypeError", "code must be a code object"};
    NAIVE_TOOL(t);
    return IntValue{L_[{std::get<CodeId>(c.code).value, static_cast<int>(t)}]};
  }
  Outcome on(const RegisterCallback& c) {
    NAIVE_INT(c.tool, t);
    NAIVE_INT(c.event, ev);
    NAIVE_TOOL(t);
    int bits = 0, bit = -1;
    for (int b = 0; b < 32; ++b)
      if (static_cast<uint32_t>(ev) & (1u << b)) ++bits, bit = b;
    if (bits != 1)
      return PyError{"ValueError",
                     "The callback can only be set for one event at a time"};
    if (ev < 0 || bit >= eventCount())
      return PyError{"ValueError", "invalid event " + std::to_string(ev)};
    std::optional<uint32_t> previous;
    auto swap = [&](int b, bool wrapper) {
      std::optional<uint32_t> prev;
      if (cb_.count({t, b})) prev = cb_[{t, b}].first;
      if (c.func)
        cb_[{t, b}] = {c.func->value, wrapper};
      else
        cb_.erase({t, b});
      return prev;
    };
    if (minor_ >= 14 && bit == 18) {
      swap(9, true);
      previous = swap(8, true);
    } else {
      previous = swap(bit, false);
    }
    if (!previous) return PyNone{};
    return CallableId{*previous};
  }
  Outcome on(const RestartEvents&) {
    history_.restart();
    history_.globalChange();
    reinstrumentStack();
    return PyNone{};
  }
  Outcome on(const AllEvents&) {
    AllEventsValue out;
    for (int b = 0; b < eventCount(); ++b) {
      if (minor_ >= 14 && b == 18) continue;  // the BRANCH alias
      uint8_t tools = 0;
      for (auto& [t, g] : G_)
        if (g & (1u << b)) tools |= uint8_t(1u << t);
      if (tools) out.entries.push_back({names()[b], tools});
    }
    return out;
  }
  // ---- C API (3.13+) ----
  // PyMonitoring_EnterScope: a cell holding the current V keeps its states as they are.
  Outcome on(const CapiEnterScope& c) {
    auto cell = capiCells_.find(c.version);
    if (cell != capiCells_.end() && !history_.globalChangeSince(cell->second))
      return PyNone{};
    for (int i = 0; i < c.count; ++i) {
      const int b = bitOf(nameOf(c.events[i]));
      uint8_t tools = 0;
      for (auto& [t, g] : G_)
        if (b >= 0 && (g & (1u << b))) tools |= uint8_t(1u << t);
      capiStates_[c.firstState + i] = tools;
    }
    capiCells_[c.version] = history_.now();
    return PyNone{};
  }
  Outcome on(const CapiExitScope&) { return PyNone{}; }
  // A fire from an API call: callbacks return None.
  Outcome on(const CapiFire& c) { return capiFireInto(c, Script{}); }

 public:
  // PyMonitoring_Fire*Event (the C API document): nothing for an inactive state; an
  // exception event needs an exception set, an offset is non-negative; then the
  // state's tools with a callback, highest first, as read when the fire starts (not
  // tools 6, 7: the hooks handle only the interpreter's own events). A callback's
  // DISABLE takes the tool out of the state for a local event; otherwise it is
  // refused as for the interpreter's events. Returns the state's bits after. A fire
  // while a callback runs is made all the same.
  Outcome capiFire(const CapiFire& c, const Script& script) {
    deliveries_.clear();
    return capiFireInto(c, script);
  }

 private:
  Outcome capiFireInto(const CapiFire& c, const Script& script) {
    const uint8_t st = capiStates_[c.state];
    if (st == 0) return IntValue{0};
    const std::string name = nameOf(c.event);
    const int b = bitOf(name);
    static const std::set<std::string> excEvents = {
        "PY_THROW", "RAISE", "C_RAISE", "RERAISE", "EXCEPTION_HANDLED", "PY_UNWIND"};
    if (excEvents.count(name) && c.exception.empty())
      return PyError{"ValueError",
                     "Firing event " + std::to_string(b) + " with no exception set"};
    if (c.offset < 0) return PyError{"ValueError", "offset must be non-negative"};
    for (int t = 5; t >= 0; --t) {
      if (!(st & (1u << t))) continue;
      auto it = cb_.find({t, b});
      if (it == cb_.end()) continue;
      NaiveDelivery d{t,
                      b,
                      it->second.first,
                      it->second.second,
                      0,
                      {},
                      name == "LINE" ? -1 : c.offset,
                      {}};
      const ToolAction& a = script[t];
      if (a.call) d.effects.push_back(callbackApi(*a.call));
      if (a.raise) {
        d.result = 3;
        deliveries_.push_back(d);
        return PyError{"RuntimeError", "boom"};
      }
      if (a.disable && isSiteEvent(b)) {
        capiStates_[c.state] &= uint8_t(~(1u << t));
        d.result = 1;
      } else if (a.disable) {
        cb_.erase({t, b});
        d.result = 2;
        deliveries_.push_back(d);
        return PyError{"ValueError",
                       "Cannot disable " + name + " events. Callback removed."};
      }
      deliveries_.push_back(d);
    }
    return IntValue{capiStates_[c.state]};
  }

 private:
  std::string nameOf(Event e) const {
    return std::string(spec::kEvents[static_cast<int>(e)].name);
  }

  // settrace, setprofile and the attributes of the innermost frame: naive_hooks.h.
  template <class Call>
  requires HookApiCall<Call> Outcome on(const Call& c) {
    return hooks_.api(c, frames_.empty() ? nullptr : &frames_.back().trace,
                      frames_.empty() ? 0 : stack_.back(), inCallback_, *this);
  }
  // An API call a callback makes.
  Outcome callbackApi(const ApiCall& call) {
    const bool was = inCallback_;  // a C API fire's callbacks may call in turn
    inCallback_ = true;
    Outcome out = api(call);
    inCallback_ = was;
    return out;
  }

  void setGlobal(int64_t t, uint32_t set) {
    if (G_[t] == set) return;
    G_[t] = set;
    history_.globalChange();
    reinstrumentStack();
  }
  void clear(int64_t t) {
    for (int b = 0; b < 32; ++b) cb_.erase({static_cast<int>(t), b});
    setGlobal(t, 0);
    history_.cleared(static_cast<int>(t));
    history_.globalChange();
    reinstrumentStack();
  }
  // Codes on the stack are brought up to date at once (each frame once).
  void reinstrumentStack() {
    for (uint32_t c : stack_)
      if (!history_.upToDate(c)) reinstrument(c);
  }
  // What the code's instrumentation sees now: G | L of every tool, after forgetting
  // the local sets of tools cleared since they were set (3.14+).
  void reinstrument(uint32_t code) {
    EventSets sets{};
    for (int t = 0; t < kTools; ++t) {
      if (history_.localForgotten(code, t)) L_[{code, t}] = 0;
      sets[t] = G_[t] | L_[{code, t}];
    }
    history_.reinstrumented(code, sets);
  }

  int minor_;
  std::map<int64_t, std::string> names_;
  std::map<int64_t, uint32_t> G_;
  std::map<std::pair<int, int>, std::pair<uint32_t, bool>> cb_;
  std::map<std::pair<uint32_t, int>, uint32_t> L_;
  History history_;
  std::vector<uint32_t> stack_;
  std::vector<FrameFacts> frames_;  // per stack_ entry
  std::map<std::pair<uint32_t, int32_t>, ForIter> forIters_;
  FrameLog log_;  // what happened in every frame (R1, R2, R5, R7, R8)
  uint64_t nextFrame_ = 0;
  std::vector<NaiveDelivery> deliveries_;
  std::map<uint32_t, uint8_t> capiStates_;
  std::map<uint32_t, size_t> capiCells_;  // when entered; absent: never
  Hooks hooks_;
  bool inCallback_ = false;  // a callback's API call is running
#undef NAIVE_INT
#undef NAIVE_TOOL
};

}  // namespace monsim::naive
