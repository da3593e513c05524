#pragma once
// Consistency checks of the spec tables as the model sees them (what `./run
// check` runs before there is a suite): each returned string is one problem.
#include <string>
#include <vector>

namespace monsim {

std::vector<std::string> selfCheck();

}  // namespace monsim
