#pragma once
// The YAML layer under the scenario loader: yaml-cpp nodes get 1-based positions,
// mappings are checked for duplicate and unknown keys, plain scalars are typed by
// the YAML 1.2 core schema (so `yes` is a string, `1` an integer, `"1"` a string),
// and every problem becomes a Diagnostic instead of an exception.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/loader.h"

namespace monsim::harness::yaml {

// The one place where yaml-cpp's 0-based Mark becomes a 1-based position; marks
// yaml-cpp does not know (-1) become 1:1.
SourceLoc locOf(const std::string& file, const YAML::Mark& m);

// A file's YAML documents: the first one's root (null when there is none), how many
// there are and where the second starts. Unlike YAML::LoadAll, it stops when the
// parser stops making progress: yaml-cpp 0.7 (Debian 12) returns an endless stream
// of empty documents for input such as ", x}" (yaml-cpp issue 1040, fixed upstream
// by PR 1319), found by tests/fuzz/scenario_fuzzer.
struct Documents {
  YAML::Node first;
  size_t count = 0;
  YAML::Mark second;
};
Documents loadDocuments(const std::string& text);

struct Field {
  std::string key;
  YAML::Node keyNode;
  YAML::Node value;
  // The value's position; for an empty value (`key:` then a newline), whose mark
  // yaml-cpp puts on the next token, the key's.
  YAML::Mark valueMark() const;
};

class Fields {
 public:
  explicit Fields(YAML::Node node) : node_(std::move(node)) {}
  const YAML::Node& node() const { return node_; }
  const std::vector<Field>& all() const { return fields_; }
  const Field* find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  void add(Field f) { fields_.push_back(std::move(f)); }

 private:
  YAML::Node node_;
  std::vector<Field> fields_;
};

// A typed scalar (YAML 1.2 core schema). An integer beyond 64 bits is a BigInt, its
// decimal text in `s`: Python takes any int, so literals may hold one.
struct Scalar {
  enum class Type { Null, Bool, Int, BigInt, Float, String };
  Type type = Type::Null;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
};

class Reader {
 public:
  Reader(std::string file, std::vector<Diagnostic>& out)
      : file_(std::move(file)), out_(out) {}

  const std::string& file() const { return file_; }
  SourceLoc loc(const YAML::Mark& m) const { return locOf(file_, m); }
  SourceLoc loc(const YAML::Node& n) const { return loc(n.Mark()); }
  void error(const YAML::Mark& at, std::string message);
  void error(const YAML::Node& at, std::string message) {
    error(at.Mark(), std::move(message));
  }
  size_t errorCount() const { return out_.size(); }

  // The fields of a mapping, in document order. Reports keys that are not scalars,
  // duplicate keys and (unless `allowed` is empty) keys not in `allowed`, which are
  // then left out. nullopt, with "WHAT must be a mapping", if `n` is not one.
  std::optional<Fields> mapping(const YAML::Node& n, const YAML::Mark& at,
                                std::string_view what,
                                const std::vector<std::string_view>& allowed);
  // "missing required key 'KEY'", blamed on the mapping.
  const Field* require(const Fields& f, std::string_view key);

  // A typed scalar; reports unsupported tags, .inf/.nan and, unless `bigInts` (the
  // scalars of literals), integers beyond 64 bits.
  std::optional<Scalar> scalar(const YAML::Node& n, const YAML::Mark& at,
                               bool bigInts = false);
  // Each reports "WHAT must be a string" (an integer, …) at `at` when the type differs.
  std::optional<std::string> string(const YAML::Node& n, const YAML::Mark& at,
                                    std::string_view what);
  std::optional<int64_t> integer(const YAML::Node& n, const YAML::Mark& at,
                                 std::string_view what);
  std::optional<bool> boolean(const YAML::Node& n, const YAML::Mark& at,
                              std::string_view what);
  bool sequence(const YAML::Node& n, const YAML::Mark& at, std::string_view what);

  // The JSON value of an already validated node (markers are kept as they are; an
  // integer beyond 64 bits becomes the oracle literal {"$": "int", "value": DECIMAL}).
  static nlohmann::json toJson(const YAML::Node& n);

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

// The diagnostic text for a yaml-cpp syntax error: "invalid YAML: MESSAGE", with what
// to do where the message alone does not say it.
std::string syntaxError(const std::string& yamlCppMessage);

// "'KEY'" for messages.
std::string inQuotes(std::string_view s);

// The closest of `candidates` to `word` when it is a likely typo, else "".
std::string closest(std::string_view word,
                    const std::vector<std::string_view>& candidates);

}  // namespace monsim::harness::yaml
