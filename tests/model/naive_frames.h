#pragma once
// The naive reference's view of the frame rules R1, R2, R5, R7 and R8 (behaviour
// §14.3), answered from one log of what happened in every frame, in order, instead of
// per-frame flags: each rule is a question about the frame's latest occurrence of some
// kind. (The model keeps the flags, model/monitor.h.)
#include <cstdint>
#include <vector>

namespace monsim::naive {

// One entry of the log.
struct Happened {
  enum Kind : uint8_t {
    Occurrence,     // an occurrence in the frame (the closing frame's are not logged)
    CalleeEntered,  // a frame was entered from a call at `offset` that reports `bit`
    Closed,         // R7: close() skipped the throw into the frame
  };
  Kind kind;
  uint64_t frame;
  uint32_t code;
  int bit = -1;
  int32_t offset = -1;
  // Occurrence: it reached its tools' callbacks (not skipped by R8 or undone by R4)
  // and some tool was to receive it. CalleeEntered: the caller's instruction had tools
  // for `bit` at `offset` when the callee was entered.
  bool dispatched = false;
  bool hadTools = false;
  bool resumeToolsAtThrow = false;  // PY_THROW: a PY_RESUME tool at its offset then
  bool lineLostLastTool = false;    // LINE: its callbacks removed the site's last tool
};

class FrameLog {
 public:
  // Entries are appended; `at` names one for the occurrence being dispatched.
  size_t add(Happened h) {
    log_.push_back(h);
    return log_.size() - 1;
  }
  Happened& at(size_t i) { return log_[i]; }

  // R7: nothing more happens in a frame close() has skipped the throw into.
  bool closed(uint64_t frame) const {
    return latest(frame, Happened::Closed, log_.size()) != nullptr;
  }

  // R8: an INSTRUCTION right after a LINE at its offset whose callbacks removed the
  // site's last LINE tool does not occur. `before`: the entry of the occurrence asked
  // about.
  bool instructionSkipped(uint64_t frame, int32_t offset, size_t before, int line) const {
    const Happened* h = latest(frame, Happened::Occurrence, before);
    return h && h->bit == line && h->offset == offset && h->lineLostLastTool;
  }

  // R1 (3.13+): a LINE right after the frame's RESUME occurs only if that RESUME ran
  // instrumented: the frame's latest PY_START / PY_RESUME had tools; after a PY_THROW,
  // which leaves at the RESUME without running it, if a PY_RESUME tool was there or the
  // RESUME was never quickened (the code's latest PY_START / PY_RESUME at that offset,
  // in any frame, had no tools).
  bool resumeRan(uint64_t frame, size_t before, int start, int resume, int thr) const {
    for (size_t i = before; i-- > 0;) {
      const Happened& h = log_[i];
      if (h.frame != frame || h.kind != Happened::Occurrence || !h.dispatched) continue;
      if (h.bit == start || h.bit == resume) return h.hadTools;
      if (h.bit == thr)
        return h.resumeToolsAtThrow || !quickened(h.code, h.offset, i, start, resume);
    }
    return true;
  }

  // R2: the CALL a C_RETURN / C_RAISE at `offset` belongs to, if the frame's latest
  // dispatched CALL is at that offset.
  const Happened* callAt(uint64_t frame, int32_t offset, size_t before, int call) const {
    for (size_t i = before; i-- > 0;) {
      const Happened& h = log_[i];
      if (h.frame == frame && h.kind == Happened::Occurrence && h.dispatched &&
          h.bit == call)
        return h.offset == offset ? &h : nullptr;
    }
    return nullptr;
  }

  // R5: the branch the frame's instruction reports once the frame it called is done:
  // the first callee entered since the frame's latest dispatched occurrence.
  const Happened* pendingBranch(uint64_t frame) const {
    const Happened* first = nullptr;
    for (size_t i = log_.size(); i-- > 0;) {
      const Happened& h = log_[i];
      if (h.frame != frame) continue;
      if (h.kind == Happened::Occurrence && h.dispatched) break;
      if (h.kind == Happened::CalleeEntered) first = &h;
    }
    return first;
  }

 private:
  // The frame's latest entry of `kind` before entry `before`.
  const Happened* latest(uint64_t frame, Happened::Kind kind, size_t before) const {
    for (size_t i = before; i-- > 0;)
      if (log_[i].frame == frame && log_[i].kind == kind) return &log_[i];
    return nullptr;
  }
  bool quickened(uint32_t code, int32_t offset, size_t before, int start,
                 int resume) const {
    for (size_t i = before; i-- > 0;) {
      const Happened& h = log_[i];
      if (h.kind == Happened::Occurrence && h.dispatched && h.code == code &&
          h.offset == offset && (h.bit == start || h.bit == resume))
        return !h.hadTools;
    }
    return false;
  }

  std::vector<Happened> log_;
};

}  // namespace monsim::naive
