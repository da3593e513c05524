#pragma once
// Text that an interpreter under test wrote (its stderr, a line that is not the
// protocol) enters verdicts, the results stream and the reports, which are UTF-8
// (JSON, HTML, JUnit XML). Such bytes may be anything, so they are made valid UTF-8
// where they come in: each invalid sequence becomes U+FFFD.
#include <string>
#include <string_view>

namespace monsim::harness {

std::string validUtf8(std::string_view bytes);

// The last `n` bytes of `s` (cut at a character boundary, "…" before a cut), as
// valid UTF-8.
std::string untrustedTail(std::string_view s, size_t n = 2000);

}  // namespace monsim::harness
