#pragma once
// Escaping and number formatting shared by the renderers.
#include <string>
#include <string_view>

namespace monsim::report {

std::string escapeHtml(std::string_view s);  // text and attribute values
// XML 1.0 text/attributes; characters XML cannot carry (most C0 controls) become '?'.
std::string escapeXml(std::string_view s);
// One Markdown table cell: pipes escaped, newlines as <br>.
std::string mdCell(std::string_view s);
// Inline code in Markdown, with a fence long enough for any backticks inside.
std::string mdCode(std::string_view s);

// "100%", "97.5%": rounded down, so anything short of all reads below 100%.
std::string percent(int passed, int total);
// "12.34 s"
std::string secondsText(double s);

}  // namespace monsim::report
