// pipeline.hpp — ordered parallel map: N workers, one consumer, bounded memory.
#pragma once

#include <condition_variable>
#include <deque>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace newsidx {

/// Runs `work(i, state)` for i in [0, n) on `jobs` threads and hands the results to `sink` on the
/// calling thread, in index order. At most `window` results wait between workers and sink,
/// which bounds memory. Each worker creates its own State (e.g. ICU objects) once.
/// `sink` returns false to stop early (e.g. on SIGINT); pending work is then abandoned.
template <class State, class Out>
void ordered_parallel_map(size_t n, unsigned jobs, size_t window,
                          const std::function<Out(size_t, State&)>& work,
                          const std::function<bool(Out&&)>& sink) {
  if (jobs == 0) jobs = 1;
  if (window < jobs) window = jobs;
  std::vector<std::optional<Out>> slots(window);
  std::mutex mu;
  std::condition_variable produced;
  std::condition_variable consumed;
  size_t next_task = 0;   // next index a worker takes
  size_t next_out = 0;    // next index the sink takes
  bool stop = false;

  auto worker = [&] {
    State state;
    for (;;) {
      size_t i;
      {
        std::unique_lock lock(mu);
        consumed.wait(lock, [&] { return stop || next_task >= n || next_task < next_out + window; });
        if (stop || next_task >= n) return;
        i = next_task++;
      }
      Out out = work(i, state);
      {
        std::lock_guard lock(mu);
        slots[i % window].emplace(std::move(out));
      }
      produced.notify_all();
    }
  };

  std::vector<std::thread> threads;
  threads.reserve(jobs);
  for (unsigned j = 0; j < jobs; ++j) threads.emplace_back(worker);

  while (next_out < n) {
    Out out;
    {
      std::unique_lock lock(mu);
      produced.wait(lock, [&] { return slots[next_out % window].has_value(); });
      out = std::move(*slots[next_out % window]);
      slots[next_out % window].reset();
      ++next_out;
    }
    consumed.notify_all();
    if (!sink(std::move(out))) {
      std::lock_guard lock(mu);
      stop = true;
      break;
    }
  }
  consumed.notify_all();
  for (auto& t : threads) t.join();
}

}  // namespace newsidx

namespace newsidx {

/// A blocking FIFO with a capacity: push waits while full, pop waits while empty and returns
/// nullopt once the queue is closed and drained.
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : m_capacity(capacity ? capacity : 1) {}

  void push(T item) {
    std::unique_lock lock(m_mu);
    m_not_full.wait(lock, [&] { return m_items.size() < m_capacity; });
    m_items.push_back(std::move(item));
    m_not_empty.notify_one();
  }

  std::optional<T> pop() {
    std::unique_lock lock(m_mu);
    m_not_empty.wait(lock, [&] { return !m_items.empty() || m_closed; });
    if (m_items.empty()) return std::nullopt;
    T item = std::move(m_items.front());
    m_items.pop_front();
    m_not_full.notify_one();
    return item;
  }

  void close() {
    std::lock_guard lock(m_mu);
    m_closed = true;
    m_not_empty.notify_all();
  }

 private:
  std::mutex m_mu;
  std::condition_variable m_not_full, m_not_empty;
  std::deque<T> m_items;
  size_t m_capacity;
  bool m_closed = false;
};

}  // namespace newsidx
