#include "scenario/yaml.h"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>
#include <variant>

namespace monsim::harness::yaml {

namespace {

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isOctal(char c) { return c >= '0' && c <= '7'; }
bool isHexDigit(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// How many leading characters of `s` satisfy `pred`.
size_t digits(std::string_view s, bool (*pred)(char)) {
  size_t n = 0;
  while (n < s.size() && pred(s[n])) ++n;
  return n;
}

// YAML 1.2 core: (\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? after the sign.
bool isFloat(std::string_view s) {
  size_t i = digits(s, isDigit);
  const bool intPart = i > 0;
  if (i < s.size() && s[i] == '.') {
    const size_t frac = digits(s.substr(i + 1), isDigit);
    if (!intPart && frac == 0) return false;
    i += 1 + frac;
  } else if (!intPart) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t exp = digits(s.substr(i), isDigit);
    if (exp == 0) return false;
    i += exp;
  }
  return i == s.size();
}

// .inf, -.Inf, .NaN, …: no JSON value.
bool isSpecialFloat(std::string_view unsignedText, std::string_view text) {
  for (std::string_view inf : {".inf", ".Inf", ".INF"})
    if (unsignedText == inf) return true;
  for (std::string_view nan : {".nan", ".NaN", ".NAN"})
    if (text == nan) return true;
  return false;
}

// The decimal text of `digits` (no sign) in `base`, for integers beyond 64 bits.
std::string toDecimal(std::string_view digits, int base) {
  std::string out = "0";  // least significant digit first
  for (const char c : digits) {
    int carry = isDigit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
    for (char& d : out) {
      const int v = (d - '0') * base + carry;
      d = static_cast<char>('0' + v % 10);
      carry = v / 10;
    }
    for (; carry > 0; carry /= 10) out += static_cast<char>('0' + carry % 10);
  }
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  return {out.rbegin(), out.rend()};
}

// A typed scalar, or why the text has no JSON value.
std::variant<Scalar, std::string> resolve(const YAML::Node& n) {
  Scalar out;
  if (!n || n.IsNull()) return out;
  const std::string& text = n.Scalar();
  const std::string& tag = n.Tag();
  if (tag == "!" || tag == kStrTag) {  // quoted, block or !!str: always a string
    out.type = Scalar::Type::String;
    out.s = text;
    return out;
  }
  if (tag != "?") {
    constexpr std::string_view kCore = "tag:yaml.org,2002:";
    return "unsupported YAML tag '" +
           (tag.starts_with(kCore) ? "!!" + tag.substr(kCore.size()) : tag) + "'";
  }
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL")
    return out;
  if (text == "true" || text == "True" || text == "TRUE" || text == "false" ||
      text == "False" || text == "FALSE") {
    out.type = Scalar::Type::Bool;
    out.b = text[0] == 't' || text[0] == 'T';
    return out;
  }
  const std::string_view t = text;
  const std::string_view unsigned_ = t.substr(t[0] == '-' || t[0] == '+' ? 1 : 0);
  const bool dec = digits(unsigned_, isDigit) == unsigned_.size() && !unsigned_.empty();
  const bool oct =
      t.starts_with("0o") && t.size() > 2 && digits(t.substr(2), isOctal) == t.size() - 2;
  const bool hex = t.starts_with("0x") && t.size() > 2 &&
                   digits(t.substr(2), isHexDigit) == t.size() - 2;
  if (dec || oct || hex) {
    const int base = dec ? 10 : oct ? 8 : 16;
    const char* first = text.data() + (dec ? (text[0] == '+' ? 1 : 0) : 2);
    const char* last = text.data() + text.size();
    const auto [end, ec] = std::from_chars(first, last, out.i, base);
    if (ec == std::errc() && end == last) {
      out.type = Scalar::Type::Int;
      return out;
    }
    const std::string decimal = toDecimal(dec ? unsigned_ : t.substr(2), base);
    out.type = Scalar::Type::BigInt;
    out.s = (text[0] == '-' ? "-" : "") + decimal;
    return out;
  }
  if (isSpecialFloat(unsigned_, t)) return "'" + text + "' has no JSON value";
  if (isFloat(unsigned_)) {
    out.type = Scalar::Type::Float;
    out.d = std::strtod(text.c_str(), nullptr);
    return out;
  }
  out.type = Scalar::Type::String;
  out.s = text;
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] =
          std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// Remembers where a document starts; the rest of its events are not needed.
class DocumentStart final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& m) override { mark = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
  YAML::Mark mark;
};

}  // namespace

Documents loadDocuments(const std::string& text) {
  Documents d;
  std::istringstream in(text);
  YAML::Parser parser(in);
  int last = -1;
  for (DocumentStart h; d.count < 2 && parser.HandleNextDocument(h);) {
    if (h.mark.pos <= last) break;  // no progress: the endless empty documents
    last = h.mark.pos;
    if (++d.count == 2) d.second = h.mark;
  }
  if (d.count > 0) d.first = YAML::Load(text);
  return d;
}

SourceLoc locOf(const std::string& file, const YAML::Mark& m) {
  return {file, m.line < 0 ? 1 : m.line + 1, m.column < 0 ? 1 : m.column + 1};
}

YAML::Mark Field::valueMark() const {
  if (value.IsNull() && value.Mark().line != keyNode.Mark().line) return keyNode.Mark();
  return value.Mark();
}

const Field* Fields::find(std::string_view key) const {
  for (const auto& f : fields_)
    if (f.key == key) return &f;
  return nullptr;
}

void Reader::error(const YAML::Mark& at, std::string message) {
  out_.push_back({loc(at), std::move(message)});
}

std::optional<Fields> Reader::mapping(const YAML::Node& n, const YAML::Mark& at,
                                      std::string_view what,
                                      const std::vector<std::string_view>& allowed) {
  if (!n.IsMap()) {
    error(at, std::string(what) + " must be a mapping");
    return std::nullopt;
  }
  Fields f(n);
  std::set<std::string> seen;
  for (const auto& kv : n) {
    if (!kv.first.IsScalar()) {
      error(kv.first, "keys must be strings");
      continue;
    }
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      error(kv.first, "duplicate key " + inQuotes(key));
      continue;
    }
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      const std::string hint = closest(key, allowed);
      error(kv.first,
            "unknown key " + inQuotes(key) +
                (hint.empty() ? "" : " (did you mean " + inQuotes(hint) + "?)"));
      continue;
    }
    f.add({key, kv.first, kv.second});
  }
  return f;
}

const Field* Reader::require(const Fields& f, std::string_view key) {
  const Field* found = f.find(key);
  if (!found) error(f.node(), "missing required key " + inQuotes(key));
  return found;
}

std::optional<Scalar> Reader::scalar(const YAML::Node& n, const YAML::Mark& at,
                                     bool bigInts) {
  auto r = resolve(n);
  if (auto* why = std::get_if<std::string>(&r)) {
    error(at, *why);
    return std::nullopt;
  }
  if (std::get<Scalar>(r).type == Scalar::Type::BigInt && !bigInts) {
    error(at, "integer " + n.Scalar() + " does not fit in 64 bits");
    return std::nullopt;
  }
  return std::get<Scalar>(std::move(r));
}

std::optional<std::string> Reader::string(const YAML::Node& n, const YAML::Mark& at,
                                          std::string_view what) {
  if (n.IsScalar() || n.IsNull()) {
    auto s = scalar(n, at);
    if (!s) return std::nullopt;
    if (s->type == Scalar::Type::String) return s->s;
  }
  error(at, std::string(what) + " must be a string");
  return std::nullopt;
}

std::optional<int64_t> Reader::integer(const YAML::Node& n, const YAML::Mark& at,
                                       std::string_view what) {
  if (n.IsScalar() || n.IsNull()) {
    auto s = scalar(n, at);
    if (!s) return std::nullopt;
    if (s->type == Scalar::Type::Int) return s->i;
  }
  error(at, std::string(what) + " must be an integer");
  return std::nullopt;
}

std::optional<bool> Reader::boolean(const YAML::Node& n, const YAML::Mark& at,
                                    std::string_view what) {
  if (n.IsScalar() || n.IsNull()) {
    auto s = scalar(n, at);
    if (!s) return std::nullopt;
    if (s->type == Scalar::Type::Bool) return s->b;
  }
  error(at, std::string(what) + " must be true or false");
  return std::nullopt;
}

bool Reader::sequence(const YAML::Node& n, const YAML::Mark& at, std::string_view what) {
  if (n.IsSequence()) return true;
  error(at, std::string(what) + " must be a list");
  return false;
}

nlohmann::json Reader::toJson(const YAML::Node& n) {
  if (n.IsSequence()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& x : n) out.push_back(toJson(x));
    return out;
  }
  if (n.IsMap()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& kv : n) out[kv.first.Scalar()] = toJson(kv.second);
    return out;
  }
  const auto r = resolve(n);
  const auto* s = std::get_if<Scalar>(&r);
  if (!s) return nullptr;
  switch (s->type) {
    case Scalar::Type::Null:
      return nullptr;
    case Scalar::Type::Bool:
      return s->b;
    case Scalar::Type::Int:
      return s->i;
    case Scalar::Type::BigInt:
      return {{"$", "int"}, {"value", s->s}};
    case Scalar::Type::Float:
      return s->d;
    case Scalar::Type::String:
      return s->s;
  }
  return nullptr;
}

std::string syntaxError(const std::string& yamlCppMessage) {
  std::string out = "invalid YAML: " + yamlCppMessage;
  // yaml-cpp's ErrorMsg::MAP_VALUE: a second ": " in a plain scalar, as in
  // `description: def f(): return 1`, reads as a nested mapping.
  if (yamlCppMessage == "illegal map value")
    out += ": a plain value may not contain ': '; quote it (\"…\")";
  return out;
}

std::string inQuotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string closest(std::string_view word,
                    const std::vector<std::string_view>& candidates) {
  // Exact case first (`line` is the area `lines`), then ignoring case (`line` is LINE).
  for (const bool foldCase : {false, true}) {
    const std::string w = foldCase ? lower(word) : std::string(word);
    std::string_view best;
    size_t bestDistance = std::max<size_t>(1, std::min<size_t>(2, w.size() / 3)) + 1;
    for (const auto c : candidates) {
      const size_t d = editDistance(w, foldCase ? lower(c) : std::string(c));
      if (d < bestDistance && d < w.size()) {
        best = c;
        bestDistance = d;
      }
    }
    if (!best.empty()) return std::string(best);
  }
  return {};
}

}  // namespace monsim::harness::yaml
