#pragma once
// The task pool every long run shares (`monsim check`, `monsim fuzz`, `./run bench`):
// one lane of tasks per interpreter (plus, for check, one model-only lane), a fixed
// number of threads, and an oracle worker per thread and interpreter that is reused
// for every task of that lane. A thread stays on the lane whose worker it has warm
// and moves on only when that lane runs dry.
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

#include "interpreter/oracle_driver.h"

namespace monsim::harness {

struct Lane {
  const Interpreter* interpreter = nullptr;  // nullptr: tasks that need no worker
  // The next task of this lane, or nullopt when it is done. Called under the pool's
  // lock, so it may keep plain state (a counter, a stack of indices).
  std::function<std::optional<size_t>()> next;
  // A hint for choosing a lane: tasks left (SIZE_MAX when unbounded).
  std::function<size_t()> remaining;
};

// Runs every lane's tasks on `threads` threads; `work(lane, task, worker, next)` gets
// the thread's oracle for that lane, made by `make` (nullptr on a worker-less lane),
// and the task this thread runs next on the lane (nullopt: none): it is taken from the
// lane before this one runs, so the work may write its runs to the worker ahead
// (prefetchRuns), and the worker starts them while this task is judged.
using LaneWork =
    std::function<void(size_t lane, size_t task, Oracle* w, std::optional<size_t> next)>;
void runLanes(std::vector<Lane>& lanes, int threads, const OracleFactory& make,
              const LaneWork& work);

}  // namespace monsim::harness
