// article.cpp — parses one feed-exported article file (header, link, body) into an Article.
#include "newsidx/article.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "newsidx/html_text.hpp"

namespace newsidx {
namespace {

constexpr std::string_view k_reason_bad_link = "malformed link line (expected [title](url) before ------)";
constexpr std::string_view k_separator_line = "------";
constexpr std::string_view k_cdt_date_prefix = "日期：";
constexpr std::string_view k_feedx_footer_marker = "获取更多RSS";
// What feedx puts right before its footer; left alone it is only an empty block.
constexpr std::string_view k_feedx_footer_lead = "<br><hr><div>";

Error parse_error(std::string_view reason) { return Error{ExitCode::some_failed, std::string(reason), {}}; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char to_lower_ascii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

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

// Normalizes a title: entities decoded (twice where the feed escaped them twice), line breaks
// folded to one space, trimmed.
std::string clean_title(std::string_view raw) {
  const std::string decoded = decode_double_escaped(raw);
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
  bool present = false;  // a closed "---" block opened the file
  std::optional<int64_t> date_ms;
  std::string title;
  std::string author;  // whitespace collapsed (Medium bylines hold U+200A hair spaces)
  std::string url;     // `from:`, the page the post was scraped from
};

// YAML scalars here are plain, double-quoted with backslash escapes, or single-quoted with ''
// for a quote.
std::string unquote_yaml(std::string_view v) {
  v = trim(v);
  if (v.size() < 2 || v.front() != v.back() || (v.front() != '"' && v.front() != '\'')) return std::string(v);
  const char quote = v.front();
  v = v.substr(1, v.size() - 2);
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i + 1 < v.size() && (quote == '"' ? v[i] == '\\' : (v[i] == '\'' && v[i + 1] == '\''))) ++i;
    out += v[i];
  }
  return out;
}

FrontMatter parse_front_matter(std::string_view block) {
  FrontMatter fm;
  fm.present = true;
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
    if (key == "author") fm.author = collapse_whitespace(unquote_yaml(value));
    if (key == "from") fm.url = unquote_yaml(value);
  }
  return fm;
}

// Publish times must lie in the years 0001-9999 (epoch milliseconds, UTC): the range of four-digit
// ISO 8601 dates, which every printer writes and `date:` reads.
constexpr int64_t k_first_publish_ms = -62135596800000;  // 0001-01-01T00:00:00Z
constexpr int64_t k_end_publish_ms = 253402300800000;    // 10000-01-01T00:00:00Z

bool is_comment_line(std::string_view line) {
  return line.size() >= 7 && line.starts_with("<!--") && line.ends_with("-->");
}

// Parses "<!--1715961543000-->": the generator writes `${Date.parse(pubDate)}`, a number of
// milliseconds or NaN. Returns false when the line is not such a comment (`<!-- fonts -->` opens
// many HTML files); a NaN, or a number out of the years 0001-9999, leaves `ms` empty.
bool parse_timestamp_line(std::string_view line, std::optional<int64_t>& ms) {
  if (!is_comment_line(line)) return false;
  std::string_view value = line.substr(4, line.size() - 7);
  ms.reset();
  if (value == "NaN") return true;
  const bool negative = value.starts_with('-');  // Date.parse gives negatives before 1970
  if (negative) value.remove_prefix(1);
  if (value.empty() || std::find_if_not(value.begin(), value.end(), is_digit) != value.end()) return false;
  if (value.size() > 16) return true;  // past the range, and past int64_t from 19 digits on
  int64_t v = 0;
  for (const char c : value) v = v * 10 + (c - '0');
  if (negative) v = -v;
  if (v >= k_first_publish_ms && v < k_end_publish_ms) ms = v;
  return true;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// `html` without the opening tags (`<p>`, `<small class="x">`) and whitespace it ends with.
std::string_view drop_trailing_open_tags(std::string_view html) {
  while (true) {
    html = trim(html);
    if (!html.ends_with('>')) return html;
    const size_t lt = html.rfind('<');
    if (lt == std::string_view::npos || lt + 1 >= html.size() || html[lt + 1] == '/' || html[lt + 1] == '!') {
      return html;
    }
    html = html.substr(0, lt);
  }
}

// The feedx "获取更多RSS" footer: cut from the marker to the end.
std::string_view strip_feedx_footer(std::string_view html) {
  const size_t marker = html.find(k_feedx_footer_marker);
  if (marker == std::string_view::npos) return html;
  std::string_view head = html.substr(0, marker);
  if (head.ends_with(k_feedx_footer_lead)) head.remove_suffix(k_feedx_footer_lead.size());
  return head;
}

// The footer of the Better Feed WordPress plugin (Ozh), as China Digital Times feeds end:
//   <hr /><p><small>&copy; AUTHOR for <a>中国数字时代</a>, get_post_time('Y'). |<a>Permalink</a>
//   |<a>No comment</a> |Add to<a>del.icio.us</a><br/>Post tags: <a rel="tag">TAG</a>, …<br/>
//   </small></p><p><small>Feed enhanced by <a>Better Feed</a> from <a>Ozh</a></small></p>
// It is cut from the <hr> before the copyright line that holds ">Permalink</a>" (else from the
// "Feed enhanced by" paragraph) to the end. The post tags are topic words the editors chose
// for the article, and grep finds them in the file: they stay, as a last paragraph without the
// "Post tags:" label. Returns nullopt when there is no such footer.
std::optional<std::string> strip_better_feed_footer(std::string_view html) {
  size_t cut = std::string_view::npos;
  const size_t permalink = html.rfind(">Permalink</a>");
  if (permalink != std::string_view::npos) {
    const size_t hr = html.rfind("<hr", permalink);
    const std::string_view line = hr == std::string_view::npos ? "" : html.substr(hr, permalink - hr);
    if (contains(line, "&copy;") || contains(line, "\u00A9")) cut = hr;
  }
  const size_t credit = html.rfind("Feed enhanced by");
  if (cut == std::string_view::npos && credit != std::string_view::npos) {
    cut = drop_trailing_open_tags(html.substr(0, credit)).size();
  }
  if (cut == std::string_view::npos) return std::nullopt;
  std::string out(trim(html.substr(0, cut)));
  constexpr std::string_view k_tags_label = "Post tags:";
  const std::string_view footer = html.substr(cut);
  const size_t label = footer.find(k_tags_label);
  if (label != std::string_view::npos) {
    const std::string_view tags = footer.substr(label + k_tags_label.size());
    out.append("<p>").append(tags.substr(0, std::min(tags.find("<br"), tags.find("</small>")))).append("</p>");
  }
  return out;
}

// The WordPress feed credit `<p>The post <a>TITLE</a> appeared first on <a>SITE</a>.</p>` that
// ends China Digital Times and Bitter Winter items: cut when nothing but end tags follows it.
std::string_view strip_appeared_first_on(std::string_view html) {
  const size_t start = html.rfind("<p>The post ");
  if (start == std::string_view::npos) return html;
  const std::string_view credit = html.substr(start);
  const size_t end = credit.find("</p>");
  if (end == std::string_view::npos || !contains(credit.substr(0, end), " appeared first on ")) return html;
  std::string_view after = trim(credit.substr(end + 4));
  while (after.starts_with("</") && after.find('>') != std::string_view::npos) {
    after = trim(after.substr(after.find('>') + 1));
  }
  return after.empty() ? html.substr(0, start) : html;
}

// The text of a body without its feed footers.
HtmlText body_text(std::string_view body, HtmlSource source) {
  const std::string_view html = strip_appeared_first_on(strip_feedx_footer(body));
  const std::optional<std::string> stripped = strip_better_feed_footer(html);
  return html_to_text(stripped ? *stripped : html, source);
}

// True if `text` looks like a JSON value or JSON Lines: '{' then '"' or '}', or '[' then the
// start of a value or ']', and a '}' or ']' at the end (a Liquid template's "{%" is not JSON).
bool looks_like_json(std::string_view text) {
  text = trim(text);
  if (text.size() < 2 || !(text.ends_with('}') || text.ends_with(']'))) return false;
  const std::string_view after = trim(text.substr(1));
  const char next = after.empty() ? '\0' : after.front();
  if (text.front() == '{') return next == '"' || next == '}';
  return text.front() == '[' && (std::string_view("\"{[]-tfn").find(next) != std::string_view::npos || is_digit(next));
}

// Why a file with no article header is not an article.
std::string_view not_article_reason(std::string_view bytes, const FrontMatter& front_matter) {
  if (front_matter.present) return k_reason_no_url;
  return looks_like_json(bytes) ? k_reason_json : k_reason_no_header;
}

// A post whose only header is its front matter (with a `from:` URL): the rest is a scraped page.
Result<Article> parse_front_matter_post(Article article, const FrontMatter& front_matter, std::string_view page) {
  article.html = std::string(trim(page));
  HtmlText text = body_text(article.html, HtmlSource::scraped_page);
  if (text.text.empty()) return parse_error(k_reason_no_body);
  article.url = std::string(trim(front_matter.url));
  article.source = url_host(article.url);
  article.title = clean_title(front_matter.title);
  article.published_ms = front_matter.date_ms;
  article.text = std::move(text.text);
  article.author = text.author.empty() ? front_matter.author : std::move(text.author);
  return article;
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
  const year_month_day ymd{std::chrono::year{f.year}, std::chrono::month{static_cast<unsigned>(f.month)},
                           std::chrono::day{static_cast<unsigned>(f.day)}};
  // Second 60 is allowed for leap seconds; it lands on the next minute's :00.
  if (!ymd.ok() || f.hour < 0 || f.hour > 23 || f.minute < 0 || f.minute > 59 || f.second < 0 || f.second > 60) {
    return std::nullopt;
  }
  const auto t =
      sys_days{ymd} + hours{f.hour} + minutes{f.minute - f.offset_minutes} + seconds{f.second} + milliseconds{f.millis};
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
    while (!at_end() && ((m_s[m_pos] >= 'a' && m_s[m_pos] <= 'z') || (m_s[m_pos] >= 'A' && m_s[m_pos] <= 'Z'))) {
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

  bool has_timestamp = parse_timestamp_line(lines.peek(), article.published_ms);
  if (!has_timestamp && is_comment_line(lines.peek())) {
    // A comment that holds no number, followed by a link header, is a damaged timestamp.
    LineReader after = lines;
    after.skip();
    has_timestamp = after.rest().starts_with('[') && find_separator_line(after.rest()) != std::string_view::npos;
  }
  if (has_timestamp) lines.skip();

  const std::string_view rest = lines.rest();
  const size_t separator = find_separator_line(rest);
  if (!rest.starts_with('[') || separator == std::string_view::npos) {
    // A timestamp line promises an article: what follows it is damaged, not absent.
    if (has_timestamp)
      return parse_error("truncated or damaged header: no [title](url) and ------ after the timestamp");
    if (front_matter.present && !url_host(front_matter.url).empty()) {
      return parse_front_matter_post(std::move(article), front_matter, rest);
    }
    return parse_error(not_article_reason(bytes, front_matter));
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

  HtmlText text = body_text(body, HtmlSource::feed_body);
  article.text = std::move(text.text);
  article.author = text.author.empty() ? front_matter.author : std::move(text.author);
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
    const bool scheme_char = (l >= 'a' && l <= 'z') || is_digit(l) || l == '+' || l == '-' || l == '.';
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
  static constexpr std::array<std::string_view, 12> k_months = {"jan", "feb", "mar", "apr", "may", "jun",
                                                                "jul", "aug", "sep", "oct", "nov", "dec"};
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
    static constexpr std::array<Zone, 12> k_zones = {{{"gmt", 0},
                                                      {"ut", 0},
                                                      {"utc", 0},
                                                      {"z", 0},
                                                      {"est", -300},
                                                      {"edt", -240},
                                                      {"cst", -360},
                                                      {"cdt", -300},
                                                      {"mst", -420},
                                                      {"mdt", -360},
                                                      {"pst", -480},
                                                      {"pdt", -420}}};
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
