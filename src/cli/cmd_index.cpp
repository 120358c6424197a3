// cmd_index.cpp — `newsidx index PATH...`
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"

namespace newsidx::cli {
namespace {

struct IndexArgs {
  std::vector<std::string> paths;
  unsigned jobs = 0;
  size_t batch = IndexOptions{}.commit_every;
  bool quiet = false;
};

/// Prints one line per file that was skipped or failed: "PATH: REASON".
class StderrObserver : public IndexObserver {
 public:
  explicit StderrObserver(bool quiet) : m_quiet(quiet) {}
  void on_file(const std::string& path, FileOutcome outcome, std::string_view reason) override {
    if (outcome == FileOutcome::indexed) return;
    if (outcome == FileOutcome::skipped && m_quiet) return;
    fmt::print(stderr, "{}: {}{}\n", path, outcome == FileOutcome::skipped ? "skipped: " : "", reason);
  }

 private:
  bool m_quiet;
};

}  // namespace

void add_index_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<IndexArgs>();
  CLI::App* cmd = app.add_subcommand("index", "Index article files and folders (recursively)");
  cmd->add_option("paths", args->paths, "Files or folders to index")->required();
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
    Result<IndexReport> r = index_paths(ctx.db_path(), args->paths, options, observer);
    if (!r) {
      ctx.exit_code = report(r.error());
      return;
    }
    if (!args->quiet || r->failed > 0) {
      fmt::print(stderr, "indexed {}, skipped {}, failed {}\n", r->indexed, r->skipped, r->failed);
    }
    ctx.exit_code = static_cast<int>(r->failed > 0 ? ExitCode::some_failed : ExitCode::ok);
  });
}

}  // namespace newsidx::cli
