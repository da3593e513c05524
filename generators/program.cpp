// Generating programs (program.h): statement kinds weighted per focus, functions,
// and the fragment tags of a program.
#include "generators/program.h"

#include <set>

#include "generators/weighted.h"

namespace monsim::gen {
namespace {

using Kind = Stmt::Kind;

Stmt leafStmt(Kind k, int a, int b) {
  Stmt s;
  s.kind = k;
  s.a = a;
  s.b = b;
  return s;
}

rc::Gen<Stmt> genStmt(FnKind fk, int depth, Focus f);

rc::Gen<std::vector<Stmt>> genBody(FnKind fk, int depth, Focus f) {
  return upTo(3, rc::gen::lazy([=] { return genStmt(fk, depth, f); }));
}

// How much a focus (generators/focus.h) multiplies a statement kind's weight.
std::size_t boost(Focus f, Kind k) {
  switch (f) {
    case Focus::None:
      return 1;
    case Focus::Loops:  // R4, R5: loops over generators, their exits
      return k == Kind::For || k == Kind::DriveGen || k == Kind::GenRecurse     ? 4
             : k == Kind::ForOneLine || k == Kind::While || k == Kind::AsyncFor ? 2
                                                                                : 1;
    case Focus::Lines:  // R1, R8, F4: one-line bodies, lines that lose tools
      return k == Kind::OneLineDef || k == Kind::Lambda                               ? 4
             : k == Kind::WhileOneLine || k == Kind::ForOneLine || k == Kind::Closure ? 2
                                                                                      : 1;
    case Focus::Calls:  // R2: C calls and the CALL before them
      return k == Kind::Builtin || k == Kind::Method                              ? 4
             : k == Kind::Partial || k == Kind::Decorated || k == Kind::ClassBody ? 2
                                                                                  : 1;
    case Focus::Close:  // R7: generators closed or abandoned while suspended
      return k == Kind::DriveGen || k == Kind::AsyncGen || k == Kind::GenRecurse ? 4
             : k == Kind::DriveCoro || k == Kind::Yield                          ? 2
                                                                                 : 1;
    case Focus::Branches:  // R3, R5, R6: conditional jumps and loop exits
      return k == Kind::If || k == Kind::Match || k == Kind::While               ? 4
             : k == Kind::For || k == Kind::Comprehension || k == Kind::AsyncFor ? 2
                                                                                 : 1;
  }
  return 1;
}

rc::Gen<Stmt> genStmt(FnKind fk, int depth, Focus f) {
  namespace g = rc::gen;
  auto simple = [](Kind k) {
    return g::apply([k](int a, int b) { return leafStmt(k, a, b); }, g::inRange(0, 8),
                    g::inRange(0, 4));
  };
  auto compound = [=](Kind k, bool withElse) {
    return g::apply(
        [k](int a, std::vector<Stmt> b, std::vector<Stmt> e) {
          Stmt s = leafStmt(k, a, 0);
          s.body = std::move(b);
          s.orelse = std::move(e);
          return s;
        },
        g::inRange(0, 8), genBody(fk, depth - 1, f),
        withElse ? genBody(fk, depth - 1, f) : g::just(std::vector<Stmt>{}));
  };
  std::vector<std::pair<std::size_t, rc::Gen<Stmt>>> c;
  auto add = [&](std::size_t w, Kind k, rc::Gen<Stmt> gen) {
    c.push_back({w * boost(f, k), std::move(gen)});
  };
  for (auto [w, k] :
       std::initializer_list<std::pair<std::size_t, Kind>>{{10, Kind::Call},
                                                           {6, Kind::Builtin},
                                                           {5, Kind::Method},
                                                           {2, Kind::Partial},
                                                           {2, Kind::Lambda},
                                                           {2, Kind::OneLineDef},
                                                           {2, Kind::ForOneLine},
                                                           {2, Kind::WhileOneLine},
                                                           {3, Kind::Comprehension},
                                                           {2, Kind::Raise},
                                                           {2, Kind::Reraise},
                                                           {2, Kind::Recurse},
                                                           {4, Kind::DriveGen},
                                                           {2, Kind::DriveCoro},
                                                           {2, Kind::Closure},
                                                           {2, Kind::Decorated},
                                                           {2, Kind::ClassBody},
                                                           {2, Kind::AsyncGen},
                                                           {2, Kind::GenRecurse}})
    add(w, k, simple(k));
  if (fk == FnKind::Generator) {
    add(6, Kind::Yield, simple(Kind::Yield));
    add(2, Kind::YieldFrom, simple(Kind::YieldFrom));
  }
  if (fk == FnKind::Coroutine) add(6, Kind::Await, simple(Kind::Await));
  if (fk == FnKind::Coroutine && depth > 0)
    add(3, Kind::AsyncFor, compound(Kind::AsyncFor, false));
  if (depth > 0) {
    add(4, Kind::For, compound(Kind::For, false));
    add(2, Kind::While, compound(Kind::While, false));
    add(4, Kind::If, compound(Kind::If, true));
    add(4, Kind::TryExcept, compound(Kind::TryExcept, true));
    add(2, Kind::TryFinally, compound(Kind::TryFinally, true));
    add(2, Kind::With, compound(Kind::With, false));
    add(2, Kind::ExceptStar, compound(Kind::ExceptStar, true));
    add(2, Kind::Match, compound(Kind::Match, true));
    add(2, Kind::NestedWith, compound(Kind::NestedWith, false));
  }
  return weightedOneOf(std::move(c));
}

rc::Gen<Function> genFunction(Focus f) {
  namespace g = rc::gen;
  // Loops and Close want generators; Calls and Lines plain functions.
  const std::size_t gens = f == Focus::Loops || f == Focus::Close ? 5 : 2;
  return g::mapcat(
      g::weightedElement<FnKind>(
          {{6, FnKind::Plain}, {gens, FnKind::Generator}, {1, FnKind::Coroutine}}),
      [f](FnKind k) {
        return g::apply(
            [k](bool oneLine, std::vector<Stmt> body) {
              // oneLine: a one-line plain function, or a generator that returns n
              return Function{k, k == FnKind::Plain && oneLine,
                              k == FnKind::Generator && oneLine, std::move(body)};
            },
            g::weightedElement<bool>({{7, false}, {2, true}}), upTo(4, genStmt(k, 2, f)));
      });
}

void tag(const std::vector<Stmt>& stmts, std::set<std::string>& out) {
  static const char* names[] = {
      "call",         "builtin",       "method",        "partial",     "lambda",
      "one-line-def", "for",           "for-1line",     "while",       "while-1line",
      "if",           "comprehension", "try-except",    "try-finally", "with",
      "raise",        "reraise",       "recursion",     "drive-gen",   "drive-coro",
      "yield",        "yield-from",    "await",         "closure",     "decorator",
      "class-body",   "async-gen",     "gen-recursion", "except-star", "match",
      "nested-with",  "async-for"};
  for (const Stmt& s : stmts) {
    out.insert(names[static_cast<int>(s.kind)]);
    if (s.kind == Kind::DriveGen && s.a % 8 == 6) out.insert("for-over-returning-gen");
    tag(s.body, out);
    tag(s.orelse, out);
  }
}

}  // namespace

rc::Gen<Program> genProgram(Focus f) {
  return rc::gen::map(upTo(4, genFunction(f)),
                      [](std::vector<Function> fns) { return Program{std::move(fns)}; });
}

std::vector<std::string> programTags(const Program& p) {
  std::set<std::string> out;
  for (const Function& f : p.fns) {
    if (f.returns) out.insert("fn-generator-returns");
    out.insert(f.kind == FnKind::Plain       ? (f.oneLine ? "fn-one-line" : "fn-plain")
               : f.kind == FnKind::Generator ? "fn-generator"
                                             : "fn-coroutine");
    tag(f.body, out);
  }
  return {out.begin(), out.end()};
}

}  // namespace monsim::gen
