// cmd_search.cpp — `newsidx search QUERY...`
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
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
  std::string since;
  std::string until;
  std::vector<std::string> sources;
  bool explain = false;
};

/// Terminal width of stdout in columns: the tty's size, else $COLUMNS, else 80.
size_t terminal_columns() {
  winsize ws{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    char* end = nullptr;
    const long n = std::strtol(c, &end, 10);
    if (end && *end == '\0' && n > 0) return static_cast<size_t>(n);
  }
  return 80;
}

/// Fills the date bounds of `filters` from --since/--until (inclusive periods: --until 2020-07
/// includes all of July).
Status parse_date_flags(const SearchArgs& args, QueryFilters& filters) {
  if (!args.since.empty()) {
    auto p = parse_date_period(args.since);
    if (!p) return Error{ExitCode::usage, fmt::format("--since: bad date '{}'", args.since), "use 2024, 2020-07 or 2020-07-01"};
    filters.since_ms = p->first;
  }
  if (!args.until.empty()) {
    auto p = parse_date_period(args.until);
    if (!p) return Error{ExitCode::usage, fmt::format("--until: bad date '{}'", args.until), "use 2024, 2020-07 or 2020-07-01"};
    filters.until_ms = p->second;
  }
  return ok_status();
}

}  // namespace

void add_search_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Search the index; prints ranked results");
  cmd->add_option("query", args->words, "Query words (joined with spaces); may be empty with --since/--until/--source");
  cmd->add_option("-n,--limit", args->limit, "Number of results; 0 = all matches")->capture_default_str();
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "jsonl"}))
      ->capture_default_str();
  cmd->add_option("--sort", args->sort, "Order of results")
      ->check(CLI::IsMember({"relevance", "newest", "oldest"}))
      ->capture_default_str();
  cmd->add_option("--since", args->since, "Only articles published on or after this date (UTC): 2020, 2020-07, 2020-07-01");
  cmd->add_option("--until", args->until, "Only articles published on or before this date (UTC, the whole period)");
  cmd->add_option("--source", args->sources, "Only articles from this host or domain (repeatable)");
  cmd->add_flag("--explain", args->explain, "Print how the query was normalised and parsed (stderr)");
  cmd->footer(
      "Query syntax: words are AND-ed; \"exact phrase\"; OR; NOT or -word; ( ); title:WORD;\n"
      "author:WORD; source:HOST; date:2024 | date:2020-07 | date:2020-07-01..2020-07-31; trump*\n"
      "Examples:\n"
      "  newsidx search 习近平 访问\n"
      "  newsidx search '\"Hong Kong\" protest' --limit 5\n"
      "  newsidx search 特朗普 Trump --format jsonl | jq -r .url\n");
  cmd->callback([&ctx, args] {
    if (args->words.empty() && args->since.empty() && args->until.empty() && args->sources.empty()) {
      ctx.exit_code = report(Error{ExitCode::usage, "search needs a query (or --since/--until/--source)",
                                   "see newsidx search --help"});
      return;
    }
    Result<Searcher> searcher = Searcher::open(ctx.db_path());
    if (!searcher) {
      ctx.exit_code = report(searcher.error());
      return;
    }
    std::string query;
    for (const std::string& w : args->words) query += (query.empty() ? "" : " ") + w;
    SearchOptions options;
    options.limit = args->limit;
    options.filters.sources = args->sources;
    if (Status s = parse_date_flags(*args, options.filters); !s) {
      ctx.exit_code = report(s.error());
      return;
    }
    options.snippet_columns = std::max<size_t>(terminal_columns(), 20) - 5;  // the snippet line is indented by 5
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
