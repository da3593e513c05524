#pragma once
// Python programs built from fragments: a fixed prelude of small helpers plus
// generated top-level functions f0..fN whose bodies are statement trees. A function
// only refers to functions defined before it, so every program terminates; every
// reference is resolved modulo what exists when rendering, so a shrunk program
// (functions or statements removed) still renders to valid Python.
#include <rapidcheck.h>

#include <cstdint>
#include <string>
#include <vector>

#include "generators/focus.h"

namespace monsim::gen {

enum class FnKind : uint8_t { Plain, Generator, Coroutine };

struct Stmt {
  enum class Kind : uint8_t {
    Call,           // x = f<b>(n) / leaf(n)
    Builtin,        // a call of a C function (variant a)
    Method,         // bound methods of builtins and of a class; class instantiation
    Partial,        // functools.partial(leaf, a)()
    Lambda,         // (lambda v: v + a)(n)
    OneLineDef,     // def h(v): return v + a   then h(n)
    For,            // multi-line for
    ForOneLine,     // for i in range(a): x = leaf(i)
    While,          // counted while
    WhileOneLine,   // while k < a: k += 1
    If,             // if n > a: body else: orelse
    Comprehension,  // list/set/dict comprehension or generator expression (variant a)
    TryExcept,      // try: body except (ValueError, KeyError): orelse
    TryFinally,     // try: body finally: orelse
    With,           // with Ctx() / with Quiet() (suppresses)
    Raise,          // raise ValueError(a)
    Reraise,        // try: raise KeyError except KeyError: raise
    Recurse,        // rec(a)
    DriveGen,    // drive a generator function (mode a): list/for/send/throw/close/abandon
    DriveCoro,   // drive a coroutine by hand (mode a): to completion/throw/close
    Yield,       // generator functions only
    YieldFrom,   // generator functions only
    Await,       // coroutine functions only
    Closure,     // a nested def over n (variant a: plain, nonlocal counter), called
    Decorated,   // a def under the prelude's Python decorator or staticmethod (C), called
    ClassBody,   // a class statement whose body runs code, then a method call
    AsyncGen,    // an async generator driven by hand (mode a): async for / step / aclose
    GenRecurse,  // recursion through generators: gen_rec(a) drained, looped or abandoned
    ExceptStar,  // try: body; raise ExceptionGroup except* ValueError: orelse
    Match,       // match on a value or a Box pattern: body, orelse, wildcard
    NestedWith,  // with Ctx() as c, Quiet(): / two nested with statements
    AsyncFor,    // coroutine functions only: async for over an async generator
  };
  Kind kind = Kind::Call;
  int a = 0;  // constant or variant
  int b = 0;  // a function reference (index, resolved modulo)
  std::vector<Stmt> body, orelse;
};

struct Function {
  FnKind kind = FnKind::Plain;
  bool oneLine = false;  // `def f(n=0): return …` (plain functions only)
  bool returns = false;  // generators: `return n` at the end (a StopIteration value)
  std::vector<Stmt> body;
};

struct Program {
  std::vector<Function> fns;
};

struct RenderedProgram {
  std::string source;
  std::vector<std::string> names;  // "f0".."fN"
  std::vector<FnKind> kinds;
  std::vector<int> firstLines;  // per function
  int lines = 0;                // of the whole source
};

RenderedProgram renderProgram(const Program& p);

// `f` biases the fragments toward some model rules (generators/focus.h).
rc::Gen<Program> genProgram(Focus f = Focus::None);

// Names of the fragments a program uses (for RC_CLASSIFY and campaign statistics).
std::vector<std::string> programTags(const Program& p);

}  // namespace monsim::gen
