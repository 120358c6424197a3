// cmd_search.cpp — `newsidx search QUERY...`
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/output.hpp"
#include "newsidx/search.hpp"

namespace newsidx::cli {
namespace {

struct SearchArgs {
  std::vector<std::string> words;
  size_t limit = 10;
  std::string format = "text";
  std::string sort = "relevance";
  bool explain = false;
};

}  // namespace

void add_search_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Search the index; prints ranked results");
  cmd->add_option("query", args->words, "Query words (joined with spaces)")->required();
  cmd->add_option("-n,--limit", args->limit, "Number of results; 0 = all matches")->capture_default_str();
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  cmd->add_option("--sort", args->sort, "Order of results")
      ->check(CLI::IsMember({"relevance", "newest", "oldest"}))
      ->capture_default_str();
  cmd->add_flag("--explain", args->explain, "Print how the query was normalised and parsed (stderr)");
  cmd->footer(
      "Query syntax: words are AND-ed; \"exact phrase\"; OR; NOT or -word; ( ); title:WORD;\n"
      "author:WORD; source:HOST; date:2024 | date:2020-07 | date:2020-07-01..2020-07-31; trump*\n"
      "Examples:\n"
      "  newsidx search 习近平 访问\n"
      "  newsidx search '\"Hong Kong\" protest' --limit 5\n"
      "  newsidx search 特朗普 Trump --format jsonl | jq -r .url\n");
  cmd->callback([&ctx, args] {
    Result<Searcher> searcher = Searcher::open(ctx.db_path());
    if (!searcher) {
      ctx.exit_code = report(searcher.error());
      return;
    }
    std::string query;
    for (const std::string& w : args->words) query += (query.empty() ? "" : " ") + w;
    SearchOptions options;
    options.limit = args->limit;
    options.sort = args->sort == "newest" ? SortOrder::newest : args->sort == "oldest" ? SortOrder::oldest
                                                                                        : SortOrder::relevance;
    if (args->explain) {
      Result<CompiledQuery> cq = compile_query(query, options.filters);
      if (cq) fmt::print(stderr, "{}", cq->explain());
    }
    Result<SearchResults> results = searcher->search(query, options);
    if (!results) {
      ctx.exit_code = report(results.error());
      return;
    }
    OutputOptions out;
    out.color = args->format == "text" && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    auto printer = make_printer(args->format == "jsonl" ? OutputFormat::jsonl : OutputFormat::text, stdout, out);
    for (const Hit& h : results->hits) printer->hit(h);
    printer->finish(*results);
    ctx.exit_code = static_cast<int>(results->hits.empty() ? ExitCode::no_results : ExitCode::ok);
  });
}

}  // namespace newsidx::cli
