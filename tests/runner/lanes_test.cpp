// runner/lanes.h: every task of every lane runs once, and the `next` a task is given
// is the task the same thread runs next, on the same lane (its runs may be written to
// that thread's worker ahead).
#include "runner/lanes.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace monsim::harness {
namespace {

struct Ran {
  size_t lane, task;
  std::optional<size_t> next;
};

std::vector<Lane> countingLanes(std::vector<size_t>& left) {
  std::vector<Lane> lanes;
  for (size_t l = 0; l < left.size(); ++l) {
    Lane lane;  // worker-less: the pool hands out tasks without starting anything
    lane.next = [&left, l]() -> std::optional<size_t> {
      if (left[l] == 0) return std::nullopt;
      return --left[l];
    };
    lane.remaining = [&left, l] { return left[l]; };
    lanes.push_back(std::move(lane));
  }
  return lanes;
}

TEST(Lanes, EveryTaskRunsOnceAndNextIsTheTaskTheThreadRunsNext) {
  for (const int threads : {1, 2, 3}) {
    std::vector<size_t> left = {40, 7, 1, 0};
    const std::vector<size_t> sizes = left;
    std::vector<Lane> lanes = countingLanes(left);
    std::mutex mu;
    std::map<std::thread::id, std::vector<Ran>> byThread;
    runLanes(lanes, threads, {},
             [&](size_t l, size_t t, Oracle* w, std::optional<size_t> n) {
               EXPECT_EQ(w, nullptr);
               std::lock_guard<std::mutex> lock(mu);
               byThread[std::this_thread::get_id()].push_back({l, t, n});
             });
    std::map<std::pair<size_t, size_t>, int> seen;
    for (const auto& [id, ran] : byThread) {
      for (size_t k = 0; k < ran.size(); ++k) {
        ++seen[{ran[k].lane, ran[k].task}];
        if (!ran[k].next) continue;
        ASSERT_LT(k + 1, ran.size()) << "a next that the thread never ran";
        EXPECT_EQ(ran[k + 1].lane, ran[k].lane);
        EXPECT_EQ(ran[k + 1].task, *ran[k].next);
      }
    }
    for (size_t l = 0; l < sizes.size(); ++l)
      for (size_t t = 0; t < sizes[l]; ++t)
        EXPECT_EQ((seen[{l, t}]), 1)
            << "lane " << l << " task " << t << ", " << threads << " threads";
    EXPECT_EQ(seen.size(), 48u);
  }
}

// With one thread, each lane's tasks come in the lane's order and every task but a
// lane's last is told its successor.
TEST(Lanes, OneThreadIsToldEachTasksSuccessor) {
  std::vector<size_t> left = {5};
  std::vector<Lane> lanes = countingLanes(left);
  std::vector<Ran> ran;
  runLanes(lanes, 1, {}, [&](size_t l, size_t t, Oracle*, std::optional<size_t> n) {
    ran.push_back({l, t, n});
  });
  ASSERT_EQ(ran.size(), 5u);
  for (size_t k = 0; k < 5; ++k) {
    EXPECT_EQ(ran[k].task, 4 - k);
    EXPECT_EQ(ran[k].next, k < 4 ? std::optional<size_t>(3 - k) : std::nullopt);
  }
}

}  // namespace
}  // namespace monsim::harness
