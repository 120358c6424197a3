// cmd_search.cpp — `newsidx search QUERY...`
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"

namespace newsidx::cli {
namespace {

struct SearchArgs {
  std::vector<std::string> words;
  ListArgs list;
  bool count = false;
  std::string facet;
  bool explain = false;
  bool verbatim = false;
  std::string variants_file;
};

}  // namespace

void add_search_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Search the index; prints ranked results");
  cmd->add_option("query", args->words, "Query (words are joined with spaces); may be empty with --since/--until/--source");
  add_list_options(cmd, args->list);
  cmd->add_flag("-c,--count", args->count, "Print only the number of matches");
  cmd->add_option("--facet", args->facet, "Print match counts by source, month or year instead of results")
      ->check(CLI::IsMember({"source", "month", "year"}));
  cmd->add_flag("--explain", args->explain, "Print how the query was folded, segmented and compiled (on stderr)");
  cmd->add_flag("--verbatim", args->verbatim,
                "Match only what was typed: no regional variants (特朗普 also finds 川普 without it)");
  cmd->add_option("--variants", args->variants_file,
                  "The user's variants file (default: $XDG_CONFIG_HOME/newsidx/variants; see `newsidx variants`)");
  cmd->footer(R"(Query syntax:
  words are AND-ed                 习近平 访问
  "exact phrase" (also “…”)        "Hong Kong"
  OR, AND, NOT (upper case), -word 特朗普 OR 拜登 -疫情
  ( ) groups                       (香港 OR 澳门) 选举
  title: author: source:           title:普京 source:voachinese.com author:pierson
  date:                            date:2024  date:2020-07  date:2020-07-01..2020-07-31  date:2020-07..
  Latin prefix wildcard            trump*
Traditional/Simplified, full-width/half-width and case are folded; a Chinese run matches only
where it occurs exactly; an English word also matches its inflections. An unquoted word also
matches its regional variants (特朗普 = 川普, 悉尼 = 雪梨, 软件 = 軟體; see `newsidx variants`);
a quoted one, or any with --verbatim, only what was typed.

Examples:
  newsidx search 习近平 访问
  newsidx search '"Hong Kong" elections' --limit 5
  newsidx search 特朗普 Trump --format jsonl | jq -r .url
  newsidx search 疫情 --since 2020-07 --source rfi.fr --format paths -0 | xargs -0 wc -c
  newsidx search 香港 --facet month
  newsidx search 新冠疫情 --count

Exit status: 0 results, 1 no results, 2 usage error, 3 no database, 5 invalid database.)");
  cmd->callback([&ctx, args] {
    const ListArgs& l = args->list;
    if (args->words.empty() && l.since.empty() && l.until.empty() && l.sources.empty()) {
      ctx.exit_code = report(Error{ExitCode::usage, "search needs a query (or --since/--until/--source)",
                                   "see newsidx search --help"});
      return;
    }
    std::string query;
    for (const std::string& w : args->words) query += (query.empty() ? "" : " ") + w;
    Result<SearchOptions> options = search_options(l);
    if (failed(ctx, options)) return;
    if (!args->verbatim) {
      Result<std::shared_ptr<const VariantTable>> variants = load_variants(args->variants_file);
      if (failed(ctx, variants)) return;
      options->filters.variants = std::move(*variants);
    }
    // The query is checked before the database is opened: a usage error is a usage error.
    Result<CompiledQuery> compiled = compile_query(query, options->filters);
    if (failed(ctx, compiled)) return;
    if (args->explain) print_clean(compiled->explain());
    std::optional<Searcher> searcher = open_searcher(ctx);
    if (!searcher) return;
    if (args->explain) {
      std::string names;
      for (const std::string& n : searcher->shards_searched(options->filters)) names += (names.empty() ? "" : " ") + n;
      print_clean("shards:   " + names);
    }
    const bool json = l.format == "json" || l.format == "jsonl";
    if (args->count) {
      Result<size_t> n = searcher->count(query, options->filters);
      if (failed(ctx, n)) return;
      fmt::print("{}\n", *n);
      ctx.exit_code = static_cast<int>(*n ? ExitCode::ok : ExitCode::no_results);
      return;
    }
    if (!args->facet.empty()) {
      const FacetKind kind = args->facet == "source" ? FacetKind::source
                             : args->facet == "month" ? FacetKind::month
                                                      : FacetKind::year;
      Result<std::vector<FacetCount>> counts = searcher->facet(query, options->filters, kind);
      if (failed(ctx, counts)) return;
      print_facets(stdout, args->facet, *counts, json);
      ctx.exit_code = static_cast<int>(counts->empty() ? ExitCode::no_results : ExitCode::ok);
      return;
    }
    const size_t warned = searcher->warnings().size();
    Result<SearchResults> results = searcher->search(query, *options);
    for (size_t i = warned; i < searcher->warnings().size(); ++i) {
      print_clean("newsidx: warning: " + searcher->warnings()[i]);  // a shard stopped answering
    }
    if (failed(ctx, results)) return;
    ctx.exit_code = print_results(*results, l);
  });
}

}  // namespace newsidx::cli
