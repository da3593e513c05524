#include "check/probe_effect.h"

#include <algorithm>
#include <map>

namespace monsim::harness {

namespace {

using Key = std::pair<size_t, int>;  // (record, tool)

std::map<Key, const PredictedDelivery*> byKey(const Prediction& p) {
  std::map<Key, const PredictedDelivery*> m;
  for (const PredictedDelivery& d : p.deliveries) m.emplace(Key{d.record, d.tool}, &d);
  return m;
}

Reason reasonAt(const Prediction& p, size_t record, int tool) {
  const auto* r = p.reasonsAt(record);
  return r && tool >= 0 && tool < 6 ? (*r)[tool] : Reason::NotSet;
}

}  // namespace

ProbeComparison compareProbeRuns(const Prediction& withProbe, const Prediction& alone) {
  const auto a = byKey(withProbe), b = byKey(alone);
  ProbeComparison out;
  auto split = [&](const auto& one, const auto& other) {
    for (const auto& [key, d] : one) {
      if (!d->raises || key.first >= out.split) continue;
      auto it = other.find(key);
      if (it == other.end() || !it->second->raises) out.split = key.first;
    }
  };
  split(a, b);
  split(b, a);
  std::map<Key, ProbeEffect> effects;
  auto note = [&](const Key& k, const PredictedDelivery* pa,
                  const PredictedDelivery* pb) {
    if (k.first > out.split) return;
    if (pa && pb && pa->result == pb->result && pa->offset == pb->offset &&
        pa->aux == pb->aux && pa->event == pb->event)
      return;
    ProbeEffect e;
    const PredictedDelivery& d = pa ? *pa : *pb;
    e.record = k.first;
    e.tool = k.second;
    e.event = d.event;
    e.code = d.code;
    e.offset = d.offset;
    e.offsetAlone = pb ? pb->offset : d.offset;
    e.withProbe = pa != nullptr;
    e.alone = pb != nullptr;
    e.whyWithProbe = pa ? pa->why : reasonAt(withProbe, k.first, k.second);
    e.whyAlone = pb ? pb->why : reasonAt(alone, k.first, k.second);
    effects.emplace(k, std::move(e));
  };
  for (const auto& [k, d] : a) {
    auto it = b.find(k);
    note(k, d, it == b.end() ? nullptr : it->second);
  }
  for (const auto& [k, d] : b)
    if (!a.count(k)) note(k, nullptr, d);
  for (auto& [k, e] : effects) out.effects.push_back(std::move(e));
  return out;
}

std::string ProbeEffect::text() const {
  auto side = [](bool got, Reason why) {
    return std::string(got ? "gets it (" : "does not (") + std::string(reasonText(why)) +
           ")";
  };
  std::string s = "#" + std::to_string(record) + " " + std::string(eventName(event)) +
                  " " + code + ":" + std::to_string(offset) + ": tool " +
                  std::to_string(tool);
  if (withProbe && alone && offsetAlone != offset)
    return s + " gets it at offset " + std::to_string(offsetAlone) + " alone (" +
           std::string(reasonText(whyAlone)) + "), at " + std::to_string(offset) +
           " with the probe";
  if (withProbe && alone) return s + " gets it in both runs with another result";
  return s + " alone " + side(alone, whyAlone) + "; with the probe " +
         side(withProbe, whyWithProbe);
}

}  // namespace monsim::harness
