#pragma once
// Event sets as sys.monitoring sees them: a bit set over the version's event
// numbers (docs: "Events" — sets are formed by OR-ing the constants).
#include <bit>
#include <cstdint>

namespace monsim {

class EventSet {
 public:
  constexpr EventSet() = default;
  constexpr explicit EventSet(uint32_t bits) : bits_(bits) {}
  static constexpr EventSet bit(int n) { return EventSet(uint32_t{1} << n); }

  constexpr uint32_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool has(int n) const { return (bits_ >> n) & 1u; }
  constexpr bool contains(EventSet o) const { return (bits_ & o.bits_) == o.bits_; }
  constexpr bool intersects(EventSet o) const { return (bits_ & o.bits_) != 0; }
  constexpr int count() const { return std::popcount(bits_); }

  constexpr EventSet operator|(EventSet o) const { return EventSet(bits_ | o.bits_); }
  constexpr EventSet operator&(EventSet o) const { return EventSet(bits_ & o.bits_); }
  constexpr EventSet without(EventSet o) const { return EventSet(bits_ & ~o.bits_); }
  constexpr EventSet& operator|=(EventSet o) {
    bits_ |= o.bits_;
    return *this;
  }
  constexpr bool operator==(const EventSet&) const = default;

 private:
  uint32_t bits_ = 0;
};

}  // namespace monsim
