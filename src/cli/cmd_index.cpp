// cmd_index.cpp — `newsidx index PATH...`
#include <csignal>
#include <atomic>
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"

namespace newsidx::cli {
namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

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
  bool no_delete = false;
  bool retry_failed = false;
  unsigned jobs = 0;
  size_t batch = IndexOptions{}.commit_every;
  bool quiet = false;
};

/// Prints one line per file that was skipped or failed: "PATH: REASON".
class StderrObserver : public IndexObserver {
 public:
  explicit StderrObserver(bool quiet) : m_quiet(quiet) {}
  void on_file(const std::string& path, FileOutcome outcome, std::string_view note) override {
    switch (outcome) {
      case FileOutcome::failed: fmt::print(stderr, "{}: {}\n", path, note); break;
      case FileOutcome::skipped:
        if (!m_quiet) fmt::print(stderr, "{}: skipped: {}\n", path, note);
        break;
      case FileOutcome::indexed:
        if (!m_quiet && !note.empty()) fmt::print(stderr, "{}: warning: {}\n", path, note);
        break;
      case FileOutcome::removed:
      case FileOutcome::unchanged: break;
    }
  }

 private:
  bool m_quiet;
};

}  // namespace

void add_index_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* cmd = app.add_subcommand("index", "Index article files and folders (recursively)");
  cmd->add_option("paths", args->paths, "Files or folders to index")->required();
  cmd->add_flag("--reindex", args->reindex,
                "Rebuild from scratch into a new database, then swap it in (the old one serves until then)");
  cmd->add_flag("--no-delete", args->no_delete, "Keep articles whose files are gone");
  cmd->add_flag("--retry-failed", args->retry_failed, "Retry files that failed before even if unchanged");
  cmd->add_option("-j,--jobs", args->jobs, "Worker threads (default: number of cores)");
  cmd->add_option("--batch", args->batch,
                  "Documents per commit; the writer's memory grows with it (about 20 KB per document)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_flag("-q,--quiet", args->quiet, "Print only errors");
  cmd->footer(
      "Examples:\n"
      "  newsidx index ~/news\n"
      "  newsidx --db /tmp/news.db index data/samples\n");
  cmd->callback([&ctx, args] {
    StderrObserver observer(args->quiet);
    IndexOptions options;
    options.jobs = args->jobs;
    options.commit_every = args->batch;
    options.rebuild = args->reindex;
    options.delete_missing = !args->no_delete;
    options.retry_failed = args->retry_failed;
    options.stop = &g_stop;
    install_stop_handlers();
    Result<IndexReport> r = index_paths(ctx.db_path(), args->paths, options, observer);
    if (!r) {
      ctx.exit_code = report(r.error());
      return;
    }
    if (!args->quiet || r->failed > 0 || r->interrupted) {
      fmt::print(stderr, "indexed {}, unchanged {}, removed {}, skipped {}, failed {}{}{}\n", r->indexed, r->unchanged,
                 r->removed, r->skipped, r->failed,
                 r->failed_earlier ? fmt::format(" (and {} unchanged that failed before; --retry-failed)", r->failed_earlier) : "",
                 r->warnings ? fmt::format(", warnings {}", r->warnings) : "");
    }
    if (r->interrupted) {
      fmt::print(stderr, "newsidx: interrupted: {}\n",
                 args->reindex ? "the rebuild was discarded; the previous database is unchanged"
                               : "finished work is committed; run the same command again to complete it");
      ctx.exit_code = static_cast<int>(ExitCode::interrupted);
      return;
    }
    ctx.exit_code = static_cast<int>(r->failed > 0 ? ExitCode::some_failed : ExitCode::ok);
  });
}

}  // namespace newsidx::cli
