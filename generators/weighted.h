#pragma once
// Weighted choice over a list built at run time (RapidCheck's weightedOneOf and
// weightedElement take only initializer lists). Shrinks toward the first choice.
#include <rapidcheck.h>

#include <utility>
#include <vector>

namespace monsim::gen {

template <typename T>
rc::Gen<T> weightedOneOf(std::vector<std::pair<std::size_t, rc::Gen<T>>> choices) {
  std::size_t total = 0;
  for (const auto& c : choices) total += c.first;
  // inRange scales with size: pin it so a resized container still picks fairly.
  return rc::gen::mapcat(
      rc::gen::resize(rc::kNominalSize, rc::gen::inRange<std::size_t>(0, total)),
      [choices = std::move(choices)](std::size_t r) {
        for (const auto& [w, g] : choices) {
          if (r < w) return g;
          r -= w;
        }
        return choices.back().second;
      });
}

template <typename T>
rc::Gen<T> weightedElement(const std::vector<std::pair<std::size_t, T>>& choices) {
  std::vector<std::pair<std::size_t, rc::Gen<T>>> gens;
  for (const auto& [w, v] : choices) gens.push_back({w, rc::gen::just(v)});
  return weightedOneOf(std::move(gens));
}

// 0..most elements (nonEmpty: 1..most) that shrink by removal; the elements are
// generated at the nominal size, whatever the container's length limit.
template <typename T>
rc::Gen<std::vector<T>> upTo(int most, rc::Gen<T> elem, bool nonEmpty = false) {
  auto c = rc::gen::container<std::vector<T>>(
      rc::gen::resize(rc::kNominalSize, std::move(elem)));
  return rc::gen::resize(most, nonEmpty ? rc::gen::nonEmpty(std::move(c)) : std::move(c));
}

}  // namespace monsim::gen
