#pragma once
// Model-level inputs: tool-id arguments, event-set arguments (valid and invalid:
// negative, too wide, not an int), code arguments and every API call — the legacy
// hooks (sys.settrace / sys.setprofile, the frame's trace attributes) included —,
// with the weights that make clashes between tools, events and sites likely. Used by
// the model-vs-naive property (tests/model/model_vs_naive_test.cpp).
#include <rapidcheck.h>

#include <cstdint>
#include <vector>

#include "model/input.h"

namespace monsim::gen {

// Bits that make collisions likely: PY_START, PY_RETURN, CALL, LINE, INSTRUCTION,
// BRANCH (3.12/3.13) or BRANCH_LEFT/RIGHT, RAISE, C_RETURN, C_RAISE.
inline std::vector<int> interestingBits(int eventCount) {
  if (eventCount == 17) return {0, 2, 4, 5, 6, 8, 9, 10, 15, 16};
  return {0, 2, 4, 5, 6, 8, 9, 11, 16, 17, 18};
}

inline rc::Gen<int64_t> genInterestingBit(int eventCount) {
  return rc::gen::map(rc::gen::elementOf(interestingBits(eventCount)),
                      [](int b) { return int64_t{1} << b; });
}

inline rc::Gen<PyArg> genToolArg() {
  return rc::gen::weightedOneOf<PyArg>({
      {40, rc::gen::map(rc::gen::inRange<int64_t>(0, 4),
                        [](int64_t v) { return PyArg(PyInt{v}); })},
      {5, rc::gen::map(rc::gen::inRange<int64_t>(4, 6),
                       [](int64_t v) { return PyArg(PyInt{v}); })},
      {3, rc::gen::map(rc::gen::element<int64_t>(-1, 6, 7, int64_t{1} << 40),
                       [](int64_t v) { return PyArg(PyInt{v}); })},
      {1,
       rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return PyArg(PyBool{b}); })},
      {1, rc::gen::element<PyArg>(PyStr{"a"}, PyNone{}, PyObj{"float"})},
  });
}

inline rc::Gen<PyArg> genEventSet(int eventCount) {
  const int64_t limit = int64_t{1} << eventCount;
  return rc::gen::weightedOneOf<PyArg>({
      {4, rc::gen::map(rc::gen::inRange(0, eventCount),
                       [](int b) { return PyArg(PyInt{int64_t{1} << b}); })},
      {12, rc::gen::map(genInterestingBit(eventCount),
                        [](int64_t b) { return PyArg(PyInt{b}); })},
      {12, rc::gen::map(
               rc::gen::container<std::vector<int64_t>>(3, genInterestingBit(eventCount)),
               [](const std::vector<int64_t>& bs) {
                 int64_t s = 0;
                 for (int64_t b : bs) s |= b;
                 return PyArg(PyInt{s});
               })},
      {4, rc::gen::element<PyArg>(PyInt{0}, PyInt{-1}, PyInt{limit}, PyInt{limit - 1},
                                  PyInt{0x10 | (int64_t{3} << (eventCount - 2))},
                                  PyInt{int64_t{1} << 18}, PyInt{0x20 | 0x40},
                                  PyInt{0x800})},
      {1, rc::gen::map(rc::gen::inRange<int64_t>(0, limit),
                       [](int64_t v) { return PyArg(PyInt{v}); })},
      {1, rc::gen::element<PyArg>(PyStr{"x"}, PyInt{int64_t{1} << 35})},
  });
}

inline rc::Gen<CodeArg> genCodeArg(uint32_t codes) {
  return rc::gen::weightedOneOf<CodeArg>({
      {20, rc::gen::map(rc::gen::inRange<uint32_t>(0, codes),
                        [](uint32_t c) { return CodeArg(CodeId{c}); })},
      {1, rc::gen::just(CodeArg(NotCode{"function"}))},
  });
}

// A trace or profile function (or f_trace): one of a few callables, or None.
inline constexpr uint32_t kFirstHookCallable = 60, kHookCallables = 3;
inline rc::Gen<CallableArg> genHookCallable() {
  return rc::gen::weightedOneOf<CallableArg>(
      {{3, rc::gen::map(rc::gen::inRange<uint32_t>(kFirstHookCallable,
                                                   kFirstHookCallable + kHookCallables),
                        [](uint32_t v) { return CallableArg(CallableId{v}); })},
       {1, rc::gen::just(CallableArg())}});
}

// sys.settrace, sys.setprofile and the trace attributes of the innermost frame.
inline rc::Gen<ApiCall> genHookApiCall() {
  return rc::gen::weightedOneOf<ApiCall>({
      {4, rc::gen::map(genHookCallable(),
                       [](CallableArg f) { return ApiCall(SetTrace{f}); })},
      {3, rc::gen::map(genHookCallable(),
                       [](CallableArg f) { return ApiCall(SetProfile{f}); })},
      {5, rc::gen::map(genHookCallable(),
                       [](CallableArg f) { return ApiCall(SetFrameTrace{f}); })},
      {2, rc::gen::map(rc::gen::arbitrary<bool>(),
                       [](bool on) { return ApiCall(SetFrameTraceLines{on}); })},
      {4, rc::gen::map(rc::gen::arbitrary<bool>(),
                       [](bool on) { return ApiCall(SetFrameTraceOpcodes{on}); })},
  });
}

inline rc::Gen<ApiCall> genModelApiCall(int eventCount, uint32_t codes) {
  auto callback = rc::gen::weightedOneOf<CallableArg>(
      {{4, rc::gen::map(rc::gen::inRange<uint32_t>(1, 5),
                        [](uint32_t v) { return CallableArg(CallableId{v}); })},
       {1, rc::gen::just(CallableArg())}});
  return rc::gen::weightedOneOf<ApiCall>({
      {3, rc::gen::apply(
              [](PyArg t, bool str) {
                return ApiCall(UseToolId{t, str ? PyArg(PyStr{"t"}) : PyArg(PyInt{1})});
              },
              genToolArg(),
              rc::gen::weightedOneOf<bool>(
                  {{9, rc::gen::just(true)}, {1, rc::gen::just(false)}}))},
      {1, rc::gen::map(genToolArg(), [](PyArg t) { return ApiCall(FreeToolId{t}); })},
      {1, rc::gen::map(genToolArg(), [](PyArg t) { return ApiCall(ClearToolId{t}); })},
      {1, rc::gen::map(genToolArg(), [](PyArg t) { return ApiCall(GetTool{t}); })},
      {8, rc::gen::apply(
              [](PyArg t, PyArg s) {
                return ApiCall(SetEvents{t, s});
              },
              genToolArg(), genEventSet(eventCount))},
      {1, rc::gen::map(genToolArg(), [](PyArg t) { return ApiCall(GetEvents{t}); })},
      {6, rc::gen::apply(
              [](PyArg t, CodeArg c, PyArg s) {
                return ApiCall(SetLocalEvents{t, c, s});
              },
              genToolArg(), genCodeArg(codes), genEventSet(eventCount))},
      {2, rc::gen::apply(
              [](PyArg t, CodeArg c) {
                return ApiCall(GetLocalEvents{t, c});
              },
              genToolArg(), genCodeArg(codes))},
      {2, rc::gen::apply(
              [](PyArg t, PyArg e, CallableArg f) {
                return ApiCall(RegisterCallback{t, e, f});
              },
              genToolArg(), genEventSet(eventCount), callback)},
      {10, rc::gen::apply(
               [](PyArg t, int64_t e, CallableArg f) {
                 return ApiCall(RegisterCallback{t, PyInt{e}, f});
               },
               genToolArg(), genInterestingBit(eventCount), callback)},
      {1, rc::gen::just(ApiCall(RestartEvents{}))},
      {1, rc::gen::just(ApiCall(AllEvents{}))},
      {8, genHookApiCall()},
  });
}

}  // namespace monsim::gen
