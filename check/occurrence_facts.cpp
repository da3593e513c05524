#include "check/occurrence_facts.h"

#include <iterator>

namespace monsim::harness {

namespace {

// Which event the instruction at a 3.14+ branch's source reports itself (FINDINGS F6).
BranchSource branchSourceOf(Opcode op) {
  if (op == Opcode::PopJumpIfTrue || op == Opcode::PopJumpIfFalse ||
      op == Opcode::PopJumpIfOther || op == Opcode::PopIter)
    return BranchSource::ReportsRight;
  if (op == Opcode::ForIter || op == Opcode::NotTaken) return BranchSource::ReportsLeft;
  return BranchSource::NoBranch;
}

// R6: the source a NOT_TAKEN or POP_ITER reporting its own offset `at` would report
// unwrapped: the instruction executed before it (for POP_ITER, the FOR_ITER whose
// END_FOR precedes it). -1: not such an instruction, or not known.
int32_t unwrappedSource(const TraceCode& c, int64_t at, Opcode op) {
  if (op != Opcode::NotTaken && op != Opcode::PopIter) return -1;
  auto it = c.instructions.find(static_cast<int32_t>(at));
  if (it == c.instructions.end() || it == c.instructions.begin()) return -1;
  const int32_t before = std::prev(it)->first;
  if (op == Opcode::NotTaken) return before;
  for (const auto& [offset, i] : c.instructions)
    if (i.op == Opcode::ForIter && i.arg == before) return offset;
  return -1;
}

// `offset` is a RESUME, one of its cache entries (3.15), or the instruction after it.
// The frame's start: its first RESUME (oparg's low bits 0; after a yield, a yield
// from or an await they are 1–3) or, 3.15, the instruction after it.
bool atStartResume(const TraceCode& c, int64_t offset) {
  auto it = c.instructions.upper_bound(static_cast<int32_t>(offset));
  if (it == c.instructions.begin()) return false;
  --it;  // the instruction at or before `offset`
  if (it->second.op != Opcode::Resume) {
    if (it->first != offset || it == c.instructions.begin()) return false;
    --it;
    if (it->second.op != Opcode::Resume) return false;
  }
  return it->second.arg && (*it->second.arg & 3) == 0;
}

}  // namespace

OccurrenceFacts::OccurrenceFacts(const Trace& t, const VersionProfile& p) : t_(t), p_(p) {
  // R5 needs, for a frame entry, the caller's next event: one backward pass.
  nextInCaller_.assign(t_.records.size(), kNoRecord);
  std::vector<size_t> nextAt;  // per depth: the next event record seen so far
  for (size_t i = t_.records.size(); i-- > 0;) {
    const TraceRecord& r = t_.records[i];
    if (r.kind != RecordKind::Event || !r.depth || *r.depth < 0) continue;
    const size_t d = size_t(*r.depth);
    if (nextAt.size() <= d) nextAt.resize(d + 1, kNoRecord);
    if (isFrameEntry(r.event) && d >= 1) nextInCaller_[i] = nextAt[d - 1];
    nextAt[d] = i;
  }
}

namespace {

// The profile function is called for builtins and for method descriptors given a self
// argument (as the bound method), not for Python functions or types (behaviour §12.3).
CallableKind callableKindOf(const TraceRecord& rec) {
  if (!rec.callable || rec.callable->kind != TraceValue::Kind::Object)
    return CallableKind::Other;
  const std::string& type = rec.callable->type;
  if (type == "builtin_function_or_method") return CallableKind::CFunction;
  if (type == "method" && rec.methodOf == "builtin_function_or_method")
    return CallableKind::BoundCFunction;
  if (type == "method_descriptor")
    return rec.arg0 && rec.arg0->kind == TraceValue::Kind::Missing
               ? CallableKind::MethodDescriptorNoArg
               : CallableKind::MethodDescriptor;
  return CallableKind::Other;
}

}  // namespace

void OccurrenceFacts::fill(const TraceRecord& rec, size_t depth, Occurrence& o) {
  if (rec.event == Event::BranchLeft || rec.event == Event::BranchRight)
    if (const TraceCode* c = t_.code(rec.code))
      if (const TraceInstruction* i = c->instructionAt(rec.offset))
        o.branchSource = branchSourceOf(i->op);
  // R1: the first LINE since the frame entered at its RESUME, on that RESUME's line:
  // CPython reports it only because the instruction before is a RESUME.
  const size_t at = depth;
  if (entry_.size() <= at) entry_.resize(at + 1);
  if (isFrameEntry(rec.event)) entry_[at] = Entry{rec.line, false};
  if (rec.event == Event::Line) {
    o.lineAfterResume =
        !entry_[at].lineSince && entry_[at].line && entry_[at].line == rec.line;
    entry_[at].lineSince = true;
  }
  // Behaviour §12.3: what the hooks' handlers read of the occurrence.
  if (rec.event == Event::Call || rec.event == Event::CReturn ||
      rec.event == Event::CRaise)
    o.callable = callableKindOf(rec);
  if (const TraceCode* c = t_.code(rec.code); c && rec.event == Event::Jump && rec.dest) {
    const TraceInstruction* from = c->instructionAt(rec.offset);
    const TraceInstruction* to = c->instructionAt(*rec.dest);
    o.jumpSameLine = from && to && from->line && from->line == to->line;
  }
  if (const TraceCode* c = t_.code(rec.code)) {
    if (const TraceInstruction* i = c->instructionAt(rec.offset)) {
      o.lineSite = i->lineSite;
      // CPython also makes the instruction after an `async for`'s END_SEND a line
      // start (SEND's target + 1), which dis does not show.
      if (i->op == Opcode::NotTaken)
        if (auto it = c->instructions.find(int32_t(rec.offset));
            it != c->instructions.begin() && std::prev(it)->second.op == Opcode::EndSend)
          o.lineSite = true;
      if (rec.event == Event::BranchLeft || rec.event == Event::BranchRight) {
        o.unwrappedSource = unwrappedSource(*c, rec.offset, i->op);
        if (const TraceInstruction* s = c->instructionAt(o.unwrappedSource)) {
          o.unwrappedSourceKind = branchSourceOf(s->op);
          o.unwrappedLineSite = s->lineSite;
        }
      }
      // aclose()/athrow() of an async generator throws whatever the RESUME says.
      if (rec.event == Event::PyThrow && rec.exc && rec.exc->type == "GeneratorExit" &&
          !rec.athrow && i->op == Opcode::Resume && i->arg &&
          (*i->arg & p_.resumeDepth1Mask()))
        o.closeAtDepth1Yield = true;
    }
  }
  // Whether a generator's frame ran just below this frame since its last event (R4).
  if (genBelow_.size() <= depth) {
    genBelow_.resize(depth + 1, false);
    genStartRaised_.resize(depth + 1, false);
  }
  o.forIter = forIterFacts(rec, genBelow_[depth], genStartRaised_[depth]);
  // INSTRUCTION (e.g. of the POP_ITER before the exit's BRANCH_RIGHT) and the
  // RAISE(StopIteration) before it do not end the execution.
  if (rec.event != Event::Instruction && o.forIter.end != ForIterEnd::StopValue)
    genBelow_[depth] = genStartRaised_[depth] = false;
  if (const TraceCode* c = t_.code(rec.code); c && c->generator && depth >= 1) {
    if (isFrameEntry(rec.event) || isFrameExit(rec.event)) genBelow_[depth - 1] = true;
    // A RAISE at the generator's first RESUME (3.15: at the instruction after it): its
    // start raised (a trace function's 'call'); no body instruction ran. A raise at a
    // later RESUME (a PY_RESUME callback's) is reported where the loop's is.
    if (rec.event == Event::Raise && atStartResume(*c, rec.offset))
      genStartRaised_[depth - 1] = true;
  }
}

// R5: the branch the caller reports next, when its instruction runs this frame (a
// FOR_ITER's next item; 3.12: POP_JUMP_IF_TRUE/FALSE calling __bool__).
std::pair<int32_t, Event> OccurrenceFacts::callerBranch(size_t entry) const {
  const size_t next = entry < nextInCaller_.size() ? nextInCaller_[entry] : kNoRecord;
  if (next == kNoRecord) return {-1, Event::Branch};
  const TraceRecord& r = t_.records[next];
  const TraceCode* c = t_.code(r.code);
  const TraceInstruction* i = c ? c->instructionAt(r.offset) : nullptr;
  if (!i) return {-1, Event::Branch};
  const Event forIter = p_.has(Event::BranchLeft) ? Event::BranchLeft : Event::Branch;
  const bool viaForIter = i->op == Opcode::ForIter && r.event == forIter;
  const bool viaBool =
      p_.popJumpRunsCode() && r.event == Event::Branch &&
      (i->op == Opcode::PopJumpIfTrue || i->op == Opcode::PopJumpIfFalse);
  if (!viaForIter && !viaBool) return {-1, Event::Branch};
  return {int32_t(r.offset), r.event};
}

// The FOR_ITER a recorded occurrence belongs to (R4), from the code's instructions.
ForIterFacts OccurrenceFacts::forIterFacts(const TraceRecord& rec, bool generatorBelow,
                                           bool raisedAtStart) const {
  ForIterFacts f;
  const TraceCode* c = t_.code(rec.code);
  if (!c || c->instructions.empty()) return f;
  auto forIterAt = [&](int64_t offset) -> const TraceInstruction* {
    const TraceInstruction* i = c->instructionAt(offset);
    return i && i->op == Opcode::ForIter && i->arg ? i : nullptr;
  };
  const TraceInstruction* fi = nullptr;
  int64_t site = rec.offset;
  switch (rec.event) {
    case Event::Line:
    case Event::Instruction:  // both come before the FOR_ITER runs
      if ((fi = forIterAt(site))) f.end = ForIterEnd::Start;
      break;
    case Event::Branch:
    case Event::BranchLeft:
    case Event::BranchRight:
      // 3.14+: the exit's BRANCH_RIGHT comes from POP_ITER, which reports its own
      // offset while INSTRUCTION wraps it (R6): its FOR_ITER is the loop's.
      if (const TraceInstruction* i = c->instructionAt(site);
          i && i->op == Opcode::PopIter)
        if (const int32_t from = unwrappedSource(*c, site, i->op); from >= 0) site = from;
      if ((fi = forIterAt(site)))
        f.end =
            rec.dest && *rec.dest >= *fi->arg ? ForIterEnd::Exhausted : ForIterEnd::Next;
      break;
    case Event::Raise:
      if (rec.exc && rec.exc->type == "StopIteration" && (fi = forIterAt(site))) {
        f.end = ForIterEnd::StopValue;
        break;
      }
      [[fallthrough]];
    case Event::PyUnwind:
      // Reported at forIterRaiseAt(FOR_ITER): the FOR_ITER or its cache entry.
      for (int64_t back : {0, 2}) {
        const TraceInstruction* i = forIterAt(rec.offset - back);
        if (i && p_.forIterRaiseAt(int32_t(rec.offset - back)) == rec.offset) {
          fi = i;
          site = rec.offset - back;
          f.end = rec.event == Event::Raise ? ForIterEnd::Raised : ForIterEnd::Unwind;
          break;
        }
      }
      break;
    default:
      break;
  }
  if (!fi) return ForIterFacts{};
  f.site = int32_t(site);
  f.endFor = *fi->arg;
  f.lineSite = fi->lineSite;
  f.generator = generatorBelow;
  f.raisedAtStart = f.end == ForIterEnd::Raised && raisedAtStart;
  return f;
}

}  // namespace monsim::harness
