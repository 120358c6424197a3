// cmd_index.cpp — `newsidx index PATH...` and `index --watch`
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"
#include "newsidx/watch.hpp"

namespace newsidx::cli {
namespace {

std::atomic<bool> g_stop{false};
int g_wake_fd = -1;  ///< --watch: the write end of a self-pipe that wakes the watcher's poll()

extern "C" void on_stop_signal(int) {
  g_stop.store(true);
  if (g_wake_fd >= 0) {
    const int saved = errno;
    const char byte = 1;
    (void)!::write(g_wake_fd, &byte, 1);
    errno = saved;
  }
}

/// SIGINT/SIGTERM ask the run to commit and stop; a second signal kills at once (the database
/// stays consistent either way: Xapian commits are atomic).
void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

struct IndexArgs {
  std::vector<std::string> paths;
  bool reindex = false;
  std::string shard_by;
  bool no_delete = false;
  bool retry_failed = false;
  unsigned jobs = 0;
  size_t batch = IndexOptions{}.commit_every;
  bool quiet = false;
  bool verbose = false;
  bool watch = false;
  unsigned watch_delay_ms = 1500;
};

/// Reports on stderr: one line per failed file, and unless quiet per skipped file and warning;
/// with verbose, every file; on a terminal, a progress line (done of total, rate, ETA).
class StderrObserver : public IndexObserver {
 public:
  StderrObserver(bool quiet, bool verbose)
      : m_quiet(quiet), m_verbose(verbose), m_progress(!quiet && isatty(STDERR_FILENO)) {}

  void on_file(const std::string& path, FileOutcome outcome, std::string_view note) override {
    switch (outcome) {
      case FileOutcome::failed:
        line(fmt::format("{}: {}", path, note));
        break;
      case FileOutcome::skipped:
        if (!m_quiet) line(fmt::format("{}: skipped: {}", path, note));
        break;
      case FileOutcome::indexed:
        if (!m_quiet && !note.empty())
          line(fmt::format("{}: warning: {}", path, note));
        else if (m_verbose)
          line(fmt::format("{}: indexed", path));
        break;
      case FileOutcome::removed:
        if (m_verbose) line(fmt::format("{}: removed (file is gone)", path));
        break;
      case FileOutcome::unchanged:
        break;
    }
  }

  void on_progress(size_t done, size_t total) override {
    if (!m_progress) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total && now - m_last < std::chrono::milliseconds(100)) return;  // at most 10 updates a second
    m_last = now;
    if (!m_first_done) m_first_done = done, m_first_time = now;  // unchanged files are counted at once
    const double secs = std::chrono::duration<double>(now - m_first_time).count();
    const double rate = secs > 0.5 ? static_cast<double>(done - *m_first_done) / secs : 0;
    std::string eta = "--:--";
    if (rate > 0) {
      const auto left = static_cast<long>(static_cast<double>(total - done) / rate);
      eta = fmt::format("{}:{:02}", left / 60, left % 60);
    }
    fmt::print(stderr, "\r\x1b[Kindexing {}/{} files ({:.0f}%)  {:.0f} files/s  ETA {}", done, total,
               total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0, rate, eta);
    m_shown = true;
  }

  /// One message line (made printable: it names a file); the progress line, if shown, is
  /// cleared first and redrawn by the next update.
  void line(const std::string& text) {
    clear_progress();
    print_clean(text);
  }

  void clear_progress() {
    if (m_shown) fmt::print(stderr, "\r\x1b[K");
    m_shown = false;
  }

 private:
  bool m_quiet, m_verbose, m_progress;
  bool m_shown = false;
  std::chrono::steady_clock::time_point m_last{}, m_first_time{};
  std::optional<size_t> m_first_done;
};

/// The summary of a run, unless quiet (and then still when files failed or it was interrupted).
void print_summary(const IndexReport& r, bool quiet) {
  if (quiet && r.failed == 0 && !r.interrupted) return;
  fmt::print(
      stderr, "indexed {}, unchanged {}, removed {}, skipped {}, failed {}{}{}\n", r.indexed, r.unchanged, r.removed,
      r.skipped, r.failed,
      r.failed_earlier ? fmt::format(" (and {} unchanged that failed before; --retry-failed)", r.failed_earlier) : "",
      r.warnings ? fmt::format(", warnings {}", r.warnings) : "");
  if (r.merged_files) {
    fmt::print(stderr, "merged {} files into the {} articles that share their URL ({} new versions, each searchable)\n",
               r.merged_files, r.merged_urls, r.merged_versions);
  }
  if (r.resumed) fmt::print(stderr, "resumed an interrupted build: {} files were done before\n", r.resumed);
}

/// Ends an interrupted run: its message and exit status 130.
void interrupted(Context& ctx, const IndexReport& r) {
  fmt::print(stderr, "newsidx: interrupted: {}\n",
             r.rebuild_kept ? "the rebuild is kept unfinished (the previous database serves until it is done); "
                              "run the same command again to complete it"
                            : "finished work is committed; run the same command again to complete it");
  ctx.exit_code = static_cast<int>(ExitCode::interrupted);
}

/// --watch, after the first run: commits each batch of changes in place (gone paths swept)
/// until SIGINT/SIGTERM (exit status 0; 130 if the signal cut a batch short). A batch that finds
/// the database locked by another writer is tried again after the next quiet period.
void follow_changes(Context& ctx, const std::string& db, const IndexArgs& args, IndexOptions options,
                    FolderWatcher& watcher, StderrObserver& observer, int wake_fd) {
  options.rebuild = false;
  options.shard_by.reset();
  options.gone_inputs_ok = true;
  const std::chrono::milliseconds quiet(args.watch_delay_ms);
  const WatchTiming timing{quiet, std::max(quiet, WatchTiming{}.max_delay)};
  if (!args.quiet) {
    fmt::print(stderr, "watching {} folder{} for changes (stop with Ctrl-C or SIGTERM)\n", watcher.folders(),
               watcher.folders() == 1 ? "" : "s");
  }
  bool said_locked = false;
  for (;;) {
    Result<std::optional<ChangeBatch>> batch = watcher.next(wake_fd, timing);
    if (failed(ctx, batch)) return;
    if (!*batch) return;  // stopped between batches: every change seen is committed
    const auto start = std::chrono::steady_clock::now();
    Result<int64_t> now = now_ms();  // when the batch's new articles were first indexed
    if (failed(ctx, now)) return;
    options.now_ms = *now;
    Result<IndexReport> r = index_paths(db, (*batch)->paths, options, observer);
    observer.clear_progress();
    if (!r && r.error().code == ExitCode::db_locked) {
      if (!said_locked) print_clean("newsidx: " + r.error().message + "; trying again after the next quiet period");
      said_locked = true;
      watcher.put_back(**batch);
      continue;
    }
    said_locked = false;
    if (failed(ctx, r)) return;
    if (!args.quiet || r->failed > 0) {
      const size_t written = r->indexed + r->removed + r->skipped + r->failed;
      fmt::print(stderr, "{:%H:%M:%S} added {}, updated {}, removed {}, skipped {}, failed {}{}: {} in {:.2f} s\n",
                 fmt::localtime(std::time(nullptr)), r->indexed - r->updated, r->updated, r->removed, r->skipped,
                 r->failed, (*batch)->rescan ? " (rescan of every folder: events were lost)" : "",
                 written ? "committed" : "nothing changed",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    if (r->interrupted) return interrupted(ctx, *r);
  }
}

void run_index(Context& ctx, const IndexArgs& args) {
  StderrObserver observer(args.quiet, args.verbose);
  IndexOptions options;
  options.jobs = args.jobs;
  options.commit_every = args.batch;
  options.rebuild = args.reindex;
  if (!args.shard_by.empty()) {
    options.shard_by = args.shard_by == "year"    ? ShardBy::year
                       : args.shard_by == "month" ? ShardBy::month
                                                  : ShardBy::none;
  }
  options.delete_missing = !args.no_delete;
  options.retry_failed = args.retry_failed;
  options.stop = &g_stop;
  Result<int64_t> now = now_ms();
  if (failed(ctx, now)) return;
  options.now_ms = *now;
  Result<std::string> db = ctx.db_path();
  if (failed(ctx, db)) return;
  // --watch: the folders are watched before the first run, so that no change is missed.
  std::optional<FolderWatcher> watcher;
  int wake[2] = {-1, -1};
  if (args.watch) {
    Result<FolderWatcher> opened = FolderWatcher::open(args.paths);
    if (failed(ctx, opened)) return;
    watcher.emplace(std::move(*opened));
    if (::pipe2(wake, O_CLOEXEC | O_NONBLOCK) != 0) {
      ctx.exit_code = report(Error{ExitCode::internal, fmt::format("pipe: {}", std::strerror(errno)), ""});
      return;
    }
    g_wake_fd = wake[1];
  }
  install_stop_handlers();
  Result<IndexReport> r = index_paths(*db, args.paths, options, observer);
  observer.clear_progress();
  if (failed(ctx, r)) return;
  print_summary(*r, args.quiet);
  if (r->interrupted) return interrupted(ctx, *r);
  if (watcher) return follow_changes(ctx, *db, args, options, *watcher, observer, wake[0]);
  ctx.exit_code = static_cast<int>(r->failed > 0 ? ExitCode::some_failed : ExitCode::ok);
}

}  // namespace

void add_index_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* cmd = app.add_subcommand("index", "Index article files and folders (recursively)");
  cmd->add_option("paths", args->paths, "Files or folders to index")->required();
  cmd->add_flag("--reindex", args->reindex,
                "Rebuild from scratch into a new database, then swap it in (the old one serves until then)");
  cmd->add_option("--shard-by", args->shard_by,
                  "One database per year or month of publish time (none: one database); a new layout is a "
                  "rebuild, later runs update it in place")
      ->check(CLI::IsMember({"none", "year", "month"}));
  cmd->add_flag("--no-delete", args->no_delete, "Keep articles whose files are gone");
  cmd->add_flag("--retry-failed", args->retry_failed, "Retry files that failed before even if unchanged");
  cmd->add_option("-j,--jobs", args->jobs, "Worker threads (default: number of cores)");
  cmd->add_option("--batch", args->batch,
                  "Documents per commit; the writer's memory grows with it (about 20 KB per document)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", args->quiet, "Print only errors (no progress, warnings or summary)");
  cmd->add_flag("-v,--verbose", args->verbose, "Print every file indexed or removed");
  CLI::Option* watch =
      cmd->add_flag("--watch", args->watch,
                    "Then follow the folders (inotify) and commit each batch of changes, until SIGINT or SIGTERM");
  cmd->add_option("--watch-delay", args->watch_delay_ms,
                  "With --watch: commit a batch once no change came for this many milliseconds (a batch waits at "
                  "most 10 s)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u))
      ->needs(watch);
  cmd->footer(R"(Re-running on the same folders updates the index: new and changed files are indexed,
unchanged ones skipped (mtime and size, then content hash), and articles whose files are gone
from under these folders removed. Files sharing a URL make one article (the newest publish time
wins). Bad files get one line on stderr each and the run goes on. Ctrl-C commits finished work.

Examples:
  newsidx index ~/news
  newsidx --db /tmp/news.db index data/samples
  newsidx index --reindex ~/news          # rebuild from scratch, then swap in
  newsidx index --shard-by year ~/news    # one database per year (see docs/scaling.md)
  0 * * * * newsidx index -q ~/news       # crontab: hourly, quiet unless something fails
  newsidx index --watch ~/news            # index, then keep the index live until Ctrl-C

Exit status: 0 ok, 4 database locked, 5 database invalid, 6 some files failed,
7 input path missing, 70 internal error, 74 database write failed (disk full; committed work
kept), 130 interrupted (finished work committed). A run that is interrupted, even by kill -9
or a power cut, keeps its committed work; the next run of the same command resumes it.
--watch ends with 0 on SIGINT/SIGTERM between batches (every change seen is committed), 130 if
the signal cut the first run or a batch short, 7 if a folder cannot be watched.)");
  cmd->callback([&ctx, args] { run_index(ctx, *args); });
}

}  // namespace newsidx::cli
