// cmd_compact.cpp — `newsidx compact`
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"

namespace newsidx::cli {

void add_compact_command(CLI::App& app, Context& ctx) {
  auto merge_months = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("compact", "Rewrite the database compactly (Xapian's compactor); merge closed months");
  cmd->add_flag("--merge-months", *merge_months,
                "Merge the month shards of each year before the current one into one year shard");
  cmd->footer(R"(Every local shard is compacted into a new database, which replaces the old one atomically;
searches keep working meanwhile. Remote shards are compacted on their own hosts.

Examples:
  newsidx compact
  newsidx --db ~/news.db compact --merge-months   # after index --shard-by month

Exit status: 0 ok, 3 database missing, 4 database locked, 5 database invalid.)");
  cmd->callback([&ctx, merge_months] {
    Result<std::string> db = ctx.db_path();
    if (failed(ctx, db)) return;
    Result<CompactReport> r = compact_database(*db, *merge_months);
    if (failed(ctx, r)) return;
    fmt::print(stderr, "compacted {} shard{} into {}: {:.1f} MB -> {:.1f} MB\n", r->shards_before,
               r->shards_before == 1 ? "" : "s", r->shards_after, static_cast<double>(r->bytes_before) / 1e6,
               static_cast<double>(r->bytes_after) / 1e6);
  });
}

}  // namespace newsidx::cli
