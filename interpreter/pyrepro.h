#pragma once
// A program scenario as a standalone Python script for bug reports: it runs
// on any Python >= 3.12 without monsim, does what the oracle does with the
// scenario (oracle/PROTOCOL.md §3, probe off) and prints one line per
// delivery to a scenario tool, in the oracle's terms:
//   tool 2 PY_START f line 1 offset 0 -> DISABLE
//   tool 2 RAISE f line 3 offset 12 ValueError -> raised KeyError
//   tool 2 JUMP f line 4 offset 30 to 8 -> None
// ("line" of LINE is its argument and "offset" the frame's f_lasti), and one
// line per step and callback action with what it returned or raised.
// Like the oracle, callables the program registers itself are wrapped (they do
// not see the script's own code, and their deliveries print too). Not
// imitated: code ids of non-program code that collide ("f@3#2"), and the
// oracle's reprs of non-plain values a callback returns.
#include <string>

#include "scenario/scenario.h"

namespace monsim::harness {

// The script for a program scenario (a script scenario has nothing to run).
std::string standalonePython(const Scenario& s);

}  // namespace monsim::harness
