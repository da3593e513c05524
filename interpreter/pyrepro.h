#pragma once
// A program scenario as a standalone Python script for bug reports: it runs
// on any Python >= 3.12 without monsim (>= 3.9, PyPy included, when the scenario
// needs only the legacy hooks: no tools and no sys.monitoring), does what the
// oracle does with the scenario (oracle/PROTOCOL.md §3, probe off) and prints
// one line per delivery to a scenario tool, in the oracle's terms:
//   tool 2 PY_START f line 1 offset 0 -> DISABLE
//   tool 2 RAISE f line 3 offset 12 ValueError -> raised KeyError
//   tool 2 JUMP f line 4 offset 30 to 8 -> None
// ("line" of LINE is its argument and "offset" the frame's f_lasti), one line
// per call of a trace or profile function (`legacy` records; "line" and
// "offset" are the frame's f_lineno and f_lasti, 'exception' adds the
// exception's type, c_call/c_return/c_exception the callable's short repr, and
// a trace function returned shows as its label):
//   trace call f line 1 offset 0 -> trace:L
//   trace exception f line 3 offset 14 KeyError -> raised ValueError
//   profile c_call f line 2 offset 10 <built-in function len> -> None
//   trace line g line 7 offset 2 -> trace:<tr>        (the program's tr)
// one line per sys.settrace / sys.setprofile and frame f_trace, f_trace_lines,
// f_trace_opcodes assignment (their `api` records; "by program" adds the
// calling function and line):
//   hook settrace(trace:T) by step -> None
//   hook f_trace_lines(False) by callback -> None
//   hook setprofile(profile:<prof>) by program f line 4 -> None
// and one line per step and callback action with what it returned or raised.
// Like the oracle, callables the program registers itself are wrapped (they do
// not see the script's own code, and their deliveries print too), and so are
// the trace and profile functions it installs (the program's sys.settrace,
// sys.setprofile, sys.gettrace and sys.getprofile are shims, and then so are the
// sys.monitoring functions, so that calling one is no C call to a profile
// function). Not imitated: code ids of non-program code that collide
// ("f@3#2"), and the oracle's reprs of non-plain values a callback returns.
#include <string>

#include "scenario/scenario.h"

namespace monsim::harness {

// The script for a program scenario (a script scenario has nothing to run).
std::string standalonePython(const Scenario& s);

}  // namespace monsim::harness
