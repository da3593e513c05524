#pragma once
// Exceptions raised by the API (behaviour §5–§8, §10.5–§10.6): messages come from
// spec/errors.yaml via the version profile, placeholders filled here.
#include <cstdint>
#include <string_view>

#include "model/py_value.h"
#include "model/version_profile.h"

namespace monsim {

struct ErrorFields {
  int64_t tool = 0;       // {tool}
  int64_t event = 0;      // {event}
  uint32_t set = 0;       // {set}: printed 0x%x
  std::string_view type;  // {type}: a Python type name
  std::string_view name;  // {name}: an event or code object name
};

inline ErrorFields toolField(int64_t v) {
  ErrorFields f;
  f.tool = v;
  return f;
}
inline ErrorFields eventField(int64_t v) {
  ErrorFields f;
  f.event = v;
  return f;
}
inline ErrorFields setField(uint32_t v) {
  ErrorFields f;
  f.set = v;
  return f;
}
inline ErrorFields typeField(std::string_view v) {
  ErrorFields f;
  f.type = v;
  return f;
}
inline ErrorFields nameField(std::string_view v) {
  ErrorFields f;
  f.name = v;
  return f;
}

PyError makeError(const VersionProfile& p, spec::Error e, const ErrorFields& f = {});

}  // namespace monsim
