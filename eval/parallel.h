// The RD runners' job pool: each measured point is an independent tool run.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace nicodec::eval {

// Calls point(i) for every i < count on `jobs` threads, each taking the next index when it is free. point()
// runs concurrently: it writes only its own results and locks around anything shared (cache, progress).
inline void for_each_point(size_t count, int jobs, const std::function<void(size_t)>& point) {
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < count;) point(i);
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < std::max(1, jobs); ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
}

}  // namespace nicodec::eval
