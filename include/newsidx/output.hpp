// output.hpp — every output format behind one printer interface, plus `show` and `stats`.
//
// Search JSON (format version k_json_format_version), one object per hit, keys in this order:
//   {"id": 12, "rank": 1, "score": 12.3456, "date": "2024-05-17T15:59:03Z" | null,
//    "source": "www.voachinese.com", "title": "...", "author": "...", "url": "...",
//    "path": "...", ["path_bytes": "base64",] "duplicates": ["other/path.md", ...],
//    ["duplicates_bytes": [null | "base64", ...],] "snippet": "...", "highlights": [[start, end], ...]}
// id is the Xapian document id (for `show` and `similar`); score is BM25 rounded to 4
// decimals; path is the indexed copy as given at index time, duplicates the other files with
// the same URL; highlights are [start, end) offsets in Unicode code points of snippet.
// JSON strings are exact (control characters escaped by JSON itself). A file name that is not
// UTF-8 cannot be a JSON string: path shows it with U+FFFD for each invalid sequence, and
// path_bytes, present only then, holds its exact bytes in base64 (RFC 4648 §4); likewise
// duplicates_bytes, present only when some duplicate is not UTF-8, holds the base64 of each
// duplicate's path, null for those that are UTF-8. --fields path (duplicates) brings its
// *_bytes member along.
// --format json prints one array of these objects, jsonl one object per line, tsv a header
// line and one line per hit, paths one path per line (or NUL-terminated with -0), as the exact
// bytes of the file name.
// Text, TSV, `show` text, facets and `stats` text are for people: every string from an article
// or a file name goes through printable() (text.hpp), so control characters, bidi overrides and
// invalid UTF-8 are shown as \x1b, \u202e, \xff and never reach the terminal. TSV also escapes
// backslash as \\ (tab, newline, carriage return are \t \n \r, as in text); arrays are JSON.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "newsidx/error.hpp"
#include "newsidx/search.hpp"

namespace newsidx {

inline constexpr int k_json_format_version = 1;

enum class OutputFormat : uint8_t { text, json, jsonl, tsv, paths };

/// Every field a hit has, in output order; --fields picks from these.
inline constexpr std::string_view k_hit_fields[] = {"id",     "rank", "score", "date",       "source",  "title",
                                                    "author", "url",  "path",  "duplicates", "snippet", "highlights"};
/// Default fields of --format tsv.
inline constexpr std::string_view k_tsv_default_fields[] = {"rank", "score", "date", "source", "title", "path"};

/// Other files of a hit (its duplicates and other versions) that the text format lists as
/// "also:" lines; past it, one line says how many more there are.
inline constexpr size_t k_text_other_files = 5;

struct OutputOptions {
  bool color = false;               ///< ANSI colour and bold (text format only)
  bool nul = false;                 ///< paths format: terminate with NUL instead of newline
  std::vector<std::string> fields;  ///< json/jsonl/tsv: fields to print, in this order; empty = default
  /// Several queries in one run (search --queries): each hit says its query, as the member
  /// "query" first in JSON, the column "query" first in TSV, and a "== QUERY" line before the
  /// hits of each query in text (see ResultPrinter::query).
  bool with_query = false;
};

/// Parses "--fields a,b,c". Errors: usage, naming the unknown field and the valid ones.
Result<std::vector<std::string>> parse_fields(std::string_view csv);

/// Receives the results of one search, in rank order.
class ResultPrinter {
 public:
  virtual ~ResultPrinter() = default;
  /// With OutputOptions::with_query: the query of the hits that follow.
  virtual void query(std::string_view query) { m_query = query; }
  virtual void hit(const Hit& hit) = 0;
  /// Called once after the last hit (the JSON array printer closes its array here).
  virtual void finish() {}

 protected:
  std::string m_query;
};

std::unique_ptr<ResultPrinter> make_printer(OutputFormat format, std::FILE* out, const OutputOptions& options);

/// "2024-05-17T15:59:03Z" (UTC, second precision), or "" when unknown.
std::string iso8601_utc(std::optional<int64_t> ms);

/// The JSON object of one hit (shape above), with all fields.
nlohmann::ordered_json hit_to_json(const Hit& hit);

/// `show`: the article as clean text (header lines, blank line, paragraphs) or as JSON
/// ({"format_version","id","url","title","date","first_indexed" (ISO 8601 UTC, or null when
/// unknown),"source","author","path",["path_bytes",]
/// "duplicates",["duplicates_bytes",]"text"}, the *_bytes members as in search JSON).
void print_article(std::FILE* out, Xapian::docid docid, const StoredArticle& a, bool json);

/// `search --facet`: "COUNT<TAB>VALUE" lines, or a JSON object {"format_version","facet","counts":[...]}.
/// Text: one "COUNT<TAB>VALUE" line per value ("QUERY<TAB>COUNT<TAB>VALUE" when `query` is
/// given); JSON: one object {"format_version", ["query",] "facet", "counts": [{"value", "count"}]}.
/// With `bar_columns` (text only; the terminal's width), a bar chart for people instead: a
/// "== QUERY" line when `query` is given, then one "VALUE  COUNT BAR" row per value, the bar
/// of block characters (█, and ▏▎▍▌▋▊▉ for eighths of a column) as long as the count is in
/// proportion to the largest, whose row fills bar_columns less one column (a bar has at least
/// 10 columns); a month or year facet gets a row of count 0 for every period between its first
/// and last value that no match has, so that gaps show.
void print_facets(std::FILE* out, std::string_view facet, const std::vector<FacetCount>& counts, bool json,
                  std::optional<std::string_view> query = std::nullopt, size_t bar_columns = 0);

/// `stats` as text or JSON.
void print_stats(std::FILE* out, const DatabaseStats& s, bool json);

}  // namespace newsidx
