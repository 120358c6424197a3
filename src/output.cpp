// output.cpp — text and JSON Lines printers.
#include "newsidx/output.hpp"

#include <unicode/utf8.h>

#include <ctime>

#include <fmt/format.h>

namespace newsidx {
namespace {

constexpr std::string_view k_bold = "\x1b[1m";
constexpr std::string_view k_match = "\x1b[1;31m";
constexpr std::string_view k_dim = "\x1b[2m";
constexpr std::string_view k_reset = "\x1b[0m";

size_t code_points(std::string_view s, size_t bytes) {
  size_t n = 0;
  for (size_t i = 0; i < bytes && i < s.size(); ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

std::string date_only(std::optional<int64_t> ms) {
  const std::string iso = iso8601_utc(ms);
  return iso.empty() ? std::string("----------") : iso.substr(0, 10);
}

class TextPrinter : public ResultPrinter {
 public:
  TextPrinter(std::FILE* out, const OutputOptions& o) : m_out(out), m_color(o.color) {}

  void hit(const Hit& h) override {
    const StoredArticle& a = h.article;
    std::string snippet;
    size_t at = 0;
    for (const Highlight& hl : h.snippet.highlights) {
      snippet.append(h.snippet.text, at, hl.begin - at);
      if (m_color) snippet += k_match;
      snippet.append(h.snippet.text, hl.begin, hl.end - hl.begin);
      if (m_color) snippet += k_reset;
      at = hl.end;
    }
    snippet.append(h.snippet.text, at);
    fmt::print(m_out, "{:>3}. {}  {}  {}{}{}\n     {}{}{}\n", h.rank, date_only(a.published_ms),
               a.source.empty() ? "-" : a.source, m_color ? k_bold : "", a.title, m_color ? k_reset : "",
               m_color ? k_dim : "", a.path, m_color ? k_reset : "");
    for (size_t i = 1; i < a.files.size(); ++i) {
      fmt::print(m_out, "     {}also: {}{}\n", m_color ? k_dim : "", a.files[i].path, m_color ? k_reset : "");
    }
    fmt::print(m_out, "     {}\n", snippet);
  }

 private:
  std::FILE* m_out;
  bool m_color;
};

class JsonLinesPrinter : public ResultPrinter {
 public:
  explicit JsonLinesPrinter(std::FILE* out) : m_out(out) {}
  void hit(const Hit& h) override {
    fmt::print(m_out, "{}\n", hit_to_json(h).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }

 private:
  std::FILE* m_out;
};

}  // namespace

std::string iso8601_utc(std::optional<int64_t> ms) {
  if (!ms) return "";
  const int64_t s = *ms / 1000 - (*ms % 1000 < 0 ? 1 : 0);
  const std::time_t secs = static_cast<std::time_t>(s);
  std::tm tm{};
  if (!gmtime_r(&secs, &tm)) return "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

nlohmann::json hit_to_json(const Hit& h) {
  const StoredArticle& a = h.article;
  nlohmann::json spans = nlohmann::json::array();
  for (const Highlight& hl : h.snippet.highlights) {
    spans.push_back({code_points(h.snippet.text, hl.begin), code_points(h.snippet.text, hl.end)});
  }
  nlohmann::json j = {{"rank", h.rank},     {"score", h.score},   {"path", a.path},     {"url", a.url},
                      {"title", a.title},   {"date", nullptr},    {"source", a.source}, {"author", a.author},
                      {"snippet", h.snippet.text}, {"highlights", spans}};
  if (a.published_ms) j["date"] = iso8601_utc(a.published_ms);
  nlohmann::json duplicates = nlohmann::json::array();
  for (size_t i = 1; i < a.files.size(); ++i) duplicates.push_back(a.files[i].path);
  j["duplicates"] = duplicates;
  return j;
}

std::unique_ptr<ResultPrinter> make_printer(OutputFormat format, std::FILE* out, const OutputOptions& options) {
  switch (format) {
    case OutputFormat::jsonl: return std::make_unique<JsonLinesPrinter>(out);
    case OutputFormat::text: break;
  }
  return std::make_unique<TextPrinter>(out, options);
}

}  // namespace newsidx
