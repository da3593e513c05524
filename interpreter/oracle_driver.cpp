#include "interpreter/oracle_driver.h"

#include <algorithm>

#include "interpreter/compact_events.h"
#include "interpreter/json_line.h"
#include "interpreter/untrusted_text.h"

namespace monsim::harness {

std::string_view kindName(RunOutcome::Kind k) {
  switch (k) {
    case RunOutcome::Kind::Result:
      return "result";
    case RunOutcome::Kind::Errored:
      return "errored";
    case RunOutcome::Kind::Timeout:
      return "timeout";
    case RunOutcome::Kind::Crashed:
      return "crashed";
    case RunOutcome::Kind::NotRecorded:
      return "not recorded";
    case RunOutcome::Kind::MemoryLimit:
      return "memory limit";
    case RunOutcome::Kind::ProcessLimit:
      return "process limit";
  }
  return "?";
}

std::optional<RunOutcome::Kind> outcomeKindNamed(std::string_view name) {
  for (auto k :
       {RunOutcome::Kind::Result, RunOutcome::Kind::Errored, RunOutcome::Kind::Timeout,
        RunOutcome::Kind::Crashed, RunOutcome::Kind::NotRecorded,
        RunOutcome::Kind::MemoryLimit, RunOutcome::Kind::ProcessLimit})
    if (kindName(k) == name) return k;
  return std::nullopt;
}

OraclePhase phaseNamed(const std::string& name) {
  for (int p = 0; p < static_cast<int>(OraclePhase::Unknown); ++p)
    if (phaseName(static_cast<OraclePhase>(p)) == name)
      return static_cast<OraclePhase>(p);
  return OraclePhase::Unknown;
}

std::string_view phaseName(OraclePhase p) {
  switch (p) {
    case OraclePhase::Protocol:
      return "protocol";
    case OraclePhase::Validate:
      return "validate";
    case OraclePhase::Isolation:
      return "isolation";
    case OraclePhase::Compile:
      return "compile";
    case OraclePhase::Setup:
      return "setup";
    case OraclePhase::Run:
      return "run";
    case OraclePhase::Teardown:
      return "teardown";
    case OraclePhase::Internal:
      return "internal";
    case OraclePhase::Unknown:
      break;
  }
  return "?";
}

std::string RunOutcome::contextText() const {
  return message.value("context", nlohmann::json::object()).dump(2);
}

namespace {

std::string tail(const std::string& s, size_t n = 2000) { return untrustedTail(s, n); }

bool mentionsInstruction(const Scenario& s) {
  for (const ToolSpec& t : s.tools) {
    for (const auto& e : t.events)
      if (e == "INSTRUCTION") return true;
    for (const auto& [f, evs] : t.local)
      for (const auto& e : evs)
        if (e == "INSTRUCTION") return true;
    if (t.callbacks.count("INSTRUCTION")) return true;
  }
  // A trace function with f_trace_opcodes gets 'opcode' from INSTRUCTION occurrences
  // (behaviour §12.5), which the model reads from the probe's stream.
  return s.oracle.value("program", "").find("INSTRUCTION") != std::string::npos ||
         s.oracle.dump().find("f_trace_opcodes") != std::string::npos;
}

}  // namespace

nlohmann::json runOptions(const Scenario& s, bool probe) {
  nlohmann::json o{{"probe", probe}};
  if (probe && mentionsInstruction(s)) o["instruction"] = true;
  if (s.limits.records > 0) o["max_records"] = s.limits.records;
  if (s.limits.output > 0) o["stdout_limit"] = s.limits.output;
  // A real client's results (a summary string of its counts) are compared whole.
  if (s.clients && !s.clients->results.empty()) o["repr_limit"] = kClientResultReprLimit;
  // A step's value is compared by its repr: keep it whole when it is as long as an
  // expected one (a Python repr is never twice the JSON text of the same value).
  size_t longest = 0;
  for (const Expect* e : {&s.expect, &s.expectWithProbe})
    for (const StepExpect& x : e->steps)
      if (x.result) longest = std::max(longest, x.result->dump().size());
  const int wanted = static_cast<int>(2 * longest + 16);
  if (wanted > o.value("repr_limit", kDefaultReprLimit)) o["repr_limit"] = wanted;
  return o;
}

nlohmann::json unrecordedRunOptions(const Scenario& s) {
  nlohmann::json o = runOptions(s, false);
  o["record"] = false;
  return o;
}

namespace {

template <typename T>
T lower(T a, T b) {
  return a <= T{} ? b : b <= T{} ? a : std::min(a, b);
}

}  // namespace

RunBudget tighter(const RunBudget& a, const RunBudget& b) {
  return {lower(a.time, b.time), lower(a.memoryMb, b.memoryMb),
          lower(a.processes, b.processes)};
}

RunBudget budgetOf(const Scenario& s) {
  return {std::chrono::milliseconds(static_cast<long>(s.limits.seconds) * 1000),
          s.limits.memoryMb, s.limits.processes};
}

OracleWorker::OracleWorker(Interpreter interp, OracleOptions opts)
    : interp_(std::move(interp)), opts_(std::move(opts)) {
  if (opts_.workerScript.empty()) opts_.workerScript = sourceRoot() + "/oracle/worker.py";
}

OracleWorker::~OracleWorker() { stop(); }

bool OracleWorker::ensureStarted(std::string& why) {
  if (proc_.running()) return true;
  hello_.reset();
  auto argv = interp_.command;
  argv.push_back(opts_.workerScript);
  if (auto err = proc_.start(argv)) {
    why = *err;
    return false;
  }
  ++starts_;
  std::string line;
  // The worker speaks first; anything before its hello is not protocol.
  for (;;) {
    const auto st = proc_.readLine(line, opts_.startTimeout);
    if (st != Process::ReadStatus::Line) {
      why =
          std::string(st == Process::ReadStatus::Timeout ? "no hello within time limit"
                                                         : "worker exited before hello") +
          " (" + proc_.kill() + "): " + tail(proc_.drainStderr());
      return false;
    }
    std::string problem;
    if (auto h = helloOf(line, problem)) {
      hello_ = std::move(*h);
      return true;
    }
    if (!problem.empty()) {
      why = problem + " (" + proc_.kill() + ")";
      return false;
    }
  }
}

std::optional<nlohmann::json> OracleWorker::hello(std::string* why) {
  std::string w;
  if (!ensureStarted(w)) {
    if (why) *why = w;
    return std::nullopt;
  }
  return hello_;
}

std::optional<nlohmann::json> helloOf(const std::string& line, std::string& problem) {
  nlohmann::json j = parseJsonText(line);
  const auto type = j.is_object() ? j.find("type") : j.end();
  if (!j.is_object() || type == j.end() || *type != "hello") return std::nullopt;
  // What the harness reads of a hello has the types PROTOCOL §2 gives it.
  auto bad = [&](const std::string& what) {
    problem =
        "the worker's hello is not a protocol hello: " + what + ": " + tail(line, 300);
    return std::nullopt;
  };
  for (const char* key : {"implementation", "capabilities", "events"})
    if (auto it = j.find(key); it != j.end() && !it->is_object())
      return bad(std::string("'") + key + "' is not an object");
  if (auto caps = j.find("capabilities"); caps != j.end())
    for (auto it = caps->begin(); it != caps->end(); ++it)
      if (!it->is_boolean())
        return bad("capability '" + it.key() + "' is not true or false");
  return j;
}

std::optional<RunOutcome> outcomeOfReply(const std::string& line, long seq) {
  nlohmann::json reply = parseReplyText(line);
  if (auto bad = checkCompactEvents(reply)) {
    RunOutcome out;
    out.kind = RunOutcome::Kind::Crashed;
    out.detail = "the worker broke the protocol: " + *bad;
    return out;
  }
  return outcomeOfReply(std::move(reply), line, seq);
}

std::optional<RunOutcome> outcomeOfReply(nlohmann::json reply, const std::string& line,
                                         long seq) {
  RunOutcome out;
  if (reply.is_discarded()) {
    out.kind = RunOutcome::Kind::Crashed;
    out.detail = "worker wrote a line that is not JSON: " + tail(line, 300);
    return out;
  }
  if (!reply.is_object()) {
    out.kind = RunOutcome::Kind::Crashed;
    out.detail = "worker wrote a line that is not a protocol message: " + tail(line, 300);
    return out;
  }
  // Replies to other (abandoned) sequence numbers are stale; skip them. A reply
  // without a number is the worker failing to read the request it was sent (it
  // answers one request at a time): the answer to this one.
  const auto rs = reply.find("seq");
  const bool unnumbered = rs == reply.end() || rs->is_null();
  if (!unnumbered && (!rs->is_number_integer() || rs->get<long>() != seq))
    return std::nullopt;
  const auto type = reply.find("type");
  const bool result = type != reply.end() && type->is_string() && *type == "result";
  out.kind = result ? RunOutcome::Kind::Result : RunOutcome::Kind::Errored;
  if (!result) {
    const auto ctx = reply.find("context");
    if (ctx != reply.end() && ctx->is_object()) {
      if (auto p = ctx->find("phase"); p != ctx->end() && p->is_string())
        out.phase = phaseNamed(p->get<std::string>());
      if (auto m = ctx->find("message"); m != ctx->end() && m->is_string())
        out.errorMessage = m->get<std::string>();
    }
  }
  out.message = std::move(reply);
  return out;
}

namespace {

std::string requestLine(long seq, const nlohmann::json& scenario,
                        const nlohmann::json& options, const nlohmann::json& transport) {
  nlohmann::json msg{{"type", "run"}, {"seq", seq}, {"scenario", scenario}};
  if (!options.is_null()) msg["options"] = options;
  // Transport, unless the caller chose: the driver undoes it (InstructionTables) or the
  // trace reader reads through it (compact events) before anyone reads the reply.
  if (options.is_null() || options.is_object())
    for (auto it = transport.begin(); it != transport.end(); ++it)
      if (!options.contains(it.key())) msg["options"][it.key()] = it.value();
  return msg.dump() + "\n";
}

}  // namespace

std::optional<RunOutcome> OracleWorker::overBudget(const RunBudget& budget, long baseKb) {
  if (budget.memoryMb <= 0 && budget.processes <= 0) return std::nullopt;
  const std::optional<Process::GroupUse> use = proc_.groupUse();
  if (!use) return std::nullopt;
  const long grownMb = (use->proportionalKb - baseKb) / 1024;
  const int others = use->processes - 1;
  RunOutcome out;
  if (budget.memoryMb > 0 && grownMb > budget.memoryMb) {
    out.kind = RunOutcome::Kind::MemoryLimit;
    out.errorMessage =
        "the run grew its worker's resident memory (Pss) by " + std::to_string(grownMb) +
        " MB (" + std::to_string(use->processes) +
        (use->processes == 1 ? " process" : " processes") +
        " together), over its memory limit of " + std::to_string(budget.memoryMb) + " MB";
  } else if (budget.processes > 0 && others > budget.processes) {
    out.kind = RunOutcome::Kind::ProcessLimit;
    out.errorMessage =
        "the run had " + std::to_string(others) +
        " processes besides its worker at once, over its process limit of " +
        std::to_string(budget.processes);
  } else {
    return std::nullopt;
  }
  out.detail = out.errorMessage + "; worker and its processes killed (" + proc_.kill() +
               ")" + history();
  recent_.clear();
  return out;
}

RunOutcome OracleWorker::run(const nlohmann::json& scenario,
                             const nlohmann::json& options, const RunBudget& asked) {
  RunOutcome out;
  std::string why;
  if (!ensureStarted(why)) {
    out.kind = RunOutcome::Kind::Crashed;
    out.detail = why;
    return out;
  }
  if (starts_ != runsStart_) {  // a new process: its history starts here
    recent_.clear();
    runsStart_ = starts_;
  }
  if (aheadStart_ != starts_) ahead_.clear();  // written to a process that is gone
  if (tablesStart_ != starts_) {
    tables_.reset();
    tablesStart_ = starts_;
  }
  long seq = 0;
  const auto written = std::find_if(ahead_.begin(), ahead_.end(), [&](const Ahead& a) {
    return a.scenario == scenario && a.options == options;
  });
  if (written != ahead_.end()) {
    // Already asked for: its reply is on its way. Those asked before it and not run
    // (a probe-off run after a truncated probe-on run) are skipped as stale. Asking
    // again instead would put this run behind every request written ahead, and charge
    // their time and memory (the next scenario's) to it.
    seq = written->seq;
    ahead_.erase(ahead_.begin(), std::next(written));
  } else {
    ahead_.clear();  // not what was expected: those replies are skipped as stale
    seq = ++seq_;
    if (!send(requestLine(seq, scenario, options, transportOptions()), out)) return out;
  }
  const RunBudget budget =
      tighter(asked, {opts_.runTimeout, opts_.memoryMb, opts_.processes});
  const auto limit = budget.time;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  // Memory and processes are looked at while the reply is awaited, every kWatch: a
  // quick run costs nothing, and one that grows is stopped within about kWatch.
  constexpr std::chrono::milliseconds kWatch{50};
  if (const auto now = std::chrono::steady_clock::now();
      baseStart_ != starts_ || now - baseAt_ > std::chrono::seconds(1)) {
    baseKb_ = proc_.proportionalKb().value_or(0);
    baseStart_ = starts_;
    baseAt_ = now;
  }
  const long baseKb = baseKb_;
  std::string line;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    const auto st =
        proc_.readLine(line, std::clamp(left, std::chrono::milliseconds(0), kWatch));
    if (st == Process::ReadStatus::Timeout && left > kWatch) {
      if (std::optional<RunOutcome> over = overBudget(budget, baseKb))
        return std::move(*over);
      continue;
    }
    if (st == Process::ReadStatus::Timeout) {
      out.kind = RunOutcome::Kind::Timeout;
      // Where it hangs: the worker's stacks (if it offers a signal for them), its
      // stderr, and what it ran before.
      std::string err = proc_.drainStderr();
      // A worker that grew huge stalls the machine rather than hanging itself.
      const std::optional<long> kb = proc_.residentKb();
      if (hello_ && hello_->contains("stack_dump_signal") &&
          (*hello_)["stack_dump_signal"].is_number_integer())
        err += proc_.signalAndCollect((*hello_)["stack_dump_signal"].get<int>(),
                                      std::chrono::milliseconds(500));
      out.detail = "no reply within " + std::to_string(limit.count()) +
                   " ms; worker killed (" + proc_.kill() + ")" +
                   (kb ? "; it held " + std::to_string(*kb / 1024) + " MB" : "") +
                   history();
      if (!err.empty())
        out.detail += "\nstderr (stacks when it hung):\n" + tail(err, 4000);
      recent_.clear();
      return out;
    }
    if (st == Process::ReadStatus::Eof) {
      out.kind = RunOutcome::Kind::Crashed;
      const std::string status = proc_.wait(std::chrono::milliseconds(2000));
      out.detail =
          "worker died (" + status + ")" + history() + ": " + tail(proc_.drainStderr());
      recent_.clear();
      return out;
    }
    nlohmann::json reply = parseReplyText(line);
    std::optional<std::string> bad = tables_.resolve(reply);
    if (!bad) bad = checkCompactEvents(reply);
    if (bad) {
      out.kind = RunOutcome::Kind::Crashed;
      out.detail = "the worker broke the protocol: " + *bad + " (" + proc_.kill() + ")";
      ahead_.clear();
      return out;
    }
    std::optional<RunOutcome> got = outcomeOfReply(std::move(reply), line, seq);
    if (!got) continue;  // stale
    if (got->kind == RunOutcome::Kind::Crashed) {
      proc_.kill();
      return std::move(*got);
    }
    out = std::move(*got);
    if (out.message.contains("retire")) {
      // The worker cannot run another scenario cleanly and exits (PROTOCOL §2): the
      // next run gets a fresh one (and the requests written ahead are lost with it).
      proc_.wait(std::chrono::milliseconds(2000));
      ahead_.clear();
      recent_.clear();
      return out;
    }
    recent_.push_back(scenario.is_object() ? scenario.value("id", "?") : "?");
    if (recent_.size() > 5) recent_.pop_front();
    return out;
  }
}

nlohmann::json OracleWorker::transportOptions() const {
  nlohmann::json out = nlohmann::json::object();
  if (!hello_) return out;
  const auto caps = hello_->find("capabilities");
  if (caps == hello_->end() || !caps->is_object()) return out;
  for (const char* name : {"instructions_by_key", "compact_events"})
    if (const auto it = caps->find(name); it != caps->end() && it->is_boolean() && *it)
      out[name] = true;
  return out;
}

bool OracleWorker::send(const std::string& request, RunOutcome& out) {
  if (proc_.write(request)) return true;
  out.kind = RunOutcome::Kind::Crashed;
  out.detail = "worker stdin closed (" + proc_.kill() + "): " + tail(proc_.drainStderr());
  ahead_.clear();
  return false;
}

bool OracleWorker::prefetch(const nlohmann::json& scenario,
                            const nlohmann::json& options) {
  std::string why;
  if (!ensureStarted(why)) return false;  // the run itself says why
  if (aheadStart_ != starts_) ahead_.clear();
  // Asked for already (a campaign writes the next case's runs ahead, then its check
  // names them again): its reply is on its way.
  for (const Ahead& a : ahead_)
    if (a.scenario == scenario && a.options == options) return true;
  const std::string request =
      requestLine(seq_ + 1, scenario, options, transportOptions());
  // A request that fills the pipe would block while the worker blocks writing a
  // reply nobody reads: only small ones, and a few, are written ahead, fewer bytes in
  // all than a pipe holds (64 KiB on Linux).
  constexpr size_t kMaxAhead = 16 * 1024, kMaxAheadTotal = 48 * 1024;
  size_t total = request.size();
  for (const Ahead& a : ahead_) total += a.bytes;
  if (request.size() > kMaxAhead || total > kMaxAheadTotal || ahead_.size() >= 4)
    return false;
  RunOutcome lost;
  if (!send(request, lost)) return false;  // the next run starts a fresh worker
  ahead_.push_back({++seq_, scenario, options, request.size()});
  aheadStart_ = starts_;
  return true;
}

std::string OracleWorker::history() const {
  if (recent_.empty()) return "; a fresh worker";
  std::string s = "; this worker ran before:";
  for (const std::string& id : recent_) s += " " + id;
  return s;
}

void OracleWorker::stop() {
  if (!proc_.running()) return;
  proc_.write("{\"type\": \"stop\"}\n");
  proc_.closeStdin();
  proc_.wait(std::chrono::milliseconds(3000));
}

OracleFactory liveOracles(const OracleOptions& opts) {
  return [opts](const Interpreter& in) -> std::unique_ptr<Oracle> {
    return std::make_unique<OracleWorker>(in, opts);
  };
}

}  // namespace monsim::harness
