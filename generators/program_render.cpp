// Rendering a generated program as Python source: a fixed prelude of helpers, then
// f0..fN with their statement trees (program.h).
#include <algorithm>
#include <cctype>
#include <sstream>
#include <string_view>

#include "generators/program.h"

namespace monsim::gen {
namespace {

using Kind = Stmt::Kind;

// Helpers a program may use: C functions, classes, partials, recursion, generators
// and an awaitable. A program defines only those it uses (and what they use): its
// module body is not monitored, but compiling, describing (the code table of every
// run lists every code object) and defining the rest cost a fuzz case more than its
// runs. No library Python code runs (functools.wraps, say): its code objects keep their
// instrumentation from one run to the next in a worker, which the model does not
// follow (behaviour §11.2, code objects that outlive a run).
constexpr const char* kPrelude = R"(import functools
class Box:
    def __init__(self, v):
        self.v = v
    def get(self):
        return self.v
    def twice(self):
        return self.get() * 2
    @classmethod
    def make(cls, v):
        return cls(v)
class Ctx:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
class Quiet:
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return True
class Pause:
    def __await__(self):
        v = yield 1
        return v
def leaf(x):
    return x + 1
def rec(k):
    if k <= 0:
        return 0
    return rec(k - 1) + 1
def gen_leaf(k):
    for i in range(k):
        yield i
def gen_outer(k):
    r = yield from gen_leaf(k)
    yield r
def gen_echo():
    x = 0
    while True:
        try:
            x = yield x
        except KeyError:
            x = -1
def gen_ret(k):
    yield k
    return k
def gen_rec(k):
    if k > 0:
        yield from gen_rec(k - 1)
    yield k
def deco(fn):
    def wrapper(*a):
        return fn(*a)
    wrapper.__wrapped__ = fn
    return wrapper
async def agen(k):
    for i in range(k):
        yield i
        await Pause()
def run_async(aw):
    try:
        while True:
            aw.send(None)
    except StopIteration as e:
        return e.value
    except StopAsyncIteration:
        return None
async def coro_leaf(k=1):
    v = await Pause()
    return v
async def coro_outer(k=1):
    a = await coro_leaf(k)
    return a
)";

class Renderer {
 public:
  explicit Renderer(const Program& p) : p_(p) {}

  RenderedProgram run() {
    RenderedProgram r;
    line_ = 1;
    std::vector<Function> fns = p_.fns;
    if (fns.empty()) fns.push_back(Function{});
    fns_ = &fns;
    for (size_t k = 0; k < fns.size(); ++k) {
      cur_ = static_cast<int>(k);
      const Function& f = fns[k];
      r.names.push_back("f" + std::to_string(k));
      r.kinds.push_back(f.kind);
      r.firstLines.push_back(line_);
      renderFunction(f);
    }
    const std::string body = out_.str();
    const std::string prelude = preludeFor(body);
    const int preludeLines =
        static_cast<int>(std::count(prelude.begin(), prelude.end(), '\n'));
    for (int& l : r.firstLines) l += preludeLines;
    r.source = prelude + body;
    r.lines = preludeLines + line_ - 1;
    return r;
  }

 private:
  // Whether `text` names `name` (an identifier, not part of a longer one).
  static bool names(const std::string& text, std::string_view name) {
    auto ident = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    };
    for (size_t p = text.find(name); p != std::string::npos; p = text.find(name, p + 1))
      if ((p == 0 || !ident(text[p - 1])) &&
          (p + name.size() == text.size() || !ident(text[p + name.size()])))
        return true;
    return false;
  }

  // The prelude's helpers `body` names, with the helpers they name, in prelude order.
  static std::string preludeFor(const std::string& body) {
    // The prelude's top-level statements and the name each defines.
    std::vector<std::pair<std::string, std::string>> helpers;
    const std::string all = kPrelude;
    for (size_t p = 0; p < all.size();) {
      size_t end = p;
      do end = all.find('\n', end) + 1;
      while (end < all.size() && (all[end] == ' '));
      const std::string text = all.substr(p, end - p);
      // "import functools", "class Box:", "def leaf(x):", "async def agen(k):"
      std::string head = text.substr(0, text.find('\n'));
      if (head.rfind("async ", 0) == 0) head = head.substr(6);
      const size_t at = head.find(' ') + 1;
      helpers.emplace_back(head.substr(at, head.find_first_of(":(", at) - at), text);
      p = end;
    }
    std::vector<bool> used(helpers.size());
    std::vector<const std::string*> todo{&body};
    while (!todo.empty()) {
      const std::string* text = todo.back();
      todo.pop_back();
      for (size_t k = 0; k < helpers.size(); ++k)
        if (!used[k] && names(*text, helpers[k].first)) {
          used[k] = true;
          todo.push_back(&helpers[k].second);
        }
    }
    std::string out;
    for (size_t k = 0; k < helpers.size(); ++k)
      if (used[k]) out += helpers[k].second;
    return out;
  }

  void emit(int indent, const std::string& text) {
    out_ << std::string(indent * 4, ' ') << text << '\n';
    ++line_;
  }
  std::string fresh(const char* stem) { return stem + std::to_string(++vars_); }

  // The name of an earlier function of kind `k` picked by `b`, or "".
  std::string earlier(FnKind k, int b) const {
    std::vector<int> c;
    for (int j = 0; j < cur_; ++j)
      if ((*fns_)[j].kind == k) c.push_back(j);
    if (c.empty()) return "";
    return "f" + std::to_string(c[static_cast<size_t>(b) % c.size()]);
  }

  void renderFunction(const Function& f) {
    const std::string name = "f" + std::to_string(cur_);
    if (f.kind == FnKind::Plain && f.oneLine) {
      const std::string callee = earlier(FnKind::Plain, 0);
      emit(0, "def " + name + "(n=1): return " + (callee.empty() ? "leaf" : callee) +
                  "(n) + 1");
      return;
    }
    emit(0, std::string(f.kind == FnKind::Coroutine ? "async " : "") + "def " + name +
                "(n=1):");
    hasYield_ = false;
    body(1, f.body);
    if (f.kind == FnKind::Generator && !hasYield_) emit(1, "yield n");
    if (f.kind == FnKind::Generator && f.returns) emit(1, "return n");
    if (f.kind == FnKind::Plain) emit(1, "return n");
  }

  void body(int indent, const std::vector<Stmt>& stmts) {
    if (stmts.empty()) emit(indent, "x = n");
    for (const Stmt& s : stmts) stmt(indent, s);
  }

  // Guards a generator/coroutine drive against running off its end.
  void guarded(int in, const std::vector<std::string>& lines, const std::string& excs) {
    emit(in, "try:");
    for (const auto& l : lines) emit(in + 1, l);
    emit(in, "except " + excs + ":");
    emit(in + 1, "pass");
  }

  void stmt(int in, const Stmt& s) {
    const int a = s.a < 0 ? -s.a : s.a;
    const std::string A = std::to_string(a);
    const std::string small = std::to_string(a % 3 + 1);
    switch (s.kind) {
      case Kind::Call: {
        const std::string callee = earlier(FnKind::Plain, s.b);
        emit(in, "x = " + (callee.empty() ? "leaf" : callee) + "(n)");
        break;
      }
      case Kind::Builtin: {
        static const char* forms[] = {"x = len([n, {A}])",      "x = abs(-{A})",
                                      "x = max(n, {A})",        "x = sorted([{A}, n, 1])",
                                      "x = isinstance(n, int)", "x = str(n)",
                                      "x = sum([n, {A}])",      "x = int('{A}x')"};
        std::string t = forms[a % 8];
        replaceAll(t, "{A}", A);
        emit(in, t);
        break;
      }
      case Kind::Method: {
        static const char* forms[] = {"x = Box(n).get()",        "x = [].append(n)",
                                      "x = 'ab'.upper()",        "x = {1: n}.get(1)",
                                      "x = Box.make(n).twice()", "x = Box(n)"};
        emit(in, forms[a % 6]);
        break;
      }
      case Kind::Partial:
        emit(in, "x = functools.partial(leaf, " + A + ")()");
        break;
      case Kind::Lambda:
        emit(in, "x = (lambda v: v + " + A + ")(n)");
        break;
      case Kind::OneLineDef: {
        const std::string h = fresh("h");
        emit(in, "def " + h + "(v): return v + " + A);
        emit(in, "x = " + h + "(n)");
        break;
      }
      case Kind::For: {
        const std::string i = fresh("i");
        emit(in, "for " + i + " in range(" + small + "):");
        body(in + 1, s.body);
        break;
      }
      case Kind::ForOneLine: {
        const std::string i = fresh("i");
        emit(in, "for " + i + " in range(" + small + "): x = leaf(" + i + ")");
        break;
      }
      case Kind::While: {
        const std::string k = fresh("k");
        emit(in, k + " = " + small);
        emit(in, "while " + k + " > 0:");
        emit(in + 1, k + " -= 1");
        for (const Stmt& c : s.body) stmt(in + 1, c);
        break;
      }
      case Kind::WhileOneLine: {
        const std::string k = fresh("k");
        emit(in, k + " = 0");
        emit(in, "while " + k + " < " + small + ": " + k + " += 1");
        break;
      }
      case Kind::If:
        emit(in, "if n > " + std::to_string(a % 3) + ":");
        body(in + 1, s.body);
        if (!s.orelse.empty()) {
          emit(in, "else:");
          body(in + 1, s.orelse);
        }
        break;
      case Kind::Comprehension: {
        static const char* forms[] = {
            "x = [leaf(i) for i in range({S})]", "x = {i for i in range(n) if i % 2}",
            "x = {i: i * 2 for i in range({S})}", "x = sum(i for i in range({S}))"};
        std::string t = forms[a % 4];
        replaceAll(t, "{S}", small);
        emit(in, t);
        break;
      }
      case Kind::TryExcept:
        emit(in, "try:");
        body(in + 1, s.body);
        emit(in, "except (ValueError, KeyError):");
        body(in + 1, s.orelse);
        break;
      case Kind::TryFinally:
        emit(in, "try:");
        body(in + 1, s.body);
        emit(in, "finally:");
        body(in + 1, s.orelse);
        break;
      case Kind::With:
        emit(in, a % 2 ? "with Quiet():" : "with Ctx():");
        body(in + 1, s.body);
        break;
      case Kind::Raise:
        emit(in, a % 2 ? "raise KeyError('k')" : "raise ValueError(" + A + ")");
        break;
      case Kind::Reraise:
        emit(in, "try:");
        emit(in + 1, "raise KeyError(" + A + ")");
        emit(in, "except KeyError:");
        emit(in + 1, "raise");
        break;
      case Kind::Recurse:
        emit(in, "x = rec(" + std::to_string(a % 4) + ")");
        break;
      case Kind::DriveGen:
        driveGen(in, a % 8, s.b);
        break;
      case Kind::DriveCoro:
        driveCoro(in, a % 3, s.b);
        break;
      case Kind::Yield:
        hasYield_ = true;
        emit(in, a % 2 ? "x = yield n" : "yield " + A);
        break;
      case Kind::YieldFrom: {
        hasYield_ = true;
        const std::string g = earlier(FnKind::Generator, s.b);
        emit(in, "x = yield from " + (g.empty() ? "gen_leaf(" + small + ")" : g + "(n)"));
        break;
      }
      case Kind::Await: {
        const std::string c = earlier(FnKind::Coroutine, s.b);
        static const char* forms[] = {"x = await Pause()", "x = await coro_leaf()"};
        emit(in, c.empty() || a % 3 != 2 ? std::string(forms[a % 2])
                                         : "x = await " + c + "(n)");
        break;
      }
      case Kind::Closure: {
        const std::string mk = fresh("mk");
        emit(in, "def " + mk + "(v):");
        if (a % 2) {
          emit(in + 1, "def inner(w):");
          emit(in + 2, "nonlocal v");
          emit(in + 2, "v += w");
          emit(in + 2, "return v");
        } else {
          emit(in + 1, "def inner(w):");
          emit(in + 2, "return leaf(v + w)");
        }
        emit(in + 1, "return inner");
        emit(in, "x = " + mk + "(n)(" + A + ")");
        break;
      }
      case Kind::Decorated: {
        const std::string d = fresh("d");
        // A C decorator or the prelude's own: functools.lru_cache is library Python code.
        emit(in, a % 2 ? "@staticmethod" : "@deco");
        emit(in, "def " + d + "(v):");
        emit(in + 1, "return leaf(v)");
        emit(in, "x = " + d + "(n) + " + d + "(n)");
        break;
      }
      case Kind::ClassBody: {
        const std::string k = fresh("K");
        emit(in, "class " + k + ":");
        emit(in + 1, "y = leaf(n)");
        emit(in + 1, "def m(self):");
        emit(in + 2, "return self.y + " + A);
        emit(in, "x = " + k + "().m()");
        break;
      }
      case Kind::AsyncGen: {
        const std::string g = fresh("ag");
        emit(in, g + " = agen(" + small + ")");
        emit(in, "x = run_async(" + g + ".__anext__())");
        if (a % 3 == 0) emit(in, "x = run_async(" + g + ".__anext__())");
        if (a % 3 == 1) emit(in, "x = run_async(" + g + ".aclose())");
        if (a % 3 == 2) emit(in, "del " + g);  // abandoned while suspended
        break;
      }
      case Kind::GenRecurse: {
        const std::string g = fresh("g");
        const std::string depth = std::to_string(a % 3 + 1);
        if (a % 3 == 0) {
          emit(in, "x = list(gen_rec(" + depth + "))");
        } else if (a % 3 == 1) {
          emit(in, "for v in gen_rec(" + depth + "):");
          emit(in + 1, "x = v");
        } else {
          emit(in, g + " = gen_rec(" + depth + ")");
          emit(in, "x = next(" + g + ")");
          emit(in, g + ".close()");
        }
        break;
      }
      case Kind::ExceptStar:
        emit(in, "try:");
        body(in + 1, s.body);
        emit(in + 1, "raise ExceptionGroup('g', [ValueError(" + A + "), KeyError(1)])");
        emit(in, "except* ValueError:");
        body(in + 1, s.orelse);
        emit(in, "except* KeyError:");
        emit(in + 1, "x = n");
        break;
      case Kind::Match:
        if (a % 2) {
          emit(in, "match Box(n % 3):");
          emit(in + 1, "case Box(v=0):");
          body(in + 2, s.body);
          emit(in + 1, "case Box(v=w) if w > " + std::to_string(a % 3) + ":");
        } else {
          emit(in, "match n % 3:");
          emit(in + 1, "case 0:");
          body(in + 2, s.body);
          emit(in + 1, "case 1 | 2 if n > " + std::to_string(a % 3) + ":");
        }
        body(in + 2, s.orelse);
        emit(in + 1, "case _:");
        emit(in + 2, "x = n");
        break;
      case Kind::NestedWith:
        if (a % 2) {
          emit(in, "with Ctx() as c, Quiet():");
          body(in + 1, s.body);
        } else {
          emit(in, "with Ctx():");
          emit(in + 1, "with Quiet():");
          body(in + 2, s.body);
        }
        break;
      case Kind::AsyncFor:
        emit(in, "async for v in agen(" + small + "):");
        body(in + 1, s.body);
        break;
    }
  }

  void driveGen(int in, int mode, int b) {
    const std::string mine = earlier(FnKind::Generator, b);
    const std::string g = fresh("g");
    const std::string finite = mine.empty() ? "gen_outer(2)" : mine + "(2)";
    const std::string open = mine.empty() ? "gen_echo()" : mine + "(2)";
    switch (mode) {
      case 0:
        emit(in, "x = list(" + finite + ")");
        break;
      case 1:
        emit(in, "for v in " + finite + ":");
        emit(in + 1, "x = v");
        break;
      case 2:
        emit(in, g + " = " + open);
        guarded(in, {"next(" + g + ")", g + ".send(5)"}, "StopIteration");
        break;
      case 3:
        emit(in, g + " = " + open);
        guarded(in, {"next(" + g + ")", g + ".throw(KeyError('t'))"},
                "(KeyError, StopIteration)");
        break;
      case 4:
        emit(in, g + " = " + open);
        guarded(in, {"next(" + g + ")"}, "StopIteration");
        emit(in, g + ".close()");
        break;
      case 6:  // R4: a loop over a generator that returns a value
        emit(in, "for v in " + (mine.empty() ? "gen_ret(2)" : mine + "(2)") + ":");
        emit(in + 1, "x = v");
        break;
      default:  // abandoned: finalized when the last reference goes
        emit(in, g + " = " + open);
        guarded(in, {"next(" + g + ")"}, "StopIteration");
        emit(in, "del " + g);
        break;
    }
  }

  void driveCoro(int in, int mode, int b) {
    const std::string mine = earlier(FnKind::Coroutine, b);
    const std::string c = fresh("c");
    emit(in, c + " = " + (mine.empty() ? "coro_outer" : mine) + "(2)");
    switch (mode) {
      case 0:
        emit(in, "try:");
        emit(in + 1, "while True:");
        emit(in + 2, c + ".send(None)");
        emit(in, "except StopIteration as e:");
        emit(in + 1, "x = e.value");
        break;
      case 1:
        guarded(in, {c + ".send(None)", c + ".throw(ValueError('t'))"},
                "(ValueError, StopIteration)");
        break;
      default:
        guarded(in, {c + ".send(None)"}, "StopIteration");
        emit(in, c + ".close()");
        break;
    }
  }

  static void replaceAll(std::string& s, const std::string& from, const std::string& to) {
    for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
      s.replace(p, from.size(), to);
  }

  const Program& p_;
  const std::vector<Function>* fns_ = nullptr;
  std::ostringstream out_;
  int line_ = 1, cur_ = 0, vars_ = 0;
  bool hasYield_ = false;
};

}  // namespace

RenderedProgram renderProgram(const Program& p) { return Renderer(p).run(); }

}  // namespace monsim::gen
