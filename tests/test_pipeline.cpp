// test_pipeline.cpp — ordered_parallel_map: results in index order, bounded memory, errors.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "newsidx/pipeline.hpp"

namespace newsidx {
namespace {

struct NoState {};

TEST(OrderedParallelMap, HandsResultsToTheSinkInIndexOrderWhateverOrderTheyFinishIn) {
  // Early indexes take longest, so with 4 workers later ones finish first.
  std::vector<size_t> seen;
  ordered_parallel_map<NoState, size_t>(
      40, 4, 8,
      [](size_t i, NoState&) {
        std::this_thread::sleep_for(std::chrono::microseconds((40 - i) % 5 * 300));
        return i * i;
      },
      [&](size_t&& v) {
        seen.push_back(v);
        return true;
      });
  ASSERT_EQ(seen.size(), 40u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i * i) << i;
}

TEST(OrderedParallelMap, NoMoreThanTheWindowIsAnsweredAheadOfTheSink) {
  // The sink is slow; workers must wait rather than run more than `window` ahead of it.
  std::atomic<size_t> started = 0;
  size_t sunk = 0, worst_lead = 0;
  ordered_parallel_map<NoState, int>(
      30, 3, 5,
      [&](size_t, NoState&) {
        ++started;
        return 0;
      },
      [&](int&&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        worst_lead = std::max(worst_lead, started.load() - sunk);
        ++sunk;
        return true;
      });
  EXPECT_EQ(sunk, 30u);
  EXPECT_LE(worst_lead, 5u + 1);  // the window, and the one in the sink
  EXPECT_GE(worst_lead, 2u);      // the workers did run ahead
}

TEST(OrderedParallelMap, EachWorkerKeepsItsOwnState) {
  struct Counter {
    size_t uses = 0;
  };
  std::atomic<size_t> total = 0;
  std::atomic<size_t> states = 0;
  ordered_parallel_map<Counter, size_t>(
      100, 3, 10,
      [&](size_t, Counter& c) {
        if (c.uses++ == 0) ++states;
        ++total;
        return c.uses;
      },
      [](size_t&&) { return true; });
  EXPECT_EQ(total.load(), 100u);
  EXPECT_LE(states.load(), 3u);
}

TEST(OrderedParallelMap, AWorkThatThrowsStopsTheMapAndIsRethrown) {
  size_t sunk = 0;
  const auto map = [&] {
    ordered_parallel_map<NoState, int>(
        1000, 2, 4,
        [](size_t i, NoState&) {
          if (i == 10) throw std::runtime_error("bad item");
          return 0;
        },
        [&](int&&) { return ++sunk, true; });
  };
  EXPECT_THROW(map(), std::runtime_error);
  EXPECT_LE(sunk, 10u);  // nothing past the failed item
}

TEST(OrderedParallelMap, ASinkThatReturnsFalseStopsEarly) {
  size_t sunk = 0;
  ordered_parallel_map<NoState, int>(
      1000, 2, 4, [](size_t, NoState&) { return 0; }, [&](int&&) { return ++sunk < 3; });
  EXPECT_EQ(sunk, 3u);
}

}  // namespace
}  // namespace newsidx
