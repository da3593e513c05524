#pragma once
// The reference's instrumentation, stated declaratively: a log of what happened
// (event sets changed, tools cleared, restart_events, set_local_events calls, each
// re-instrumentation of a code with the event sets it saw, each DISABLE), and
// questions answered from the whole log. No per-site tool set is stored or updated.
//
// The rules, as the behaviour document states them (§10, §11; FINDINGS F1–F4, F7):
// - A tool fires at a site of event e iff e was active for it at the code's latest
//   re-instrumentation and the latest thing that happened to that tool at that site
//   turned it on: being (re)added by a re-instrumentation (joining e, or any
//   re-instrumentation after restart_events) turns it on; a DISABLE at the site, or
//   leaving e, turns it off. Staying in e across a re-instrumentation decides nothing,
//   except at the code's first multi-tool re-instrumentation with tools on LINE
//   (every LINE site refilled: on) or on INSTRUCTION (every INSTRUCTION site emptied:
//   off, while the instrumented opcodes stay until INSTRUCTION next loses a tool).
// - A LINE or INSTRUCTION site is silent, whatever its tools, once its tool set ran
//   empty after the latest re-instrumentation that added a tool to the event.
// - 3.14+: a local set whose tool was cleared after the set was made is forgotten at
//   the code's next re-instrumentation.
// - A code is up to date iff it was re-instrumented after the latest change of the
//   global event sets (or of the tools, or restart_events).
#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <vector>

namespace monsim::naive {

// Dispatch tools: 0–5, 6 (sys.setprofile) and 7 (sys.settrace).
inline constexpr int kTools = 8;
using ToolSet = std::bitset<kTools>;
// G[t] | L[code][t] of every tool, as a re-instrumentation sees them.
using EventSets = std::array<uint32_t, kTools>;

class History {
 public:
  History(int minor, int siteEvents) : minor_(minor), siteEvents_(siteEvents) {}

  // ---- what happened ----
  void globalChange() { log_.push_back({Kind::GlobalChange}); }
  void restart() { log_.push_back({Kind::Restart}); }
  void cleared(int tool) { log_.push_back({Kind::Cleared, 0, tool}); }
  void localCall(uint32_t code, int tool) {
    log_.push_back({Kind::LocalCall, code, tool});
  }
  void reinstrumented(uint32_t code, const EventSets& sets) {
    log_.push_back({Kind::Reinstrumented, code, -1, -1, 0, sets});
  }
  void disabled(uint32_t code, int tool, int bit, int32_t offset) {
    log_.push_back({Kind::Disabled, code, tool, bit, offset});
  }

  // ---- what it means ----
  size_t now() const { return log_.size(); }
  bool globalChangeSince(size_t at) const {
    for (size_t i = at; i < log_.size(); ++i)
      if (log_[i].kind == Kind::GlobalChange) return true;
    return false;
  }
  bool everInstrumented(uint32_t code) const { return lastOf(code) >= 0; }
  bool upToDate(uint32_t code) const {
    long change = -1;
    for (size_t i = 0; i < log_.size(); ++i)
      if (log_[i].kind == Kind::GlobalChange) change = long(i);
    return lastOf(code) > change;
  }
  // 3.14+: the tool was cleared after the latest set_local_events(tool, code).
  bool localForgotten(uint32_t code, int tool) const {
    if (minor_ < 14) return false;
    bool cleared = false;
    for (const Entry& e : log_) {
      if (e.kind == Kind::LocalCall && e.code == code && e.tool == tool) cleared = false;
      if (e.kind == Kind::Cleared && e.tool == tool) cleared = true;
    }
    return cleared;
  }
  // The tools the code's latest re-instrumentation saw with event `bit`.
  ToolSet active(uint32_t code, int bit) const {
    const std::vector<Instrumentation> ins = instrumentations(code);
    return ins.empty() ? ToolSet{} : ins.back().with(bit);
  }
  // Some re-instrumentation of the code saw two tools on one event.
  bool everMulti(uint32_t code) const {
    for (const Instrumentation& i : instrumentations(code))
      if (i.multi) return true;
    return false;
  }
  // F4 emptied INSTRUCTION's sites, and INSTRUCTION has lost no tool since.
  bool opcodesLeft(uint32_t code) const {
    const std::vector<Instrumentation> ins = instrumentations(code);
    bool left = false;
    for (size_t k = 0; k < ins.size(); ++k) {
      if (ins[k].instructionWipe) left = ins[k].before(kInstruction).any();
      if (ins[k].removed(kInstruction).any()) left = false;
    }
    return left;
  }
  // The tools that fire at (code, bit, offset) now.
  ToolSet fires(uint32_t code, int bit, int32_t offset) const {
    const std::vector<Instrumentation> ins = instrumentations(code);
    const ToolSet now = toolsAfter(ins, code, bit, offset, log_.size());
    if ((bit == kLine || bit == kInstruction) && !armed(ins, code, bit, offset))
      return {};
    return now;
  }

 private:
  static constexpr int kLine = 5, kInstruction = 6;
  enum class Kind { GlobalChange, Restart, Cleared, LocalCall, Reinstrumented, Disabled };
  struct Entry {
    Kind kind;
    uint32_t code = 0;
    int tool = -1;
    int bit = -1;
    int32_t offset = 0;
    EventSets sets{};
  };
  // One re-instrumentation of a code, with what the log says about it.
  struct Instrumentation {
    size_t at;                     // its index in the log
    EventSets sets, previous;      // what it saw; what the one before saw
    bool restart = false;          // first, or restart_events came in between
    bool multi = false;            // two tools on one event
    bool lineRefill = false;       // the code's first multi-tool one with LINE tools
    bool instructionWipe = false;  // … with INSTRUCTION tools
    ToolSet with(int bit) const { return toolsWith(sets, bit); }
    ToolSet before(int bit) const { return toolsWith(previous, bit); }
    ToolSet added(int bit) const {
      return restart ? with(bit) : with(bit) & ~before(bit);
    }
    ToolSet removed(int bit) const {
      return restart ? before(bit) : before(bit) & ~with(bit);
    }
  };
  static ToolSet toolsWith(const EventSets& sets, int bit) {
    ToolSet s;
    for (int t = 0; t < kTools; ++t)
      if ((sets[t] >> bit) & 1u) s.set(t);
    return s;
  }

  long lastOf(uint32_t code) const {
    long last = -1;
    for (size_t i = 0; i < log_.size(); ++i)
      if (log_[i].kind == Kind::Reinstrumented && log_[i].code == code) last = long(i);
    return last;
  }
  bool isMulti(const EventSets& sets) const {
    for (int e = 0; e < siteEvents_; ++e)
      if (toolsWith(sets, e).count() >= 2) return true;
    // 3.15: the local exception events count too.
    if (minor_ >= 15)
      for (int e = siteEvents_; e < siteEvents_ + 5; ++e)
        if (toolsWith(sets, e).count() >= 2) return true;
    return false;
  }
  std::vector<Instrumentation> instrumentations(uint32_t code) const {
    std::vector<Instrumentation> out;
    bool restartSince = true, refilled = false, wiped = false;
    for (size_t i = 0; i < log_.size(); ++i) {
      const Entry& e = log_[i];
      if (e.kind == Kind::Restart) restartSince = true;
      if (e.kind != Kind::Reinstrumented || e.code != code) continue;
      Instrumentation k{i, e.sets, out.empty() ? EventSets{} : out.back().sets};
      k.restart = restartSince;
      k.multi = isMulti(e.sets);
      k.lineRefill = k.multi && k.with(kLine).any() && !refilled;
      k.instructionWipe = k.multi && k.with(kInstruction).any() && !wiped;
      refilled |= k.lineRefill;
      wiped |= k.instructionWipe;
      restartSince = false;
      out.push_back(k);
    }
    return out;
  }
  // The tools on at the site right after log entry `end` − 1: for each tool, the
  // latest entry that decides it, read backwards.
  ToolSet toolsAfter(const std::vector<Instrumentation>& ins, uint32_t code, int bit,
                     int32_t offset, size_t end) const {
    ToolSet on;
    for (int t = 0; t < kTools; ++t) {
      size_t k = ins.size();
      while (k > 0 && ins[k - 1].at >= end) --k;
      std::optional<bool> decided;
      for (size_t i = end; i-- > 0 && !decided;) {
        const Entry& e = log_[i];
        if (e.kind == Kind::Disabled && e.code == code && e.tool == t && e.bit == bit &&
            e.offset == offset)
          decided = false;
        if (e.kind != Kind::Reinstrumented || e.code != code) continue;
        const Instrumentation& r = ins[--k];
        if (!r.with(bit).test(t))
          decided = false;
        else if (r.added(bit).test(t))
          decided = true;
        else if (bit == kLine && r.lineRefill)
          decided = true;
        else if (bit == kInstruction && r.instructionWipe)
          decided = false;
      }
      if (decided.value_or(false)) on.set(t);
    }
    return on;
  }
  // LINE/INSTRUCTION: the site's tools never ran empty since the latest
  // re-instrumentation that added a tool to the event.
  bool armed(const std::vector<Instrumentation>& ins, uint32_t code, int bit,
             int32_t offset) const {
    size_t from = log_.size();
    for (const Instrumentation& k : ins)
      if (k.added(bit).any()) from = k.at;
    if (from == log_.size()) return false;
    for (size_t i = from + 1; i < log_.size(); ++i) {
      const Entry& e = log_[i];
      const bool here = (e.kind == Kind::Disabled && e.code == code && e.bit == bit &&
                         e.offset == offset) ||
                        (e.kind == Kind::Reinstrumented && e.code == code);
      if (here && toolsAfter(ins, code, bit, offset, i + 1).none()) return false;
    }
    return true;
  }

  int minor_;
  int siteEvents_;
  std::vector<Entry> log_;
};

}  // namespace monsim::naive
