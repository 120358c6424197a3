// cmd_search.cpp — `newsidx search QUERY...`
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/pipeline.hpp"

namespace newsidx::cli {
namespace {

struct SearchArgs {
  std::vector<std::string> words;
  ListArgs list;
  bool count = false;
  std::string facet;
  std::string bars = "auto";
  bool explain = false;
  bool verbatim = false;
  std::string variants_file;
  std::string queries_file;
  unsigned jobs = 0;
};

/// One query of a run and its line in --queries FILE (0 for the query of the command line).
struct Query {
  size_t line = 0;
  std::string text;
};

/// The queries of --queries FILE ("-": standard input): one per line, blank lines skipped.
Result<std::vector<Query>> read_queries(const std::string& file) {
  std::ifstream in;
  if (file != "-") {
    in.open(file, std::ios::binary);
    if (!in) return Error{ExitCode::usage, fmt::format("--queries: cannot read {}", file), ""};
  }
  std::istream& from = file == "-" ? std::cin : in;
  std::vector<Query> out;
  size_t n = 0;
  for (std::string line; std::getline(from, line);) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") != std::string::npos) out.push_back({n, line});
  }
  if (from.bad()) return Error{ExitCode::usage, fmt::format("--queries: cannot read {}", file), ""};
  return out;
}

/// What one query of a run gave, kept until it is printed in query order.
struct Answer {
  std::optional<Error> error;
  size_t count = 0;                   ///< --count
  std::vector<FacetCount> facets;     ///< --facet
  SearchResults results;              ///< otherwise
  std::vector<std::string> warnings;  ///< shards that stopped answering during the search
};

/// The searches of one `search` run (one query, or each of --queries), with the same options.
class SearchRun {
 public:
  SearchRun(const SearchArgs& args, SearchOptions options, bool with_query)
      : m_args(args), m_options(std::move(options)), m_with_query(with_query) {}

  /// Threads per search (SearchOptions::slices).
  void set_slices(unsigned slices) { m_options.slices = slices; }

  /// Checks `query` (a usage error is one before the database is opened).
  Result<CompiledQuery> compile(const std::string& query) const { return compile_query(query, m_options.filters); }

  /// Runs `query` as the options ask. Thread-safe for distinct `searcher`s.
  Answer answer(Searcher& searcher, const std::string& query) const {
    Answer out;
    const size_t warned = searcher.warnings().size();
    if (m_args.count) {
      Result<size_t> n = searcher.count(query, m_options.filters);
      if (n)
        out.count = *n;
      else
        out.error = n.error();
    } else if (!m_args.facet.empty()) {
      const FacetKind kind = m_args.facet == "source"  ? FacetKind::source
                             : m_args.facet == "month" ? FacetKind::month
                                                       : FacetKind::year;
      Result<std::vector<FacetCount>> counts = searcher.facet(query, m_options.filters, kind);
      if (counts)
        out.facets = std::move(*counts);
      else
        out.error = counts.error();
    } else {
      Result<SearchResults> results = searcher.search(query, m_options);
      if (results) {
        out.results = std::move(*results);
        // Printers read a hit's snippet, not its article's text: an answer waiting to be
        // printed keeps a few hundred bytes per hit, not the whole article.
        for (Hit& h : out.results.hits) std::string().swap(h.article.text);
      } else {
        out.error = results.error();
      }
    }
    out.warnings.assign(searcher.warnings().begin() + static_cast<std::ptrdiff_t>(warned), searcher.warnings().end());
    return out;
  }

  /// Prints the answer to `query` (results with `printer`; counts and facets directly); with_query:
  /// each row names its query. Returns the exit code: 0 with matches, 1 without, else the error's
  /// (reported on stderr).
  int print(const std::string& query, const Answer& answer, ResultPrinter* printer) const {
    for (const std::string& w : answer.warnings) print_clean("newsidx: warning: " + w);
    if (answer.error) return report(*answer.error);
    const std::optional<std::string_view> named = m_with_query ? std::optional<std::string_view>(query) : std::nullopt;
    if (m_args.count) {
      if (named) {
        fmt::print("{}\t{}\n", answer.count, printable(query, Escape::tsv));
      } else {
        fmt::print("{}\n", answer.count);
      }
      return static_cast<int>(answer.count ? ExitCode::ok : ExitCode::no_results);
    }
    if (!m_args.facet.empty()) {
      const bool json = m_args.list.format == "json" || m_args.list.format == "jsonl";
      print_facets(stdout, m_args.facet, answer.facets, json, named, bar_columns());
      return static_cast<int>(answer.facets.empty() ? ExitCode::no_results : ExitCode::ok);
    }
    if (m_with_query) printer->query(query);
    for (const Hit& h : answer.results.hits) printer->hit(h);
    return static_cast<int>(answer.results.hits.empty() ? ExitCode::no_results : ExitCode::ok);
  }

  /// Answers `queries` with one thread per searcher and prints the answers in query order.
  /// Returns the exit code of the run: an error's (the worst one), else 0 when any query matched,
  /// 1 when none did.
  int run_all(std::vector<Searcher>& searchers, const std::vector<std::string>& queries, ResultPrinter* printer) const {
    struct Worker {
      Searcher* searcher = nullptr;
    };
    std::atomic<size_t> taken = 0;
    size_t printed = 0;
    bool matched = false;
    int worst = 0;
    // An answer holds a few hundred bytes per hit (see answer()); 256 of them may wait to be
    // printed, so that one slow query (a count that verifies thousands of candidates) does not
    // hold the other threads up.
    ordered_parallel_map<Worker, Answer>(
        queries.size(), static_cast<unsigned>(searchers.size()), 256,
        [&](size_t i, Worker& w) {
          if (!w.searcher) w.searcher = &searchers[taken++];
          try {
            return answer(*w.searcher, queries[i]);
          } catch (const std::exception& e) {  // a bug, not the query's fault: named, and the run goes on
            Answer a;
            a.error = Error{ExitCode::internal, e.what(), ""};
            return a;
          }
        },
        [&](Answer&& a) {
          const int code = print(queries[printed++], a, printer);
          if (code == static_cast<int>(ExitCode::ok)) matched = true;
          if (code != static_cast<int>(ExitCode::ok) && code != static_cast<int>(ExitCode::no_results)) worst = code;
          return true;
        });
    return worst ? worst : static_cast<int>(matched ? ExitCode::ok : ExitCode::no_results);
  }

 private:
  /// The width of the bars of --facet, or 0 for none.
  [[nodiscard]] size_t bar_columns() const {
    const bool bars =
        m_args.list.format == "text" && (m_args.bars == "always" || (m_args.bars == "auto" && isatty(STDOUT_FILENO)));
    return bars ? terminal_columns() : 0;
  }

  const SearchArgs& m_args;
  SearchOptions m_options;
  bool m_with_query;
};

}  // namespace

void add_search_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand("search", "Search the index; prints ranked results");
  cmd->add_option("query", args->words,
                  "Query (words are joined with spaces); may be empty with --since/--until/--source/--added-since");
  add_list_options(cmd, args->list);
  cmd->add_flag("-c,--count", args->count, "Print only the number of matches");
  cmd->add_option("--facet", args->facet, "Print match counts by source, month or year instead of results")
      ->check(CLI::IsMember({"source", "month", "year"}));
  cmd->add_option("--bars", args->bars,
                  "Draw --facet counts as bars scaled to the terminal, with empty months/years shown: auto (when "
                  "stdout is a terminal), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_flag("--explain", args->explain, "Print how the query was folded, segmented and compiled (on stderr)");
  cmd->add_option("--queries", args->queries_file,
                  "Run one query per line of this file (- for standard input), with the other options, in one process");
  cmd->add_option("-j,--jobs", args->jobs, "Threads that answer --queries (default: number of cores)");
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
    const bool many = !args->queries_file.empty();
    if (many && !args->words.empty()) {
      ctx.exit_code = report(Error{ExitCode::usage, "give a query or --queries FILE, not both", ""});
      return;
    }
    if (!many && args->words.empty() && l.since.empty() && l.until.empty() && l.sources.empty() &&
        l.added_since.empty()) {
      ctx.exit_code = report(Error{ExitCode::usage, "search needs a query (or --since/--until/--source/--added-since)",
                                   "see newsidx search --help"});
      return;
    }
    std::vector<Query> queries;
    if (many) {
      Result<std::vector<Query>> read = read_queries(args->queries_file);
      if (failed(ctx, read)) return;
      queries = std::move(*read);
    } else {
      std::string query;
      for (const std::string& w : args->words) query += (query.empty() ? "" : " ") + w;
      queries.push_back({0, std::move(query)});
    }
    Result<SearchOptions> options = search_options(l);
    if (failed(ctx, options)) return;
    if (!args->verbatim) {
      Result<std::shared_ptr<const VariantTable>> variants = load_variants(args->variants_file);
      if (failed(ctx, variants)) return;
      options->filters.variants = std::move(*variants);
    }
    const QueryFilters filters = options->filters;
    SearchRun search(*args, std::move(*options), many);
    // Every query is checked before the database is opened: a usage error is a usage error.
    std::vector<std::string> texts;  // the valid queries
    int worst = 0;
    for (size_t i = 0; i < queries.size(); ++i) {
      Result<CompiledQuery> compiled = search.compile(queries[i].text);
      if (!compiled) {
        const Error e = compiled.error();
        worst = report(
            many ? Error{e.code, fmt::format("{}:{}: {}", args->queries_file, queries[i].line, e.message), e.hint} : e);
        if (!many) {
          ctx.exit_code = worst;
          return;
        }
        continue;
      }
      if (args->explain) print_clean(compiled->explain());
      texts.push_back(queries[i].text);
    }
    std::optional<Searcher> searcher = open_searcher(ctx);
    if (!searcher) return;
    if (args->explain) {
      std::string names;
      for (const std::string& n : searcher->shards_searched(filters)) names += (names.empty() ? "" : " ") + n;
      print_clean("shards:   " + names);
    }
    // --queries: one Searcher (one thread) per job. A search (not a count) then runs in one
    // slice, so that the cores are not shared out twice (the results are the same).
    std::vector<Searcher> searchers;
    searchers.push_back(std::move(*searcher));
    const unsigned jobs = std::min<size_t>(args->jobs ? args->jobs : std::max(1u, std::thread::hardware_concurrency()),
                                           std::max<size_t>(1, texts.size()));
    for (unsigned j = 1; j < jobs; ++j) {
      Result<Searcher> more = Searcher::open(ctx.search_dbs(), ctx.open);
      if (!more) break;  // the first one answers alone; its open already reported any problem
      searchers.push_back(std::move(*more));
    }
    if (searchers.size() > 1) search.set_slices(1);
    std::unique_ptr<ResultPrinter> printer;  // counts and facets print themselves
    if (!args->count && args->facet.empty()) {
      Result<std::unique_ptr<ResultPrinter>> made = list_printer(l, many);
      if (failed(ctx, made)) return;
      printer = std::move(*made);
    }
    const int code = search.run_all(searchers, texts, printer.get());
    if (printer) printer->finish();
    ctx.exit_code = worst ? worst : code;  // a bad query line is an error too
  });
}

}  // namespace newsidx::cli
