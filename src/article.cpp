// article.cpp — parses one feed-exported article file (header, link, body) into an Article.
#include "newsidx/article.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "newsidx/html_text.hpp"

namespace newsidx {
namespace {

constexpr std::string_view k_reason_bad_link =
    "malformed link line (expected [title](url) before ------)";
constexpr std::string_view k_separator_line = "------";
constexpr std::string_view k_cdt_date_prefix = "日期：";
constexpr std::string_view k_feedx_footer_marker = "获取更多RSS";
// What feedx puts right before its footer; left alone it is only an empty block.
constexpr std::string_view k_feedx_footer_lead = "<br><hr><div>";

Error parse_error(std::string_view reason) {
  return Error{ExitCode::some_failed, std::string(reason), {}};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char to_lower_ascii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Reads lines off the front of a buffer, splitting on '\n' only: bare '\r', U+2028 and
// friends are content in these files.
class LineReader {
 public:
  explicit LineReader(std::string_view s) : m_rest(s) {}

  [[nodiscard]] bool at_end() const { return m_rest.empty(); }
  [[nodiscard]] std::string_view rest() const { return m_rest; }

  // The next line without its '\n' (and without a '\r' left by CRLF checkouts).
  [[nodiscard]] std::string_view peek() const {
    std::string_view line = m_rest.substr(0, m_rest.find('\n'));
    if (line.ends_with('\r')) line.remove_suffix(1);
    return line;
  }

  void skip() {
    const size_t nl = m_rest.find('\n');
    m_rest.remove_prefix(nl == std::string_view::npos ? m_rest.size() : nl + 1);
  }

  void skip_bytes(size_t n) { m_rest.remove_prefix(n); }

 private:
  std::string_view m_rest;
};

// Offset of the first line that is exactly "------", or npos.
size_t find_separator_line(std::string_view s) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t nl = s.find('\n', pos);
    std::string_view line = s.substr(pos, nl == std::string_view::npos ? nl : nl - pos);
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line == k_separator_line) return pos;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return std::string_view::npos;
}

// Normalizes a title: entities decoded, line breaks folded to one space, trimmed.
std::string clean_title(std::string_view raw) {
  const std::string decoded = decode_entities(raw);
  std::string out;
  out.reserve(decoded.size());
  bool in_break = false;
  for (const char c : decoded) {
    if (c == '\n' || c == '\r') {
      if (!in_break) out += ' ';
      in_break = true;
    } else {
      out += c;
      in_break = false;
    }
  }
  return std::string(trim(out));
}

struct FrontMatter {
  std::optional<int64_t> date_ms;
  std::string title;
};

// YAML scalars here are plain or double-quoted with backslash escapes.
std::string unquote_yaml(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
  v = v.substr(1, v.size() - 2);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && i + 1 < v.size()) ++i;
    out += v[i];
  }
  return out;
}

FrontMatter parse_front_matter(std::string_view block) {
  FrontMatter fm;
  LineReader lines(block);
  while (!lines.at_end()) {
    const std::string_view line = lines.peek();
    lines.skip();
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = line.substr(colon + 1);
    if (key == "date") fm.date_ms = parse_iso8601_ms(unquote_yaml(value));
    if (key == "title") fm.title = unquote_yaml(value);
  }
  return fm;
}

// Parses "<!--1715961543000-->". Returns false when the line is not a timestamp comment;
// a comment that holds no number ("NaN") leaves `ms` empty.
bool parse_timestamp_line(std::string_view line, std::optional<int64_t>& ms) {
  if (!line.starts_with("<!--") || !line.ends_with("-->") || line.size() < 7) return false;
  std::string_view value = line.substr(4, line.size() - 7);
  const bool negative = value.starts_with('-');  // Date.parse gives negatives before 1970
  if (negative) value.remove_prefix(1);
  ms.reset();
  if (value.empty() || value.size() > 16) return true;
  int64_t v = 0;
  for (const char c : value) {
    if (!is_digit(c)) return true;
    v = v * 10 + (c - '0');
  }
  ms = negative ? -v : v;
  return true;
}

// The body text minus the feedx "获取更多RSS" footer.
std::string_view strip_feedx_footer(std::string_view html) {
  const size_t marker = html.find(k_feedx_footer_marker);
  if (marker == std::string_view::npos) return html;
  std::string_view head = html.substr(0, marker);
  if (head.ends_with(k_feedx_footer_lead)) head.remove_suffix(k_feedx_footer_lead.size());
  return head;
}

// --- date parsing helpers ---

// Broken-down date and time as written, plus the written zone offset.
struct DateFields {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millis = 0;
  int offset_minutes = 0;  // east of UTC
};

std::optional<int64_t> to_epoch_ms(const DateFields& f) {
  using namespace std::chrono;
  const year_month_day ymd{std::chrono::year{f.year},
                           std::chrono::month{static_cast<unsigned>(f.month)},
                           std::chrono::day{static_cast<unsigned>(f.day)}};
  // Second 60 is allowed for leap seconds; it lands on the next minute's :00.
  if (!ymd.ok() || f.hour < 0 || f.hour > 23 || f.minute < 0 || f.minute > 59 || f.second < 0 ||
      f.second > 60) {
    return std::nullopt;
  }
  const auto t = sys_days{ymd} + hours{f.hour} + minutes{f.minute - f.offset_minutes} +
                 seconds{f.second} + milliseconds{f.millis};
  return duration_cast<milliseconds>(t.time_since_epoch()).count();
}

// Cursor over an ASCII date string.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : m_s(s) {}

  [[nodiscard]] bool at_end() const { return m_pos >= m_s.size(); }
  [[nodiscard]] char peek() const { return at_end() ? '\0' : m_s[m_pos]; }
  [[nodiscard]] std::string_view rest() const { return m_s.substr(m_pos); }

  bool eat(char c) {
    if (peek() != c) return false;
    ++m_pos;
    return true;
  }

  void skip_spaces() {
    while (!at_end() && is_space(m_s[m_pos])) ++m_pos;
  }

  // Reads min_digits..max_digits decimal digits.
  bool number(int min_digits, int max_digits, int& out) {
    int n = 0;
    int v = 0;
    while (n < max_digits && is_digit(peek())) {
      v = v * 10 + (m_s[m_pos++] - '0');
      ++n;
    }
    out = v;
    return n >= min_digits;
  }

  std::string_view word() {
    const size_t start = m_pos;
    while (!at_end() && ((m_s[m_pos] >= 'a' && m_s[m_pos] <= 'z') ||
                         (m_s[m_pos] >= 'A' && m_s[m_pos] <= 'Z'))) {
      ++m_pos;
    }
    return m_s.substr(start, m_pos - start);
  }

 private:
  std::string_view m_s;
  size_t m_pos = 0;
};

bool equals_ci(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower_ascii(a[i]) != to_lower_ascii(b[i])) return false;
  }
  return true;
}

// Reads "+hhmm", "-hh:mm" or "+hh" into minutes east of UTC.
bool numeric_offset(Scanner& sc, int& offset_minutes) {
  const char sign = sc.peek();
  if (sign != '+' && sign != '-') return false;
  sc.eat(sign);
  int hh = 0;
  int mm = 0;
  if (!sc.number(2, 2, hh)) return false;
  sc.eat(':');
  if (is_digit(sc.peek()) && !sc.number(2, 2, mm)) return false;
  if (hh > 23 || mm > 59) return false;
  offset_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

}  // namespace

Result<Article> parse_article(std::string_view bytes, std::string_view path) {
  Article article;
  article.path = std::string(path);
  if (trim(bytes).empty()) return parse_error("empty file");

  constexpr std::string_view k_bom = "\xEF\xBB\xBF";
  if (bytes.starts_with(k_bom)) bytes.remove_prefix(k_bom.size());

  LineReader lines(bytes);
  FrontMatter front_matter;
  if (lines.peek() == "---") {
    LineReader scan = lines;
    scan.skip();
    const std::string_view block = scan.rest();
    while (!scan.at_end() && scan.peek() != "---") scan.skip();
    // An unclosed block is not front matter; the header check below then rejects the file.
    if (!scan.at_end()) {
      front_matter = parse_front_matter(block.substr(0, block.size() - scan.rest().size()));
      scan.skip();
      lines = scan;
    }
  }

  const bool has_timestamp = parse_timestamp_line(lines.peek(), article.published_ms);
  if (has_timestamp) lines.skip();

  const std::string_view rest = lines.rest();
  const size_t separator = find_separator_line(rest);
  if (!rest.starts_with('[') || separator == std::string_view::npos) {
    // A timestamp line promises an article: what follows it is damaged, not absent.
    if (has_timestamp) return parse_error("truncated or damaged header: no [title](url) and ------ after the timestamp");
    return parse_error(k_reason_no_header);
  }
  std::string_view link = trim(rest.substr(0, separator));
  const size_t split = link.rfind("](");
  if (split == std::string_view::npos || !link.ends_with(')')) {
    // The header is there but damaged: a failure to report, unlike a page that is no article.
    return parse_error(k_reason_bad_link);
  }
  article.title = clean_title(link.substr(1, split - 1));
  article.url = std::string(trim(link.substr(split + 2, link.size() - split - 3)));
  lines.skip_bytes(separator);
  lines.skip();  // the ------ line
  if (lines.at_end()) return parse_error("truncated: nothing after the ------ line");

  if (lines.peek().starts_with(k_cdt_date_prefix)) {
    // China Digital Times files carry their date here instead of a timestamp line.
    if (!has_timestamp) {
      article.published_ms = parse_rfc2822_ms(lines.peek().substr(k_cdt_date_prefix.size()));
    }
    lines.skip();
  }
  if (lines.peek().empty()) lines.skip();

  std::string_view body = lines.rest();
  while (body.ends_with('\n')) body.remove_suffix(1);
  article.html = std::string(body);

  HtmlText text = html_to_text(strip_feedx_footer(body));
  article.text = std::move(text.text);
  article.author = std::move(text.author);
  article.source = url_host(article.url);

  if (!article.published_ms) article.published_ms = front_matter.date_ms;
  if (article.title.empty()) article.title = clean_title(front_matter.title);
  return article;
}

std::string url_host(std::string_view url) {
  url = trim(url);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return {};
  for (const char c : url.substr(0, scheme_end)) {
    const char l = to_lower_ascii(c);
    const bool scheme_char =
        (l >= 'a' && l <= 'z') || is_digit(l) || l == '+' || l == '-' || l == '.';
    if (!scheme_char) return {};
  }
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#\\"));
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);
  if (authority.starts_with('[')) {
    // IPv6 literal: the port colon comes after the closing bracket.
    const size_t close = authority.find(']');
    authority = authority.substr(0, close == std::string_view::npos ? close : close + 1);
  } else {
    authority = authority.substr(0, authority.find(':'));
  }
  std::string host(authority);
  for (char& c : host) c = to_lower_ascii(c);
  return host;
}

std::optional<int64_t> parse_rfc2822_ms(std::string_view s) {
  static constexpr std::array<std::string_view, 12> k_months = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  Scanner sc(trim(s));
  sc.skip_spaces();
  if (!is_digit(sc.peek())) {
    sc.word();  // day of week
    sc.skip_spaces();
    if (!sc.eat(',')) return std::nullopt;
    sc.skip_spaces();
  }
  DateFields f;
  if (!sc.number(1, 2, f.day)) return std::nullopt;
  sc.skip_spaces();
  const std::string_view month_name = sc.word();
  for (size_t i = 0; i < k_months.size(); ++i) {
    if (month_name.size() >= 3 && equals_ci(month_name.substr(0, 3), k_months[i])) {
      f.month = static_cast<int>(i) + 1;
    }
  }
  if (f.month == 0) return std::nullopt;
  sc.skip_spaces();
  const std::string_view year_text = sc.rest();
  if (!sc.number(2, 4, f.year)) return std::nullopt;
  if (year_text.size() < 3 || !is_digit(year_text[2])) {
    f.year += f.year < 50 ? 2000 : 1900;  // RFC 2822 obsolete two-digit years
  }
  sc.skip_spaces();
  if (!sc.number(1, 2, f.hour) || !sc.eat(':') || !sc.number(2, 2, f.minute)) return std::nullopt;
  if (sc.eat(':') && !sc.number(2, 2, f.second)) return std::nullopt;
  sc.skip_spaces();

  if (!sc.at_end() && !numeric_offset(sc, f.offset_minutes)) {
    struct Zone {
      std::string_view name;
      int offset_minutes;
    };
    static constexpr std::array<Zone, 12> k_zones = {{{"gmt", 0}, {"ut", 0}, {"utc", 0},
                                                      {"z", 0}, {"est", -300}, {"edt", -240},
                                                      {"cst", -360}, {"cdt", -300},
                                                      {"mst", -420}, {"mdt", -360},
                                                      {"pst", -480}, {"pdt", -420}}};
    const std::string_view zone = sc.word();
    bool known = false;
    for (const Zone& z : k_zones) {
      if (equals_ci(zone, z.name)) {
        f.offset_minutes = z.offset_minutes;
        known = true;
      }
    }
    if (!known) return std::nullopt;
  }
  sc.skip_spaces();
  // A trailing "(comment)" such as "(UTC)" is allowed by RFC 2822.
  if (!sc.at_end() && sc.peek() != '(') return std::nullopt;
  return to_epoch_ms(f);
}

std::optional<int64_t> parse_iso8601_ms(std::string_view s) {
  Scanner sc(trim(s));
  DateFields f;
  if (!sc.number(4, 4, f.year) || !sc.eat('-') || !sc.number(2, 2, f.month) || !sc.eat('-') ||
      !sc.number(2, 2, f.day)) {
    return std::nullopt;
  }
  if (sc.eat('T') || sc.eat('t') || sc.eat(' ')) {
    if (!sc.number(2, 2, f.hour) || !sc.eat(':') || !sc.number(2, 2, f.minute)) {
      return std::nullopt;
    }
    if (sc.eat(':') && !sc.number(2, 2, f.second)) return std::nullopt;
    if (sc.eat('.') || sc.eat(',')) {
      int fraction = 0;
      int digits = 0;
      while (is_digit(sc.peek())) {
        int d = 0;
        sc.number(1, 1, d);
        if (digits < 3) fraction = fraction * 10 + d;
        ++digits;
      }
      if (digits == 0) return std::nullopt;
      for (int i = digits; i < 3; ++i) fraction *= 10;
      f.millis = fraction;
    }
    sc.skip_spaces();
    if (!sc.eat('Z') && !sc.eat('z') && !sc.at_end() && !numeric_offset(sc, f.offset_minutes)) {
      return std::nullopt;
    }
  }
  if (!sc.at_end()) return std::nullopt;
  return to_epoch_ms(f);
}

}  // namespace newsidx
