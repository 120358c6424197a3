// list_output.cpp — options and printing shared by the commands that list articles.
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "commands.hpp"

namespace newsidx::cli {
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

namespace {

OutputFormat format_of(const std::string& name) {
  if (name == "json") return OutputFormat::json;
  if (name == "jsonl") return OutputFormat::jsonl;
  if (name == "tsv") return OutputFormat::tsv;
  if (name == "paths") return OutputFormat::paths;
  return OutputFormat::text;
}

}  // namespace

void add_list_options(CLI::App* cmd, ListArgs& a) {
  // CLI11 2.1 reads "-1" into an unsigned option as 2^64 - 1.
  const CLI::Validator not_negative(
      [](const std::string& v) { return v.starts_with('-') ? "a count cannot be negative: " + v : std::string(); }, "");
  cmd->add_option("-n,--limit", a.limit, "Number of results; 0 = all matches")
      ->check(not_negative)
      ->capture_default_str();
  cmd->add_option("--offset", a.offset, "Skip this many results first")->check(not_negative)->capture_default_str();
  cmd->add_option("-f,--format", a.format, "Output format: text, json (one array), jsonl, tsv, paths")
      ->check(CLI::IsMember({"text", "json", "jsonl", "tsv", "paths"}))
      ->capture_default_str();
  cmd->add_option("--format-version", a.format_version, "JSON format version to produce (only 1 exists)")
      ->check(CLI::IsMember({k_json_format_version}))
      ->capture_default_str();
  cmd->add_option("--fields", a.fields,
                  "Fields for json/jsonl/tsv, comma-separated: "
                  "id,rank,score,date,source,title,author,url,path,duplicates,snippet,highlights");
  cmd->add_flag("-0,--null", a.nul, "With --format paths: end each path with NUL (for xargs -0)");
  cmd->add_option("--color", a.color, "Colour in text output: auto (when stdout is a terminal and NO_COLOR is unset)")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--sort", a.sort, "Order: relevance (ties: newest first), newest, oldest")
      ->check(CLI::IsMember({"relevance", "newest", "oldest"}))
      ->capture_default_str();
  cmd->add_option("--since", a.since, "Only articles published on or after this date (UTC): 2020, 2020-07, 2020-07-01");
  cmd->add_option("--until", a.until, "Only articles published on or before this date (UTC, the whole period)");
  cmd->add_option("--source", a.sources, "Only articles from this host or domain (repeatable)");
  cmd->add_option("--added-since", a.added_since,
                  "Only articles first indexed at or after WHEN: 2h, 3d, 1w ago, or local time 2026-12-01T08:00");
}

Result<SearchOptions> search_options(const ListArgs& a) {
  SearchOptions o;
  o.limit = a.limit;
  o.offset = a.offset;
  o.sort = a.sort == "newest" ? SortOrder::newest : a.sort == "oldest" ? SortOrder::oldest : SortOrder::relevance;
  o.filters.sources = a.sources;
  if (!a.since.empty()) {
    auto p = parse_date_period(a.since);
    if (!p)
      return Error{ExitCode::usage, fmt::format("--since: bad date '{}'", a.since), "use 2024, 2020-07 or 2020-07-01"};
    o.filters.since_ms = p->first;
  }
  if (!a.until.empty()) {
    auto p = parse_date_period(a.until);
    if (!p)
      return Error{ExitCode::usage, fmt::format("--until: bad date '{}'", a.until), "use 2024, 2020-07 or 2020-07-01"};
    o.filters.until_ms = p->second;
  }
  if (!a.added_since.empty()) {
    Result<int64_t> now = now_ms();
    if (!now) return now.error();
    o.filters.added_since_ms = parse_when(a.added_since, *now);
    if (!o.filters.added_since_ms) {
      return Error{ExitCode::usage, fmt::format("--added-since: bad time '{}'", a.added_since),
                   "use 30m, 2h, 3d, 1w, 2026-12-01, 2026-12-01T08:00 or 2026-12-01T08:00+08:00"};
    }
  }
  o.snippet_columns = std::max<size_t>(terminal_columns(), 20) - 5;  // the snippet line is indented by 5
  // Snippets cost a re-tokenization per hit: make them only when they are printed.
  const bool listed = a.fields.empty() ? (a.format == "text" || a.format == "json" || a.format == "jsonl")
                                       : a.fields.find("snippet") != std::string::npos ||
                                             a.fields.find("highlights") != std::string::npos;
  o.snippets = a.format != "paths" && listed;
  return o;
}

Result<std::unique_ptr<ResultPrinter>> list_printer(const ListArgs& a, bool with_query) {
  OutputOptions out;
  out.color =
      a.format == "text" &&
      (a.color == "always" || (a.color == "auto" && isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr));
  out.nul = a.nul;
  out.with_query = with_query;
  if (!a.fields.empty()) {
    Result<std::vector<std::string>> fields = parse_fields(a.fields);
    if (!fields) return fields.error();
    out.fields = std::move(*fields);
  }
  return make_printer(format_of(a.format), stdout, out);
}

int print_results(const SearchResults& results, const ListArgs& a) {
  Result<std::unique_ptr<ResultPrinter>> printer = list_printer(a, false);
  if (!printer) return report(printer.error());
  for (const Hit& h : results.hits) (*printer)->hit(h);
  (*printer)->finish();
  return static_cast<int>(results.hits.empty() ? ExitCode::no_results : ExitCode::ok);
}

std::optional<Searcher> open_searcher(Context& ctx) {
  Result<Searcher> s = Searcher::open(ctx.search_dbs(), ctx.open);
  if (!s) {
    ctx.exit_code = report(s.error());
    return std::nullopt;
  }
  for (const std::string& w : s->warnings()) print_clean("newsidx: warning: " + w);
  return std::move(*s);
}

}  // namespace newsidx::cli
