#include "interpreter/instruction_tables.h"

namespace monsim::harness {

std::optional<std::string> InstructionTables::resolve(nlohmann::json& reply) {
  if (!reply.is_object() || reply.value("type", "") != "result") return std::nullopt;
  const auto trace = reply.find("trace");
  if (trace == reply.end() || !trace->is_object()) return std::nullopt;
  // The option was the driver's, not the caller's: the trace echoes the caller's.
  if (auto o = trace->find("options"); o != trace->end() && o->is_object())
    o->erase("instructions_by_key");
  std::map<std::string, nlohmann::json> now;
  const auto codes = trace->find("codes");
  if (codes != trace->end() && codes->is_object()) {
    for (auto it = codes->begin(); it != codes->end(); ++it) {
      nlohmann::json& row = it.value();
      if (!row.is_object()) continue;
      const auto key = row.find("instructions_key");
      if (key == row.end()) continue;
      if (!key->is_string())
        return "code row '" + it.key() + "' has an instructions_key that is not a string";
      const std::string k = key->get<std::string>();
      row.erase(key);
      if (const auto table = row.find("instructions"); table != row.end()) {
        now[k] = *table;
      } else if (const auto before = previous_.find(k); before != previous_.end()) {
        row["instructions"] = before->second;
        now[k] = before->second;
      } else {
        return "code row '" + it.key() + "' names instruction table '" + k +
               "', which the worker's previous result did not carry";
      }
    }
  }
  previous_ = std::move(now);
  return std::nullopt;
}

}  // namespace monsim::harness
