#include "model/error_format.h"

#include <charconv>
#include <string>

#include "model/mutant.h"

namespace monsim {

PyError makeError(const VersionProfile& p, spec::Error e, const ErrorFields& f) {
  const std::string_view tmpl = p.errorMessage(e);
  std::string out;
  out.reserve(tmpl.size() + 16);
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl[i] != '{') {
      out += tmpl[i++];
      continue;
    }
    const size_t close = tmpl.find('}', i);
    const std::string_view key = tmpl.substr(i + 1, close - i - 1);
    if (key == "tool") {
      out += std::to_string(f.tool);
    } else if (key == "event") {
      out += std::to_string(f.event);
    } else if (key == "set") {
      char buf[16];
      const int base = mutant(Mutant::SetFieldDecimal) ? 10 : 16;
      const auto end = std::to_chars(buf, buf + sizeof buf, f.set, base).ptr;
      out += "0x";
      out.append(buf, end);
    } else if (key == "type") {
      out += f.type;
    } else if (key == "name") {
      out += f.name;
    } else {
      out += tmpl.substr(i, close - i + 1);
    }
    i = close + 1;
  }
  if (mutant(Mutant::ToolNameNotStrTypeError) && e == spec::Error::ToolNameNotStr)
    return PyError{"TypeError", std::move(out)};
  return PyError{std::string(p.errorType(e)), std::move(out)};
}

}  // namespace monsim
