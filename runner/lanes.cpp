#include "runner/lanes.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace monsim::harness {

void runLanes(std::vector<Lane>& lanes, int threads, const OracleFactory& make,
              const LaneWork& work) {
  std::mutex mu;
  std::vector<int> attached(lanes.size(), 0);  // threads currently on each lane
  std::vector<bool> dry(lanes.size(), false);
  auto body = [&] {
    std::map<size_t, std::unique_ptr<Oracle>> workers;
    size_t current = lanes.size();
    std::optional<size_t> ahead;  // taken from `current` while the task before ran
    for (;;) {
      size_t lane = lanes.size(), task = 0;
      std::optional<size_t> next;
      {
        std::lock_guard<std::mutex> lock(mu);
        auto take = [&](size_t l) {
          if (dry[l]) return false;
          auto t = lanes[l].next();
          if (!t) {
            dry[l] = true;
            return false;
          }
          lane = l;
          task = *t;
          return true;
        };
        if (ahead) {
          lane = current;
          task = *std::exchange(ahead, std::nullopt);
        } else if (current == lanes.size() || !take(current)) {
          // Another lane: the one with the fewest threads on it, then the most left.
          if (current != lanes.size()) --attached[current];
          std::vector<size_t> order;
          for (size_t l = 0; l < lanes.size(); ++l)
            if (!dry[l]) order.push_back(l);
          std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
            if (workers.count(a) != workers.count(b)) return workers.count(a) > 0;
            if (attached[a] != attached[b]) return attached[a] < attached[b];
            const size_t ra = lanes[a].remaining ? lanes[a].remaining() : 0;
            const size_t rb = lanes[b].remaining ? lanes[b].remaining() : 0;
            return ra > rb;
          });
          current = lanes.size();
          for (size_t l : order)
            if (take(l)) {
              current = l;
              ++attached[l];
              break;
            }
          if (current == lanes.size()) return;
        }
        if (!dry[lane]) {
          next = lanes[lane].next();
          if (!next) dry[lane] = true;
        }
      }
      Oracle* w = nullptr;
      if (lanes[lane].interpreter) {
        auto& slot = workers[lane];
        if (!slot) slot = make(*lanes[lane].interpreter);
        w = slot.get();
      }
      work(lane, task, w, next);
      ahead = next;
    }
  };
  std::vector<std::thread> pool;
  for (int j = 0; j < std::max(1, threads); ++j) pool.emplace_back(body);
  for (auto& t : pool) t.join();
}

}  // namespace monsim::harness
