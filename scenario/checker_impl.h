#pragma once
// The Checker behind checkScenario (scenario/checker.h), split by concern across
// checker.cpp (the document, metadata, names), checker_tools.cpp (tools, callbacks,
// actions, literals), checker_steps.cpp (steps, script) and checker_expect.cpp.
// Internal to the scenario layer.
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/yaml.h"
#include "spec/spec_tables.h"

namespace monsim::harness::checker {

using yaml::Field;
using yaml::Fields;
using yaml::inQuotes;
using Keys = std::vector<std::string_view>;

constexpr long kMaxLiteralNodes = 100000;  // aliases can multiply a small file

bool contains(const Keys& keys, std::string_view k);
std::string join(const Keys& items);
const spec::EventRow* eventRow(std::string_view name);
bool hasArg(const spec::EventRow& row, spec::Arg a);
Keys apiNames();
// "MESSAGE (did you mean 'X'?)" for a likely typo, else "MESSAGE (one of A, B)" when
// `listAll`, else MESSAGE.
std::string withHint(std::string message, std::string_view word, const Keys& candidates,
                     bool listAll = false);
// The raw keys of a mapping (before any checking).
std::set<std::string> rawKeys(const YAML::Node& n);
YAML::Node rawValue(const YAML::Node& n, std::string_view key);

class Checker {
 public:
  explicit Checker(yaml::Reader& r) : r_(r) {}
  std::optional<Scenario> run(const YAML::Node& doc);

 private:
  void python(const Field* f);
  void metadata(const Fields& top);
  void features(const Field& f);
  void requirements(const Field& f);
  void functions(const Field& f);
  void handlers(const Field& f);
  void tools(const Field& f);
  std::optional<ToolSpec> tool(int id, const Field& f);
  std::optional<Callback> callback(const YAML::Node& n, const YAML::Mark& at);
  std::optional<Clause> clause(const YAML::Node& n, const YAML::Mark& at);
  When when(const Fields& f);
  bool action(const YAML::Node& n, const YAML::Mark& at);
  // The C API (checker_capi.cpp): `capi:` objects and `capi` actions.
  void capiObjects(const Field& f);
  void capiAction(const Fields& m, const Field& k);
  const CapiObject* capiObject(const Field& f);
  bool literal(const YAML::Node& n, const YAML::Mark& at, int depth = 0);
  void marker(const YAML::Node& n, const YAML::Mark& at, int depth);
  void steps(const Field& f);
  void script(const Field& f);
  std::optional<ScriptStep> scriptStep(const YAML::Node& n);
  void scriptEvent(const Fields& f, ScriptStep& step);
  void expect(const Field& f, Expect& e);  // `expect` or `expect_with_probe`
  void outcome(const Field& f);
  void limits(const Field& f);
  void clients(const Field& f);
  std::optional<DeliveryPattern> pattern(const YAML::Node& n, const YAML::Mark& at);
  void traceFunctions(const Field& f);
  // A trace function's name (or null, where `nullable`) at `n`.
  std::optional<std::string> traceName(const YAML::Node& n, const YAML::Mark& at,
                                       bool nullable);
  std::optional<StepExpect> stepExpect(const YAML::Node& n);
  nlohmann::json oracleJson(const Fields& top) const;

  bool event(const YAML::Mark& at, const std::string& name);
  std::vector<std::string> eventList(const YAML::Node& n, const YAML::Mark& at,
                                     std::string_view what);
  std::optional<int> smallInt(const YAML::Node& n, const YAML::Mark& at,
                              std::string_view what, int min, int max = 1 << 30);
  std::vector<int> intOrList(const Field& f, int min);
  std::vector<std::string> strings(const YAML::Node& n, const YAML::Mark& at,
                                   std::string_view what);
  void function(const YAML::Mark& at, const std::string& name);
  std::optional<std::string> kindOf(const YAML::Node& n, const YAML::Mark& at,
                                    const Keys& kinds, std::string_view what);
  // No new diagnostic since `before`, and the literal budget holds.
  bool clean(size_t before) const {
    return r_.errorCount() == before && literalNodes_ < kMaxLiteralNodes;
  }

  yaml::Reader& r_;
  Scenario s_;
  bool script_ = false;
  bool pythonOk_ = true;
  std::set<std::string> handlerNames_;
  std::set<std::string> traceNames_;  // trace_functions
  bool traceClause_ = false;          // parsing a trace function's clauses
  std::optional<size_t> stepCount_;
  long literalNodes_ = 0;
  bool usesCapi_ = false;
};

}  // namespace monsim::harness::checker
