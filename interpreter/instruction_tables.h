#pragma once
// Instruction tables by key (PROTOCOL §4, options.instructions_by_key): a worker that
// offers it names each code row's table and carries the table only when its previous
// result did not. The driver keeps the previous result's tables and puts every table
// back into its row, so what comes after reads protocol-1 traces.
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace monsim::harness {

class InstructionTables {
 public:
  // Fills in the tables a result reply names (every result of the worker, in the
  // order written, stale ones too: the worker counts them as sent). Other messages
  // pass unchanged. The error says which row named a table it never sent.
  std::optional<std::string> resolve(nlohmann::json& reply);
  // A fresh worker process: it names no earlier table.
  void reset() { previous_.clear(); }

 private:
  std::map<std::string, nlohmann::json> previous_;
};

}  // namespace monsim::harness
