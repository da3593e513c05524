#include "interpreter/untrusted_text.h"

#include <utf8cpp/utf8.h>

#include <iterator>

namespace monsim::harness {

std::string validUtf8(std::string_view bytes) {
  if (utf8::is_valid(bytes.begin(), bytes.end())) return std::string(bytes);
  std::string out;
  out.reserve(bytes.size() + 16);
  utf8::replace_invalid(bytes.begin(), bytes.end(), std::back_inserter(out));
  return out;
}

std::string untrustedTail(std::string_view s, size_t n) {
  if (s.size() <= n) return validUtf8(s);
  size_t from = s.size() - n;
  // Continuation bytes of a character cut in two are dropped, not replaced.
  for (int k = 0;
       k < 3 && from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80;
       ++k)
    ++from;
  return "…" + validUtf8(s.substr(from));
}

}  // namespace monsim::harness
