#include "interpreter/recordings.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "interpreter/compact_events.h"

namespace fs = std::filesystem;

namespace monsim::harness {

using nlohmann::json;

std::string runKey(const json& scenario, const json& options) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  };
  mix(scenario.dump());
  mix("\n");
  mix(options.dump());
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

json outcomeToJson(const RunOutcome& o) {
  json message = o.message;  // as PROTOCOL §4.5 writes it: no packed records
  if (message.is_object())
    if (auto t = message.find("trace"); t != message.end()) unpackCompactRecords(*t);
  return {{"kind", kindName(o.kind)},
          {"message", std::move(message)},
          {"detail", o.detail},
          {"phase", phaseName(o.phase)},
          {"error_message", o.errorMessage}};
}

RunOutcome outcomeFromJson(const json& j) {
  RunOutcome o;
  const auto kind = outcomeKindNamed(j.at("kind").get<std::string>());
  if (!kind) throw std::invalid_argument("unknown outcome kind " + j.at("kind").dump());
  o.kind = *kind;
  o.message = j.at("message");
  o.detail = j.at("detail").get<std::string>();
  o.phase = phaseNamed(j.at("phase").get<std::string>());
  o.errorMessage = j.at("error_message").get<std::string>();
  return o;
}

namespace {

json interpreterToJson(const Interpreter& in) {
  return {{"id", in.id},
          {"kind", in.kind},
          {"implementation", in.implementation},
          {"version", in.version},
          {"path", in.path},
          {"command", in.command},
          {"provenance", in.provenance},
          {"monitoring", in.monitoring}};
}

Interpreter interpreterFromJson(const json& j) {
  Interpreter in;
  in.id = j.at("id").get<std::string>();
  in.kind = j.at("kind").get<std::string>();
  in.implementation = j.at("implementation").get<std::string>();
  in.version = j.at("version").get<std::string>();
  in.path = j.at("path").get<std::string>();
  in.command = j.at("command").get<std::vector<std::string>>();
  in.provenance = j.at("provenance").get<std::string>();
  in.monitoring = j.at("monitoring").get<bool>();
  return in;
}

// One file per interpreter, shared by the threads recording it.
class Writer {
 public:
  explicit Writer(std::string dir) : dir_(std::move(dir)) {}

  void line(const Interpreter& in, const json& j) {
    std::lock_guard<std::mutex> lock(mu_);
    auto& f = files_[in.id];
    if (!f) {
      fs::create_directories(dir_);
      f = std::make_unique<std::ofstream>(fs::path(dir_) / (in.id + ".jsonl"),
                                          std::ios::trunc);
      *f << json{{"kind", "interpreter"}, {"interpreter", interpreterToJson(in)}}.dump()
         << "\n";
    }
    *f << j.dump() << "\n";
    f->flush();  // a check that is killed keeps what it recorded
  }

 private:
  std::string dir_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<std::ofstream>> files_;
};

class RecordingOracle : public Oracle {
 public:
  RecordingOracle(const Interpreter& in, const OracleOptions& opts,
                  std::shared_ptr<Writer> out)
      : live_(in, opts), out_(std::move(out)) {}
  const Interpreter& interpreter() const override { return live_.interpreter(); }
  int starts() const override { return live_.starts(); }

  std::optional<json> hello(std::string* why) override {
    std::string reason;
    auto h = live_.hello(&reason);
    if (!helloWritten_) {
      helloWritten_ = true;
      out_->line(interpreter(),
                 {{"kind", "hello"}, {"hello", h ? *h : json(nullptr)}, {"why", reason}});
    }
    if (why) *why = reason;
    return h;
  }

  bool prefetch(const json& scenario, const json& options) override {
    return live_.prefetch(scenario, options);
  }
  RunOutcome run(const json& scenario, const json& options,
                 const RunBudget& budget) override {
    RunOutcome o = live_.run(scenario, options, budget);
    out_->line(interpreter(), {{"kind", "run"},
                               {"key", runKey(scenario, options)},
                               {"scenario", scenario.value("id", "")},
                               {"outcome", outcomeToJson(o)}});
    return o;
  }

 private:
  OracleWorker live_;
  std::shared_ptr<Writer> out_;
  bool helloWritten_ = false;
};

class StoredOracle : public Oracle {
 public:
  StoredOracle(std::shared_ptr<const RecordingStore> store, const StoredInterpreter* rec,
               Interpreter in)
      : store_(std::move(store)), rec_(rec), in_(std::move(in)) {}
  const Interpreter& interpreter() const override { return in_; }
  int starts() const override { return rec_ && rec_->hello ? 1 : 0; }

  std::optional<json> hello(std::string* why) override {
    if (rec_ && rec_->hello) return rec_->hello;
    if (why)
      *why = rec_ ? rec_->why : "no recordings of " + in_.id + " in " + store_->dir;
    return std::nullopt;
  }

  RunOutcome run(const json& scenario, const json& options, const RunBudget&) override {
    if (rec_) {
      const auto it = rec_->runs.find(runKey(scenario, options));
      if (it != rec_->runs.end()) return it->second;
    }
    RunOutcome o;
    o.kind = RunOutcome::Kind::NotRecorded;
    o.detail = "no recording of this run of '" + scenario.value("id", std::string("?")) +
               "' on " + in_.id + " in " + store_->dir +
               " (recorded from another version of the scenario or options?)";
    return o;
  }

 private:
  std::shared_ptr<const RecordingStore> store_;
  const StoredInterpreter* rec_;
  Interpreter in_;
};

}  // namespace

OracleFactory recordingOracles(const std::string& dir, const OracleOptions& opts) {
  auto out = std::make_shared<Writer>(dir);
  return [out, opts](const Interpreter& in) -> std::unique_ptr<Oracle> {
    return std::make_unique<RecordingOracle>(in, opts, out);
  };
}

std::optional<RecordingStore> loadRecordings(const std::string& dir,
                                             std::vector<std::string>& problems) {
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".jsonl") files.push_back(e.path());
  if (ec) {
    problems.push_back(dir + ": cannot read: " + ec.message());
    return std::nullopt;
  }
  std::sort(files.begin(), files.end());
  RecordingStore store;
  store.dir = dir;
  for (const fs::path& p : files) {
    std::ifstream in(p);
    std::string text;
    StoredInterpreter si;
    bool header = false;
    for (long n = 1; std::getline(in, text); ++n) {
      const std::string where = p.string() + ":" + std::to_string(n) + ": ";
      try {
        const json j = json::parse(text);
        const std::string kind = j.at("kind").get<std::string>();
        if (kind == "interpreter") {
          si.interpreter = interpreterFromJson(j.at("interpreter"));
          header = true;
        } else if (!header) {
          problems.push_back(where + "a '" + kind + "' line before the interpreter line");
        } else if (kind == "hello") {
          if (!j.at("hello").is_null()) si.hello = j.at("hello");
          si.why = j.at("why").get<std::string>();
        } else if (kind == "run") {
          si.runs[j.at("key").get<std::string>()] = outcomeFromJson(j.at("outcome"));
        } else {
          problems.push_back(where + "unknown line kind '" + kind + "'");
        }
      } catch (const std::exception& e) {
        problems.push_back(where + e.what());
      }
    }
    if (header)
      store.interpreters.push_back(std::move(si));
    else
      problems.push_back(p.string() + ": no interpreter line: not a recordings file");
  }
  if (store.interpreters.empty()) {
    problems.push_back(dir + ": no recordings (DIR/<interpreter id>.jsonl)");
    return std::nullopt;
  }
  return store;
}

OracleFactory storedOracles(std::shared_ptr<const RecordingStore> store) {
  return [store](const Interpreter& in) -> std::unique_ptr<Oracle> {
    const StoredInterpreter* rec = nullptr;
    for (const auto& si : store->interpreters)
      if (si.interpreter.id == in.id) rec = &si;
    return std::make_unique<StoredOracle>(store, rec, in);
  };
}

}  // namespace monsim::harness
