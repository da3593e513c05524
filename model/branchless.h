#pragma once
// Selections that compile without a branch. In the replay hot path the conditions
// (which event comes next) are data that the branch predictor
// cannot learn, and GCC turns a plain `c ? a : b` of two loads back into a branch.
#include <cstdint>
#include <type_traits>

namespace monsim {

// c ? a : b, for integers and bools.
template <class T>
requires std::is_integral_v<T>
constexpr T choose(bool c, T a, T b) {
  if constexpr (std::is_same_v<T, bool>) {
    return (c & a) | (!c & b);
  } else {
    using U = std::make_unsigned_t<T>;
    const U mask = U(0) - U(c);
    return T(U(b) ^ ((U(a) ^ U(b)) & mask));
  }
}

}  // namespace monsim
