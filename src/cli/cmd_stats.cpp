// cmd_stats.cpp — `newsidx stats`
#include "commands.hpp"

namespace newsidx::cli {

void add_stats_command(CLI::App& app, Context& ctx) {
  auto format = std::make_shared<std::string>("text");
  CLI::App* cmd = app.add_subcommand("stats", "Summarise the database: articles, sources, dates, size, schema");
  cmd->add_option("-f,--format", *format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer("Examples:\n  newsidx stats\n  newsidx stats --format json | jq '.sources[:5]'\n");
  cmd->callback([&ctx, format] {
    std::optional<Searcher> searcher = open_searcher(ctx);
    if (!searcher) return;
    Result<DatabaseStats> s = searcher->stats();
    if (failed(ctx, s)) return;
    print_stats(stdout, *s, *format == "json");
  });
}

}  // namespace newsidx::cli
