#pragma once
// Vetting an interpreter that was asked for (`--python ID|VERSION|PATH`): it is
// used, or the run stops with the typed reason. No subcommand drops an interpreter
// it was asked for silently, so a CI job that names the wrong one fails (issue 23).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interpreter/discovery.h"
#include "interpreter/oracle_driver.h"

namespace monsim::harness {

// One thing an interpreter needs, in the order checked; the first one missing
// decides the verdict and the later ones stay Unchecked.
struct Capability {
  enum class Kind {
    Found,         // discovered, or the path exists
    Executable,    // a file with execute permission that starts
    Python,        // answers the probe as a Python does
    Monitoring,    // has sys.monitoring (PEP 669)
    ModelProfile,  // its version has a model profile (spec/*.yaml)
    LegacyHooks,   // sys.settrace / sys.setprofile, for a Python without monitoring
    OracleWorker,  // oracle/worker.py starts on it and says hello
    Reported,      // a capability the worker's hello reports (`name`)
  };
  enum class State { Yes, No, Unchecked };
  Kind kind = Kind::Found;
  State state = State::Unchecked;
  std::string name;    // Reported: the hello's key ("threads", "c_api")
  std::string detail;  // the evidence: a path, a version, what it printed
};

struct Vetting {
  enum class Verdict {
    Usable,
    NotFound,        // no interpreter with that id or version, no such file or command
    NotExecutable,   // a folder, a file without execute permission, or it cannot start
    NotPython,       // it runs but does not answer the probe as a Python does
    NoMonitoring,    // a Python without sys.monitoring (before 3.12, PyPy 3.9…)
    NoModelProfile,  // sys.monitoring, but a version the model has no profile for
    OracleFails,     // the oracle worker does not start on it (vetOracle only)
  };
  std::string spec;  // as given
  bool isPath = false;
  Verdict verdict = Verdict::NotFound;
  std::optional<Interpreter> interpreter;  // Usable, NoModelProfile, OracleFails
  ProbeAnswer probe;                       // paths: what the executable answered
  std::vector<Capability> capabilities;    // every Kind but Reported, in order
  std::vector<std::string> known;          // NotFound: the ids discovery found
  bool usable() const { return verdict == Verdict::Usable; }
};

// Judges one --python value against what discovery found: an id, a version
// prefix, a path, or a command on PATH. Paths are run once (the probe).
Vetting vetInterpreter(const std::vector<Interpreter>& known, const std::string& spec);

// For a usable interpreter, starts the oracle worker: OracleFails if it does not
// say hello, else one Reported capability per boolean in the hello.
void vetOracle(Vetting& v, const OracleOptions& options = {});

std::string_view capabilityName(const Capability& c);
// Why it is not usable, in one line (empty when usable).
std::string vetReason(const Vetting& v);

// The interpreters a run uses for its --python values: "all" (or none given)
// means every one discovered; everything else is vetted, and the ones that are
// not usable are returned with their reason, never dropped. What the command needs:
// Model — a model profile (fuzz); ModelOrHooks — a model profile, or only the legacy
// hooks, whose scenarios' expectations it checks (check); Oracle — an oracle worker
// only (record).
struct Selection {
  std::vector<Interpreter> interpreters;  // in the order asked, no duplicates
  std::vector<Vetting> rejected;
};
enum class Needs : uint8_t { Model, ModelOrHooks, Oracle };
Selection selectInterpreters(const std::vector<std::string>& specs,
                             Needs needs = Needs::ModelOrHooks);

}  // namespace monsim::harness
