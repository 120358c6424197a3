// pipeline.hpp — threads that are always joined, an ordered parallel map (N workers, one
// consumer, bounded memory) and a bounded queue: the threads of `index` and of `search --queries`.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace newsidx {

/// A group of threads that is always joined. A task that throws records its exception (the
/// first one is kept) and calls `stop`, which must make every other task return soon; join()
/// then rethrows it. The destructor calls `stop` and joins too, so an exception that unwinds
/// through the owner never reaches a joinable std::thread (std::terminate, "terminate called
/// without an active exception"). The idiom of ccache's ThreadPool, whose destructor shuts the
/// pool down. `stop` may be called several times and from several threads at once.
class ThreadGroup {
 public:
  explicit ThreadGroup(std::function<void()> stop) : m_stop(std::move(stop)) {}
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;
  ~ThreadGroup() {
    request_stop();
    join_all();
  }

  /// Runs `task` on a new thread. Throws std::system_error when no thread can be started (the
  /// destructor still stops and joins the others).
  void spawn(std::function<void()> task) {
    m_threads.emplace_back([this, task = std::move(task)] { run(task); });
  }

  /// Runs `task` on the calling thread, with the error handling of a spawned task.
  void run(const std::function<void()>& task) noexcept {
    try {
      task();
    } catch (...) {
      fail(std::current_exception());
    }
  }

  /// Records `error` (unless one was recorded before) and calls `stop`.
  void fail(std::exception_ptr error) noexcept {
    {
      std::lock_guard lock(m_mu);
      if (!m_error) m_error = std::move(error);
    }
    m_failed.store(true);
    request_stop();
  }

  /// True once a task has failed.
  [[nodiscard]] bool failed() const noexcept { return m_failed.load(); }

  /// Joins every thread, then rethrows the first exception a task threw.
  void join() {
    join_all();
    if (m_error) std::rethrow_exception(m_error);
  }

 private:
  void request_stop() noexcept {
    try {
      m_stop();
    } catch (...) {  // a stop function that throws must not end the process either
    }
  }
  void join_all() noexcept {
    for (std::thread& t : m_threads) {
      if (t.joinable()) t.join();
    }
  }

  std::function<void()> m_stop;
  std::vector<std::thread> m_threads;
  std::mutex m_mu;
  std::exception_ptr m_error;
  std::atomic<bool> m_failed{false};
};

/// Runs `work(i, state)` for i in [0, n) on `jobs` threads and hands the results to `sink` on the
/// calling thread, in index order. At most `window` results wait between workers and sink,
/// which bounds memory. Each worker creates its own State (e.g. ICU objects) once.
/// `sink` returns false to stop early (e.g. on SIGINT); pending work is then abandoned.
/// An exception thrown by `work`, by a State constructor or by `sink` stops the workers; it is
/// rethrown here once every worker has returned.
template <class State, class Out>
void ordered_parallel_map(size_t n, unsigned jobs, size_t window, const std::function<Out(size_t, State&)>& work,
                          const std::function<bool(Out&&)>& sink) {
  if (jobs == 0) jobs = 1;
  if (window < jobs) window = jobs;
  std::vector<std::optional<Out>> slots(window);
  std::mutex mu;
  std::condition_variable produced;
  std::condition_variable consumed;
  size_t next_task = 0;  // next index a worker takes
  size_t next_out = 0;   // next index the sink takes
  bool stop = false;
  const auto halt = [&] {
    {
      std::lock_guard lock(mu);
      stop = true;
    }
    produced.notify_all();
    consumed.notify_all();
  };
  ThreadGroup group(halt);

  const auto worker = [&] {
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
  for (unsigned j = 0; j < jobs; ++j) group.spawn(worker);

  group.run([&] {
    while (next_out < n) {
      Out out;
      {
        std::unique_lock lock(mu);
        produced.wait(lock, [&] { return stop || slots[next_out % window].has_value(); });
        if (stop) return;  // a worker failed
        out = std::move(*slots[next_out % window]);
        slots[next_out % window].reset();
        ++next_out;
      }
      consumed.notify_all();
      if (!sink(std::move(out))) return;
    }
  });
  halt();
  group.join();
}

/// A blocking FIFO with a capacity: push waits while full, pop waits while empty and returns
/// nullopt once the queue is closed and drained. After cancel(), pop returns nullopt at once and
/// push drops its item (a consumer that failed must never leave a producer blocked).
template <class T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : m_capacity(capacity ? capacity : 1) {}

  void push(T item) {
    std::unique_lock lock(m_mu);
    m_not_full.wait(lock, [&] { return m_items.size() < m_capacity || m_cancelled; });
    if (m_cancelled) return;
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

  /// No more items will be pushed: pop drains what is queued, then returns nullopt.
  void close() {
    std::lock_guard lock(m_mu);
    m_closed = true;
    m_not_empty.notify_all();
  }

  /// Drops the queued items and every later push; pop returns nullopt.
  void cancel() {
    std::lock_guard lock(m_mu);
    m_closed = m_cancelled = true;
    m_items.clear();
    m_not_empty.notify_all();
    m_not_full.notify_all();
  }

 private:
  std::mutex m_mu;
  std::condition_variable m_not_full, m_not_empty;
  std::deque<T> m_items;
  size_t m_capacity;
  bool m_closed = false;
  bool m_cancelled = false;
};

}  // namespace newsidx
