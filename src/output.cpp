// output.cpp — text, JSON, JSON Lines, TSV and path printers; `show`, facets and `stats` output.
#include "newsidx/output.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "json_bytes.hpp"
#include "newsidx/text.hpp"

namespace newsidx {
namespace {

constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_match = "\x1b[1;31m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr std::string_view k_reset = "\x1b[0m";

std::string dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

size_t code_points(std::string_view s, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < s.size(); ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

std::string date_only(std::optional<int64_t> ms) {
  const std::string iso = iso8601_utc(ms);
  return iso.empty() ? std::string("----------") : iso.substr(0, 10);
}

/// The chosen fields of a hit; a field's *_bytes member (json_bytes.hpp) comes with it. With a
/// query (search --queries), the member "query" comes first.
nlohmann::ordered_json select(const nlohmann::ordered_json& full, const std::vector<std::string>& fields,
                              const std::string* query = nullptr) {
  if (!query && fields.empty()) return full;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (query) out["query"] = *query;
  if (fields.empty()) {
    for (const auto& [k, v] : full.items()) out[k] = v;
    return out;
  }
  for (const std::string& f : fields) {
    out[f] = full.at(f);
    if (auto it = full.find(bytes_key(f)); it != full.end()) out[it.key()] = *it;
  }
  return out;
}

class TextPrinter : public ResultPrinter {
 public:
  TextPrinter(std::FILE* out, const OutputOptions& o) : m_out(out), m_color(o.color) {}
  void query(std::string_view q) override { fmt::print(m_out, "== {}\n", printable(q)); }

  void hit(const Hit& h) override {
    const StoredArticle& a = h.article;
    // Only what comes from the article is cleaned (printable), never our colour escapes; the
    // highlights split the snippet at code point boundaries, so each piece is cleaned alone.
    const std::string_view text = h.snippet.text;
    std::string snippet;
    size_t at = 0;
    for (const Highlight& hl : h.snippet.highlights) {
      snippet += printable(text.substr(at, hl.begin - at));
      if (m_color) snippet += k_match;
      snippet += printable(text.substr(hl.begin, hl.end - hl.begin));
      if (m_color) snippet += k_reset;
      at = hl.end;
    }
    snippet += printable(text.substr(at));
    const std::string_view bold = m_color ? k_bold : "", dim = m_color ? k_dim : "", reset = m_color ? k_reset : "";
    fmt::print(m_out, "{:>3}. {}  {}  {}{}{}\n     {}{}{}\n", h.rank, date_only(a.published_ms),
               a.source.empty() ? "-" : printable(a.source), bold, printable(a.title), reset, dim, printable(a.path),
               reset);
    // A feed that saved one article a thousand times must not bury the next result.
    const size_t shown = std::min(a.files.size(), k_text_other_files + 1);
    for (size_t i = 1; i < shown; ++i) {
      fmt::print(m_out, "     {}also: {}{}\n", dim, printable(a.files[i].path), reset);
    }
    if (shown < a.files.size()) {
      fmt::print(m_out, "     {}also: {} more files (--format json lists them){}\n", dim, a.files.size() - shown,
                 reset);
    }
    fmt::print(m_out, "     {}\n", snippet);
  }

 private:
  std::FILE* m_out;
  bool m_color;
};

class JsonArrayPrinter : public ResultPrinter {
 public:
  JsonArrayPrinter(std::FILE* out, const OutputOptions& o)
      : m_out(out), m_fields(o.fields), m_with_query(o.with_query) {}
  void hit(const Hit& h) override {
    fmt::print(m_out, "{}{}", m_first ? "[\n" : ",\n",
               dump(select(hit_to_json(h), m_fields, m_with_query ? &m_query : nullptr)));
    m_first = false;
  }
  void finish() override { fmt::print(m_out, "{}", m_first ? "[]\n" : "\n]\n"); }

 private:
  std::FILE* m_out;
  std::vector<std::string> m_fields;
  bool m_with_query;
  bool m_first = true;
};

class JsonLinesPrinter : public ResultPrinter {
 public:
  JsonLinesPrinter(std::FILE* out, const OutputOptions& o)
      : m_out(out), m_fields(o.fields), m_with_query(o.with_query) {}
  void hit(const Hit& h) override {
    fmt::print(m_out, "{}\n", dump(select(hit_to_json(h), m_fields, m_with_query ? &m_query : nullptr)));
  }

 private:
  std::FILE* m_out;
  std::vector<std::string> m_fields;
  bool m_with_query;
};

class TsvPrinter : public ResultPrinter {
 public:
  TsvPrinter(std::FILE* out, const OutputOptions& o) : m_out(out), m_fields(o.fields), m_with_query(o.with_query) {
    if (m_fields.empty()) m_fields.assign(std::begin(k_tsv_default_fields), std::end(k_tsv_default_fields));
    std::string header = m_with_query ? "query" : "";
    for (const std::string& f : m_fields) header += (header.empty() ? "" : "\t") + f;
    fmt::print(m_out, "{}\n", header);
  }
  void hit(const Hit& h) override {
    const nlohmann::ordered_json j = hit_to_json(h);
    std::string line = m_with_query ? printable(m_query, Escape::tsv) + "\t" : "";
    for (size_t i = 0; i < m_fields.size(); ++i) {
      const auto& v = j.at(m_fields[i]);
      if (i) line += '\t';
      line += printable(v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : dump(v), Escape::tsv);
    }
    fmt::print(m_out, "{}\n", line);
  }

 private:
  std::FILE* m_out;
  std::vector<std::string> m_fields;
  bool m_with_query;
};

class PathsPrinter : public ResultPrinter {
 public:
  PathsPrinter(std::FILE* out, const OutputOptions& o) : m_out(out), m_end(o.nul ? '\0' : '\n') {}
  void hit(const Hit& h) override {
    std::fwrite(h.article.path.data(), 1, h.article.path.size(), m_out);
    std::fputc(m_end, m_out);
  }

 private:
  std::FILE* m_out;
  char m_end;
};

}  // namespace

Result<std::vector<std::string>> parse_fields(std::string_view csv) {
  std::vector<std::string> out;
  while (!csv.empty()) {
    const size_t comma = csv.find(',');
    const std::string_view name = csv.substr(0, comma);
    if (std::find(std::begin(k_hit_fields), std::end(k_hit_fields), name) == std::end(k_hit_fields)) {
      std::string valid;
      for (std::string_view f : k_hit_fields) valid += (valid.empty() ? "" : ",") + std::string(f);
      return Error{ExitCode::usage, fmt::format("--fields: unknown field '{}'", name), "fields: " + valid};
    }
    out.emplace_back(name);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return out;
}

std::string iso8601_utc(std::optional<int64_t> ms) {
  if (!ms) return "";
  const int64_t s = *ms / 1000 - (*ms % 1000 < 0 ? 1 : 0);
  const std::time_t secs = static_cast<std::time_t>(s);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

namespace {
/// Sets "duplicates" (the paths of the other copies) and, when one is not UTF-8,
/// "duplicates_bytes": the base64 of each path, null for those that are UTF-8.
void put_duplicates(nlohmann::ordered_json& j, const StoredArticle& a) {
  nlohmann::ordered_json paths = nlohmann::ordered_json::array(), bytes = nlohmann::ordered_json::array();
  bool lossy = false;
  for (size_t i = 1; i < a.files.size(); ++i) {
    const std::string& p = a.files[i].path;
    paths.push_back(p);
    const bool utf8 = is_valid_utf8(p);
    bytes.push_back(utf8 ? nlohmann::ordered_json() : nlohmann::ordered_json(base64_encode(p)));
    lossy = lossy || !utf8;
  }
  j["duplicates"] = std::move(paths);
  if (lossy) j[bytes_key("duplicates")] = std::move(bytes);
}
/// The ISO 8601 time of `ms`, or null when unknown.
nlohmann::ordered_json iso_or_null(std::optional<int64_t> ms) {
  return ms ? nlohmann::ordered_json(iso8601_utc(ms)) : nlohmann::ordered_json();
}
}  // namespace

nlohmann::ordered_json hit_to_json(const Hit& h) {
  const StoredArticle& a = h.article;
  nlohmann::ordered_json spans = nlohmann::ordered_json::array();
  for (const Highlight& hl : h.snippet.highlights) {
    spans.push_back({code_points(h.snippet.text, hl.begin), code_points(h.snippet.text, hl.end)});
  }
  nlohmann::ordered_json j;
  j["id"] = h.docid;
  j["rank"] = h.rank;
  j["score"] = std::round(h.score * 1e4) / 1e4;
  j["date"] = iso_or_null(a.published_ms);
  j["source"] = a.source;
  j["title"] = a.title;
  j["author"] = a.author;
  j["url"] = a.url;
  put_bytes(j, "path", a.path);
  put_duplicates(j, a);
  j["snippet"] = h.snippet.text;
  j["highlights"] = spans;
  return j;
}

std::unique_ptr<ResultPrinter> make_printer(OutputFormat format, std::FILE* out, const OutputOptions& options) {
  switch (format) {
    case OutputFormat::json:
      return std::make_unique<JsonArrayPrinter>(out, options);
    case OutputFormat::jsonl:
      return std::make_unique<JsonLinesPrinter>(out, options);
    case OutputFormat::tsv:
      return std::make_unique<TsvPrinter>(out, options);
    case OutputFormat::paths:
      return std::make_unique<PathsPrinter>(out, options);
    case OutputFormat::text:
      break;
  }
  return std::make_unique<TextPrinter>(out, options);
}

void print_article(std::FILE* out, Xapian::docid docid, const StoredArticle& a, bool json) {
  if (json) {
    nlohmann::ordered_json j;
    j["format_version"] = k_json_format_version;
    j["id"] = docid;
    j["url"] = a.url;
    j["title"] = a.title;
    j["date"] = iso_or_null(a.published_ms);
    j["first_indexed"] = iso_or_null(a.first_indexed_ms);
    j["source"] = a.source;
    j["author"] = a.author;
    put_bytes(j, "path", a.path);
    put_duplicates(j, a);
    j["text"] = a.text;
    fmt::print(out, "{}\n", dump(j));
    return;
  }
  fmt::print(out, "Title:  {}\nDate:   {}\nSource: {}\n", printable(a.title),
             a.published_ms ? iso8601_utc(a.published_ms) : "unknown", printable(a.source));
  if (a.first_indexed_ms) fmt::print(out, "Added:  {}\n", iso8601_utc(a.first_indexed_ms));
  if (!a.author.empty()) fmt::print(out, "Author: {}\n", printable(a.author));
  fmt::print(out, "URL:    {}\nPath:   {}\n", printable(a.url), printable(a.path));
  for (size_t i = 1; i < a.files.size(); ++i) fmt::print(out, "Also:   {}\n", printable(a.files[i].path));
  fmt::print(out, "\n");
  size_t start = 0;
  while (start <= a.text.size()) {
    const size_t nl = a.text.find('\n', start);
    const std::string_view para =
        std::string_view(a.text).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!para.empty()) fmt::print(out, "{}\n\n", printable(para));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

namespace {

/// The period after a month ("2020-12" → "2021-01") or a year ("2020" → "2021"); "" when
/// `value` is neither, or is the last of year 9999.
std::string next_period(std::string_view value) {
  const auto number = [&](size_t at, size_t width) {
    int n = 0;
    const auto [end, ec] = std::from_chars(value.data() + at, value.data() + at + width, n);
    return ec == std::errc() && end == value.data() + at + width ? n : -1;
  };
  const int year = value.size() >= 4 ? number(0, 4) : -1;
  if (value.size() == 4 && year >= 0 && year < 9999) return fmt::format("{:04}", year + 1);
  const int month = value.size() == 7 && value[4] == '-' ? number(5, 2) : -1;
  if (year < 0 || month < 1 || month > 12 || (year == 9999 && month == 12)) return "";
  return month == 12 ? fmt::format("{:04}-01", year + 1) : fmt::format("{:04}-{:02}", year, month + 1);
}

/// `counts` (periods in order) with a row of count 0 for each period missing between two.
std::vector<FacetCount> with_empty_periods(const std::vector<FacetCount>& counts) {
  std::vector<FacetCount> out;
  for (const FacetCount& c : counts) {
    if (!out.empty()) {
      for (std::string p = next_period(out.back().value); !p.empty() && p < c.value; p = next_period(p)) {
        out.push_back({p, 0});
      }
    }
    out.push_back(c);
  }
  return out;
}

/// A bar `eighths` eighths of a column long: full blocks, then the block of the remainder.
std::string bar(size_t eighths) {
  static constexpr std::string_view k_partial[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
  std::string out;
  for (size_t i = 0; i < eighths / 8; ++i) out += "█";
  out += k_partial[eighths % 8];
  return out;
}

void print_bars(std::FILE* out, const std::vector<FacetCount>& rows, size_t columns) {
  size_t label = 0, digits = 1, most = 0;
  for (const FacetCount& c : rows) {
    label = std::max(label, display_width(printable(c.value)));
    digits = std::max(digits, fmt::formatted_size("{}", c.count));
    most = std::max(most, c.count);
  }
  constexpr size_t k_min_bar = 10;
  const size_t used = label + 2 + digits + 1 + 1;  // "VALUE  COUNT BAR", one column spare
  const size_t width = columns > used + k_min_bar ? columns - used : k_min_bar;
  for (const FacetCount& c : rows) {
    const std::string value = printable(c.value);
    size_t eighths = most ? (c.count * width * 8 + most / 2) / most : 0;
    if (c.count > 0 && eighths == 0) eighths = 1;  // a match never has an empty bar
    fmt::print(out, "{}{:{}}  {:>{}}{}\n", value, "", label - display_width(value), c.count, digits,
               eighths ? " " + bar(eighths) : "");
  }
}

}  // namespace

void print_facets(std::FILE* out, std::string_view facet, const std::vector<FacetCount>& counts, bool json,
                  std::optional<std::string_view> query, size_t bar_columns) {
  if (json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const FacetCount& c : counts) list.push_back({{"value", c.value}, {"count", c.count}});
    nlohmann::ordered_json j;
    j["format_version"] = k_json_format_version;
    if (query) j["query"] = *query;
    j["facet"] = facet;
    j["counts"] = list;
    fmt::print(out, "{}\n", dump(j));
    return;
  }
  if (bar_columns > 0) {
    if (query) fmt::print(out, "== {}\n", printable(*query));
    print_bars(out, facet == "source" ? counts : with_empty_periods(counts), bar_columns);
    return;
  }
  const std::string head = query ? printable(*query, Escape::tsv) + "\t" : "";
  for (const FacetCount& c : counts) fmt::print(out, "{}{}\t{}\n", head, c.count, printable(c.value));
}

void print_stats(std::FILE* out, const DatabaseStats& s, bool json) {
  if (json) {
    auto list = [](const std::vector<FacetCount>& v) {
      nlohmann::ordered_json l = nlohmann::ordered_json::array();
      for (const FacetCount& c : v) l.push_back({{"value", c.value}, {"count", c.count}});
      return l;
    };
    nlohmann::ordered_json j;
    j["format_version"] = k_json_format_version;
    j["articles"] = s.articles;
    j["versions"] = s.versions;
    j["first_date"] = iso_or_null(s.first_ms);
    j["last_date"] = iso_or_null(s.last_ms);
    j["disk_bytes"] = s.disk_bytes;
    j["schema"] = s.schema;
    j["tokenizer"] = s.tokenizer;
    j["sources"] = list(s.sources);
    j["months"] = list(s.months);
    nlohmann::ordered_json shards = nlohmann::ordered_json::array();
    for (const ShardStats& sh : s.shards) {
      shards.push_back(
          {{"name", sh.name},
           {"location", sh.location},
           {"remote", sh.remote},
           {"articles", sh.articles},
           {"first_date", sh.first_ms ? nlohmann::ordered_json(iso8601_utc(sh.first_ms)) : nlohmann::ordered_json()},
           {"last_date", sh.last_ms ? nlohmann::ordered_json(iso8601_utc(sh.last_ms)) : nlohmann::ordered_json()},
           {"disk_bytes", sh.disk_bytes ? nlohmann::ordered_json(*sh.disk_bytes) : nlohmann::ordered_json()}});
    }
    j["shards"] = shards;
    fmt::print(out, "{}\n", dump(j));
    return;
  }
  fmt::print(out, "articles:   {}{}\n", s.articles,
             s.versions > s.articles ? fmt::format(" ({} versions)", s.versions) : "");
  fmt::print(out, "dates:      {} .. {}\n", s.first_ms ? date_only(s.first_ms) : "-",
             s.last_ms ? date_only(s.last_ms) : "-");
  fmt::print(out, "disk:       {:.1f} MB\n", static_cast<double>(s.disk_bytes) / 1e6);
  fmt::print(out, "schema:     {} ({})\n", printable(s.schema), printable(s.tokenizer));
  if (s.shards.size() > 1 || (s.shards.size() == 1 && s.shards[0].remote)) {
    fmt::print(out, "\nshards ({}):\n", s.shards.size());
    for (const ShardStats& sh : s.shards) {
      fmt::print(out, "  {:<10} {:>8}  {} .. {}  {:>9}  {}\n", printable(sh.name), sh.articles,
                 sh.first_ms ? date_only(sh.first_ms) : "-", sh.last_ms ? date_only(sh.last_ms) : "-",
                 sh.disk_bytes ? fmt::format("{:.1f} MB", static_cast<double>(*sh.disk_bytes) / 1e6) : "remote",
                 printable(sh.location));
    }
  }
  fmt::print(out, "\nsources ({}):\n", s.sources.size());
  for (const FacetCount& c : s.sources) fmt::print(out, "  {:>8}  {}\n", c.count, printable(c.value));
  size_t widest = 1;
  for (const FacetCount& c : s.months) widest = std::max(widest, c.count);
  fmt::print(out, "\nmonths ({}):\n", s.months.size());
  for (const FacetCount& c : s.months) {
    const size_t bar = (c.count * 50 + widest - 1) / widest;
    fmt::print(out, "  {}  {:>8}  {}\n", printable(c.value), c.count, std::string(bar, '#'));
  }
}

}  // namespace newsidx
