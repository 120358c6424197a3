// commands.hpp — the subcommands of the newsidx executable (one file each) and what they share.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "newsidx/error.hpp"
#include "newsidx/output.hpp"
#include "newsidx/search.hpp"

namespace newsidx::cli {

/// Options shared by all subcommands, and the exit code the chosen one sets.
struct Context {
  std::vector<std::string> dbs;  ///< --db (repeatable); empty = default_db_path()
  OpenOptions open;              ///< --allow-partial, --remote-timeout
  int exit_code = 0;
  /// The database that `index` writes: the one --db (a folder). Errors: usage.
  [[nodiscard]] Result<std::string> db_path() const;
  /// The databases a search reads: every --db, else default_db_path().
  [[nodiscard]] std::vector<std::string> search_dbs() const;
};

/// Writes each line of `text` to `to` made printable (text.hpp: no control character, bidi
/// override or invalid UTF-8 from an article or a file name reaches the terminal), each
/// followed by a newline. Every diagnostic goes through here.
void print_clean(std::string_view text, std::FILE* to = stderr);

/// The time now in epoch ms UTC: $NEWSIDX_NOW_MS when set (for tests: `index` records it as the
/// first-indexed time of new articles, and `search --added-since 2h` counts back from it), else
/// the system clock. Errors: usage (NEWSIDX_NOW_MS is not a whole number).
Result<int64_t> now_ms();

/// Prints "newsidx: MESSAGE" (and "hint: HINT") on stderr; returns the exit code.
int report(const Error& e);

/// If `r` holds an error: reports it, sets ctx.exit_code, and returns true.
template <class T>
bool failed(Context& ctx, const Result<T>& r) {
  if (r) return false;
  ctx.exit_code = report(r.error());
  return true;
}

/// Terminal width of stdout in columns: the tty's size, else $COLUMNS, else 80.
size_t terminal_columns();

/// Options of commands that print a list of articles (search, similar).
struct ListArgs {
  size_t limit = 10;
  size_t offset = 0;
  std::string format = "text";
  int format_version = k_json_format_version;
  std::string fields;
  bool nul = false;
  std::string color = "auto";
  std::string sort = "relevance";
  std::string since;
  std::string until;
  std::vector<std::string> sources;
  std::string added_since;
};

/// Registers the ListArgs options on `cmd`.
void add_list_options(CLI::App* cmd, ListArgs& args);

/// SearchOptions from ListArgs (dates parsed, snippet width from the terminal). Errors: usage.
Result<SearchOptions> search_options(const ListArgs& args);

/// The printer of the chosen format and fields (with_query: for search --queries). Errors:
/// usage (an unknown field).
Result<std::unique_ptr<ResultPrinter>> list_printer(const ListArgs& args, bool with_query);

/// Prints `results` in the chosen format; returns the exit code (0 with hits, 1 without).
int print_results(const SearchResults& results, const ListArgs& args);

/// Opens the database of `ctx`, or reports why not (setting ctx.exit_code) and returns nullopt.
std::optional<Searcher> open_searcher(Context& ctx);

/// The built-in variant table merged with the user's variants file: `file`, else
/// $XDG_CONFIG_HOME/newsidx/variants (or ~/.config/newsidx/variants) when it exists. Warnings
/// of the merge go to stderr. Errors: usage (the file cannot be read, or a bad line).
Result<std::shared_ptr<const VariantTable>> load_variants(const std::string& file);

void add_index_command(CLI::App& app, Context& ctx);
void add_search_command(CLI::App& app, Context& ctx);
void add_show_command(CLI::App& app, Context& ctx);
void add_similar_command(CLI::App& app, Context& ctx);
void add_stats_command(CLI::App& app, Context& ctx);
void add_compact_command(CLI::App& app, Context& ctx);
void add_variants_command(CLI::App& app, Context& ctx);

}  // namespace newsidx::cli
