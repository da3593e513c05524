#pragma once
// Shared fixtures for the model tests: a scripted callback policy, a recording
// sink, and short constructors for inputs.
#include <functional>
#include <string>
#include <vector>

#include "model/monitor.h"

namespace monsim::testing {

struct Recorded {
  int tool;
  Event event;
  uint32_t code;
  int32_t offset;
  int32_t aux;
  uint32_t callable;
  CallbackResult result;
  std::vector<Outcome> effects;
};

class RecordingSink final : public DeliverySink {
 public:
  void onDelivery(const Delivery& d) override {
    Recorded r{d.tool.value, d.event,          d.code.value, d.offset,
               d.aux,        d.callable.value, d.result,     {}};
    for (const EffectRecord& e : d.effects) r.effects.push_back(e.outcome);
    log.push_back(std::move(r));
  }
  std::vector<int> tools() const {
    std::vector<int> out;
    for (const auto& r : log) out.push_back(r.tool);
    return out;
  }
  std::vector<Recorded> log;
};

// Decides per delivery; by default every callback returns None.
class ScriptedPolicy final : public CallbackPolicy {
 public:
  struct Reply {
    bool disable = false;
    std::string raiseType;
    std::vector<ApiCall> calls;
  };
  std::function<Reply(const Delivery&)> decide = [](const Delivery&) { return Reply{}; };

  CallbackAction onCallback(const Delivery& d) override {
    last_ = decide(d);
    CallbackAction a;
    a.disable = last_.disable;
    a.raiseType = last_.raiseType;
    a.calls = last_.calls;
    return a;
  }

 private:
  Reply last_;
};

// Drives a Monitor with short helpers; Python-level names, ints as arguments.
class Harness {
 public:
  explicit Harness(PyVersion v) : m(v) {}

  Outcome api(ApiCall c) { return m.step(Input{std::move(c)}, policy, sink); }
  Outcome use(int t, std::string name = "tool") {
    return api(UseToolId{pyInt(t), PyStr{name}});
  }
  Outcome setEvents(int t, int64_t set) { return api(SetEvents{pyInt(t), pyInt(set)}); }
  Outcome setLocal(int t, uint32_t code, int64_t set) {
    return api(SetLocalEvents{pyInt(t), CodeId{code}, pyInt(set)});
  }
  Outcome getLocal(int t, uint32_t code) {
    return api(GetLocalEvents{pyInt(t), CodeId{code}});
  }
  Outcome reg(int t, int64_t event, std::optional<uint32_t> f) {
    CallableArg func;
    if (f) func = CallableId{*f};
    return api(RegisterCallback{pyInt(t), pyInt(event), func});
  }
  Outcome enter(uint32_t code) {
    return m.step(Input{FrameEnter{CodeId{code}}}, policy, sink);
  }
  Outcome exit(uint32_t code) {
    return m.step(Input{FrameExit{CodeId{code}}}, policy, sink);
  }
  Outcome fire(Event e, uint32_t code, int32_t offset, int32_t aux = 0,
               std::string_view exc = {}) {
    return m.step(Input{Occurrence{e, CodeId{code}, offset, aux, exc}}, policy, sink);
  }
  // Bit value of an event in this version.
  int64_t ev(Event e) const { return int64_t{1} << m.profile().bitOf(e); }
  // Number of deliveries of `e` at (code, offset) when it fires now.
  size_t count(Event e, uint32_t code, int32_t offset) {
    const size_t before = sink.log.size();
    fire(e, code, offset);
    return sink.log.size() - before;
  }

  Monitor m;
  ScriptedPolicy policy;
  RecordingSink sink;
};

inline PyError errorOf(const Outcome& o) {
  if (const auto* e = std::get_if<PyError>(&o)) return *e;
  return PyError{"<none>", ""};
}
inline int64_t intOf(const Outcome& o) {
  if (const auto* i = std::get_if<IntValue>(&o)) return i->value;
  return -999;
}
inline PyError err(std::string type, std::string msg) {
  return PyError{std::move(type), std::move(msg)};
}

inline constexpr PyVersion kAllVersions[] = {PyVersion::V3_12, PyVersion::V3_13,
                                             PyVersion::V3_14, PyVersion::V3_15};

}  // namespace monsim::testing
