// html_text.cpp — article body HTML to paragraph text and byline, using gumbo-parser.
#include "newsidx/html_text.hpp"

#include <gumbo.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace newsidx {
namespace {

// How an element affects the text around it.
enum class TagRole { inline_text, block, cell, line_break, image, dropped };

TagRole role_of(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_SECTION:
    case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_MAIN:
    case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION:
    case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_LI:
    case GUMBO_TAG_DL:
    case GUMBO_TAG_DT:
    case GUMBO_TAG_DD:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_TR:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_CENTER:
    case GUMBO_TAG_DETAILS:
    case GUMBO_TAG_SUMMARY:
    case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET:
    case GUMBO_TAG_BODY:
      return TagRole::block;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      return TagRole::cell;
    case GUMBO_TAG_BR:
    case GUMBO_TAG_HR:
      return TagRole::line_break;
    case GUMBO_TAG_IMG:
      return TagRole::image;
    // Invisible or UI-only content: the feeds embed players (whose only text is "your browser
    // does not support..."), trackers and quiz buttons.
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_SVG:
    case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT:
    case GUMBO_TAG_AUDIO:
    case GUMBO_TAG_VIDEO:
    case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_CANVAS:
    case GUMBO_TAG_TITLE:
      return TagRole::dropped;
    default:
      return TagRole::inline_text;
  }
}

// U+2000–U+200A (en quad … hair space), U+2028/U+2029 (line and paragraph separators), U+202F and
// U+205F, as UTF-8: spaces that NFKC folds to U+0020 or that break lines. U+3000 is not here: it
// is kept, as CJK text writes it.
bool is_unicode_space(std::string_view three) {
  if (three.size() < 3 || three[0] != '\xE2') return false;
  const auto b1 = static_cast<unsigned char>(three[1]);
  const auto b2 = static_cast<unsigned char>(three[2]);
  if (b1 == 0x80) return b2 <= 0x8A || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF;
  return b1 == 0x81 && b2 == 0x9F;
}

// Accumulates output text, collapsing whitespace and placing separators lazily so that
// no paragraph is empty and nothing leads or trails.
class TextSink {
 public:
  void append(std::string_view s) {
    size_t run_start = 0;
    size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      size_t special_len = 0;  // bytes of a whitespace or ignorable character at i
      bool ignorable = false;
      if (c <= 0x20) {
        special_len = 1;
      } else if (c == 0xC2 && i + 1 < s.size() && s[i + 1] == '\xA0') {  // U+00A0
        special_len = 2;
      } else if (c == 0xE2 && is_unicode_space(s.substr(i, 3))) {
        special_len = 3;
      } else if (c == 0xEF && s.substr(i, 3) == "\xEF\xBB\xBF") {
        // U+FEFF turns up mid-word ("在\uFEFF疫情"); dropping it keeps such words searchable.
        special_len = 3;
        ignorable = true;
      }
      if (special_len == 0) {
        ++i;
        continue;
      }
      flush_run(s.substr(run_start, i - run_start));
      if (!ignorable) word_break();
      i += special_len;
      run_start = i;
    }
    flush_run(s.substr(run_start));
  }

  void paragraph_break() {
    if (!m_out.empty()) m_pending = Pending::paragraph;
  }
  void word_break() {
    if (!m_out.empty() && m_pending == Pending::none) m_pending = Pending::space;
  }

  [[nodiscard]] size_t size() const { return m_out.size(); }
  [[nodiscard]] bool empty() const { return m_out.empty(); }
  [[nodiscard]] std::string_view view() const { return m_out; }
  std::string take() { return std::move(m_out); }

 private:
  enum class Pending { none, space, paragraph };

  void flush_run(std::string_view run) {
    if (run.empty()) return;
    if (m_pending == Pending::paragraph) m_out += '\n';
    if (m_pending == Pending::space) m_out += ' ';
    m_pending = Pending::none;
    m_out += run;
  }

  std::string m_out;
  Pending m_pending = Pending::none;
};

// Parses with the body-of-a-<div> context: article bodies are fragments, and the context
// keeps a leading <style> or <link> in place instead of moving it to a synthetic <head>. A
// whole page parses the same way: its <html>, <head> and <body> tags are ignored, and what
// <head> holds has no text (<title>, <script> and <style> are dropped).
GumboOutput* parse_fragment(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.fragment_context = GUMBO_TAG_DIV;
  options.max_errors = 0;  // parse errors are never reported; recording them costs time
  return gumbo_parse_with_options(&options, html.data(), html.size());
}

void destroy(GumboOutput* output) { gumbo_destroy_output(&kGumboDefaultOptions, output); }

bool is_text_node(const GumboNode* node) {
  return node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE || node->type == GUMBO_NODE_CDATA;
}

// The 2020 feedx byline puts "AUTHOR<br>2020-10-13 10:58:08" (or an ISO 8601 stamp) in <i>.
bool looks_like_timestamp(std::string_view s) {
  int digits = 0;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (std::string_view("-:. TZ+").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return digits >= 8;
}

// Returns the author named by an <i>AUTHOR<br>DATE</i> byline, or "".
std::string byline_author(const GumboNode* italic) {
  std::string before;
  std::string after;
  bool seen_br = false;
  const GumboVector& children = italic->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    const auto* child = static_cast<const GumboNode*>(children.data[i]);
    if (child->type == GUMBO_NODE_ELEMENT && child->v.element.tag == GUMBO_TAG_BR && !seen_br) {
      seen_br = true;
    } else if (is_text_node(child)) {
      (seen_br ? after : before) += child->v.text.text;
    }
  }
  if (!seen_br || !looks_like_timestamp(collapse_whitespace(after))) return {};
  std::string author = collapse_whitespace(before);
  // The feed generator concatenates a missing first field as the string "null".
  constexpr std::string_view k_null_prefix = "null ";
  if (author.starts_with(k_null_prefix)) author.erase(0, k_null_prefix.size());
  return author;
}

// ---------------------------------------------------------------------------------------------
// Self-closed raw-text elements

// Elements whose content the HTML5 tokenizer reads as raw text or RCDATA up to their end tag
// (plaintext: to the end of the input).
constexpr std::array<std::string_view, 10> k_raw_text_elements = {
    "iframe", "noembed", "noframes", "noscript", "plaintext", "script", "style", "textarea", "title", "xmp"};

bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_tag_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ci(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// A start tag as the HTML5 tokenizer reads it (tag open, tag name and attribute states of
// WHATWG HTML §13.2.5.6–13.2.5.40): quoted attribute values may hold '>' and "/>", an unquoted
// one ends at whitespace or '>' and keeps a '/'.
struct StartTag {
  std::string_view name;                // as written
  size_t end = std::string_view::npos;  // offset just past the '>'; npos if the input ends first
  bool self_closing = false;            // ended by "/>"
};

// Reads the start tag that begins at html[lt] == '<' (followed by an ASCII letter).
StartTag read_start_tag(std::string_view html, size_t lt) {
  const auto ends_name = [](char c) { return is_tag_space(c) || c == '/' || c == '>'; };
  StartTag tag;
  size_t i = lt + 1;
  while (i < html.size() && !ends_name(html[i])) ++i;
  tag.name = html.substr(lt + 1, i - lt - 1);
  while (i < html.size()) {
    const char c = html[i];
    if (c == '>' || (c == '/' && i + 1 < html.size() && html[i + 1] == '>')) {
      tag.self_closing = c == '/';
      tag.end = i + (c == '/' ? 2 : 1);
      return tag;
    }
    if (is_tag_space(c) || c == '/') {
      ++i;
      continue;
    }
    ++i;  // an attribute name; its first character may be '='
    while (i < html.size() && !ends_name(html[i]) && html[i] != '=') ++i;
    size_t j = i;
    while (j < html.size() && is_tag_space(html[j])) ++j;
    if (j == html.size() || html[j] != '=') {
      i = j;
      continue;
    }
    ++j;
    while (j < html.size() && is_tag_space(html[j])) ++j;
    if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
      const size_t close = html.find(html[j], j + 1);
      if (close == std::string_view::npos) return tag;
      i = close + 1;
    } else {
      while (j < html.size() && !is_tag_space(html[j]) && html[j] != '>') ++j;
      i = j;
    }
  }
  return tag;
}

// Offset of the end tag `</name` (any case, then whitespace, '/' or '>') at or after `from`.
size_t find_end_tag(std::string_view html, size_t from, std::string_view name) {
  for (size_t i = html.find("</", from); i != std::string_view::npos; i = html.find("</", i + 2)) {
    const size_t after = i + 2 + name.size();
    if (after < html.size() && equals_ci(html.substr(i + 2, name.size()), name) &&
        (is_tag_space(html[after]) || html[after] == '/' || html[after] == '>')) {
      return i;
    }
  }
  return std::string_view::npos;
}

// HTML5 ignores the "/>" of a non-void element, so an XHTML-style `<iframe …/>` opens an iframe
// whose raw text runs to the next `</iframe>`, or to the end of the body. This rewrites each
// self-closed raw-text start tag as a start tag and its end tag (`<iframe …/>` becomes
// `<iframe …></iframe>`; `<plaintext/>`, which no end tag closes, is removed). It reads tags as
// the tokenizer does: comments, quoted attribute values and the text of raw-text elements that
// are not self-closed are passed over. Returns nullopt when there is nothing to rewrite.
std::optional<std::string> close_self_closed_raw_text(std::string_view html) {
  if (html.find("/>") == std::string_view::npos) return std::nullopt;
  std::string out;
  size_t copied = 0;  // html[0, copied) is already in out
  size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    if (html.substr(i, 4) == "<!--") {
      i = html.find("-->", i + 4);
      if (i == std::string_view::npos) break;
      continue;
    }
    if (i + 1 == html.size() || !is_ascii_alpha(html[i + 1])) {
      ++i;
      continue;
    }
    const StartTag tag = read_start_tag(html, i);
    if (tag.end == std::string_view::npos) break;
    const auto* raw = std::find_if(k_raw_text_elements.begin(), k_raw_text_elements.end(),
                                   [&](std::string_view name) { return equals_ci(tag.name, name); });
    if (raw == k_raw_text_elements.end()) {
      i = tag.end;
    } else if (tag.self_closing) {
      out.append(html.substr(copied, i - copied));
      if (*raw != "plaintext") out.append(html.substr(i, tag.end - 2 - i)).append("></").append(*raw).append(">");
      i = copied = tag.end;
    } else if (*raw == "plaintext") {
      break;
    } else {
      i = find_end_tag(html, tag.end, *raw);
    }
  }
  if (copied == 0) return std::nullopt;
  out.append(html.substr(copied));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Bounded nesting

// gumbo's tree builder walks the stack of open elements for most tags ("has a p element in
// button scope", WHATWG HTML §13.2.6.4.7), and before each text run and most inline start tags
// it reopens every active formatting element (b, i, a, font, ...) that was closed while open
// ("reconstruct the active formatting elements", §13.2.4.3). Its time grows with the square of
// the nesting, and reopened elements pile up: 100,000 nested <div> took 62 s, 20,000
// `<p><b id=N>x</p>` more than 100 s. Browsers bound the depth (Blink attaches elements past 512
// levels to their parent; Nokogiri's gumbo fails a document past 400). NestingBound follows the
// tree builder of gumbo 0.10.1 enough to bound both, and rewrites the input where needed:
//   - svg, select and template elements are left out with their content (html_to_text drops
//     them), and math tags are left out (their text stays), so that no foreign content, select
//     or template contents remain, whose rules the model does not follow (in a fragment, for
//     one, no HTML start tag ends foreign content);
//   - a start tag that would open more than k_max_open_elements elements is dropped, and so is
//     the end tag that closes it: its text stays, in the enclosing element;
//   - so is a formatting start tag while k_max_formatting formatting start tags wait for their
//     end tag (every one counts: the "Noah's Ark" clause is not applied);
//   - when an end tag, or a p, li, dd or dt start tag, closes formatting elements that gumbo
//     would then reopen, and more than k_max_reopened would wait, their end tags are written
//     before it, so that gumbo closes them there.
// The model never closes an element that gumbo keeps open: an end tag closes the current
// element, or one below the implied end tags (p, li, dd, dt, option, ...) and formatting
// elements, and </table> what is in its table; a start tag closes a p, li, dd or dt below
// formatting elements, or the current a, nobr, option, td, th, tr or heading; table parts outside
// a table, which gumbo ignores, are never closed. So gumbo's stack is deeper than the model's
// only by what it adds itself (a table's tbody and tr, reopened formatting elements). Elsewhere
// the model keeps elements open that gumbo closes. Checked against gumbo with random tag
// sequences, each repeated 2,000-3,000 times (bench/html_nesting_check.cpp): the parsed tree
// stays within about 2 x 256 levels and 2 nodes per input tag. In the corpus only svg and select
// elements are left out, and the text of every body is unchanged.
constexpr size_t k_unchecked_tags = 8;  // a body with no more tags passes as it is: it cannot pass a bound
constexpr size_t k_max_open_elements = 256;
constexpr size_t k_max_formatting = 8;
constexpr size_t k_max_reopened = 4;

// Void elements (no end tag, never on the stack of open elements).
constexpr auto k_void_elements = std::to_array<std::string_view>(
    {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "image", "img", "input", "keygen",
     "link", "meta", "param", "source", "track", "wbr"});
// Formatting elements (the list of active formatting elements holds them).
constexpr auto k_formatting_elements = std::to_array<std::string_view>(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"});
// Elements that an end tag of another element closes on its way ("generate implied end tags").
constexpr auto k_implied_end =
    std::to_array<std::string_view>({"dd", "dt", "li", "optgroup", "option", "p", "rp", "rt"});
// Start tags that close a current p (§13.2.6.4.7).
constexpr auto k_closes_p = std::to_array<std::string_view>(
    {"address", "article",  "aside",      "blockquote", "center", "details", "dialog",  "dir",  "div",
     "dl",      "fieldset", "figcaption", "figure",     "footer", "form",    "h1",      "h2",   "h3",
     "h4",      "h5",       "h6",         "header",     "hgroup", "hr",      "listing", "main", "menu",
     "nav",     "ol",       "p",          "pre",        "search", "section", "summary", "ul"});
// Other start tags before which gumbo does not reopen formatting elements.
constexpr auto k_no_reopen =
    std::to_array<std::string_view>({"body", "caption", "colgroup", "dd", "dt", "frameset", "head", "html", "li",
                                     "plaintext", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr"});
// Start and end tags that gumbo does not keep on the stack in a body (it merges or ignores them).
constexpr auto k_not_kept = std::to_array<std::string_view>({"body", "frame", "frameset", "head", "html"});
// Table elements (gumbo ignores all but table outside one).
constexpr auto k_table_parts =
    std::to_array<std::string_view>({"caption", "colgroup", "table", "tbody", "td", "tfoot", "th", "thead", "tr"});
// Elements that a start tag of the same name closes when it is the current element (rb, rp, rt
// and optgroup close only inside ruby or select, which the model does not follow).
constexpr auto k_closed_by_same =
    std::to_array<std::string_view>({"a", "dd", "dt", "li", "nobr", "option", "p", "td", "th", "tr"});

template <size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_heading(std::string_view name) {
  return name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
  return out;
}

class NestingBound {
 public:
  explicit NestingBound(std::string_view html) : m_html(html) {}

  std::optional<std::string> run() {
    size_t i = 0;
    while (i < m_html.size()) {
      const size_t lt = m_html.find('<', i);
      if (lt != i) reopen();  // a text run
      if (lt == std::string_view::npos) break;
      const std::string_view rest = m_html.substr(lt);
      if (rest.starts_with("<!--")) {
        const size_t close = m_html.find("-->", lt + 4);
        i = close == std::string_view::npos ? m_html.size() : close + 3;
      } else if (rest.size() > 2 && rest[1] == '/' && is_ascii_alpha(rest[2])) {
        // An end tag reads like a start tag (its attributes are ignored).
        const StartTag tag = read_start_tag(m_html, lt + 1);
        if (tag.end == std::string_view::npos) break;
        const std::string name = lower(tag.name);
        if (name == "math" || name == "svg") {
          cut(lt, tag.end);
        } else {
          end_tag(name, lt, tag.end);
        }
        i = tag.end;
      } else if (rest.size() > 1 && (rest[1] == '!' || rest[1] == '?' || rest[1] == '/')) {
        const size_t close = m_html.find('>', lt + 1);  // a bogus comment
        i = close == std::string_view::npos ? m_html.size() : close + 1;
      } else if (rest.size() > 1 && is_ascii_alpha(rest[1])) {
        const StartTag tag = read_start_tag(m_html, lt);
        if (tag.end == std::string_view::npos) break;
        const std::string name = lower(tag.name);
        i = tag.end;
        if (name == "plaintext") break;
        if (is_one_of(name, k_raw_text_elements)) {
          i = find_end_tag(m_html, tag.end, name);  // passed over; it is not kept open
        } else if (name == "svg" || name == "select" || name == "template") {
          // Left out with what it holds (html_to_text drops all three): no foreign content,
          // select or template contents remain, whose tree-building rules the model does not follow.
          i = name == "svg" && tag.self_closing ? tag.end : end_of(name, tag.end);
          cut(lt, i);
        } else if (name == "math") {
          cut(lt, tag.end);  // its elements are read as HTML: their text stays
        } else {
          start_tag(name, lt, tag.end);
        }
      } else {
        i = lt + 1;  // a '<' that is text
      }
    }
    if (!m_changed) return std::nullopt;
    m_out.append(m_html.substr(m_copied));
    return std::move(m_out);
  }

 private:
  struct Open {
    std::string name;
    bool formatting = false;
    bool phantom = false;  // a table part outside a table, which gumbo ignores: never closed by an end tag
  };

  // Offset just past the end tag of the `name` element (svg, select or template) whose content
  // starts at `from`, or the end of the input. svg and template elements nest; a select ends at
  // the start tag of a select, input, keygen or textarea too (before it), as in gumbo.
  [[nodiscard]] size_t end_of(std::string_view name, size_t from) const {
    size_t depth = 1;
    for (size_t at = m_html.find('<', from); at != std::string_view::npos; at = m_html.find('<', at + 1)) {
      const bool end = at + 1 < m_html.size() && m_html[at + 1] == '/';
      const size_t start = at + (end ? 2 : 1);
      size_t stop = start;
      while (stop < m_html.size() && is_ascii_alpha(m_html[stop])) ++stop;
      const std::string tag = lower(m_html.substr(start, stop - start));
      if (name == "select" && !end && (tag == "select" || tag == "input" || tag == "keygen" || tag == "textarea")) {
        return at;
      }
      if (tag != name) continue;
      const size_t close = m_html.find('>', stop);
      if (close == std::string_view::npos) break;
      if (!end && m_html[close - 1] == '/' && name == "svg") continue;  // <svg/>
      if (!end) {
        if (name != "select") ++depth;
      } else if (--depth == 0) {
        return close + 1;
      }
    }
    return m_html.size();
  }

  void start_tag(const std::string& name, size_t lt, size_t end) {
    if (is_one_of(name, k_void_elements) || is_one_of(name, k_not_kept)) return;
    if (!is_one_of(name, k_closes_p) && !is_one_of(name, k_no_reopen)) reopen();
    close_before(name, lt);
    const bool formatting = is_one_of(name, k_formatting_elements);
    // A second <a> (or <nobr>) closes the active one first.
    if (formatting && (name == "a" || name == "nobr")) forget_active(name);
    if (m_open.size() >= k_max_open_elements || (formatting && m_active.size() >= k_max_formatting)) {
      cut(lt, end);
      ++m_dropped[name];
      return;
    }
    if (formatting) m_active.push_back(name);
    const bool in_table = !m_open.empty() && !m_open.back().phantom && is_one_of(m_open.back().name, k_table_parts);
    m_open.push_back({name, formatting, is_one_of(name, k_table_parts) && name != "table" && !in_table});
  }

  // What a start tag closes first: a p, li, dd or dt with the formatting elements in it; an a,
  // nobr, option, td, th, tr, heading or table only as the current element.
  void close_before(const std::string& name, size_t lt) {
    if (m_open.empty()) return;
    size_t k = m_open.size();
    while (k > 1 && m_open[k - 1].formatting) --k;
    const std::string& below = m_open[k - 1].name;
    if ((below == "p" && is_one_of(name, k_closes_p)) || (below == "li" && name == "li") ||
        ((below == "dd" || below == "dt") && (name == "dd" || name == "dt"))) {
      close_from(k - 1, lt);
      return;
    }
    const std::string& current = m_open.back().name;
    if (!m_open.back().phantom &&
        ((current == name && is_one_of(name, k_closed_by_same)) || (is_heading(current) && is_heading(name)))) {
      m_open.pop_back();
    }
  }

  void end_tag(const std::string& name, size_t lt, size_t end) {
    if (const auto dropped = m_dropped.find(name); dropped != m_dropped.end() && dropped->second > 0) {
      --dropped->second;
      cut(lt, end);
      return;
    }
    if (is_one_of(name, k_not_kept)) return;
    // The element it closes: the current one, or one below the implied end tags and formatting
    // elements that it closes on the way; </table> closes everything in its table.
    size_t k = m_open.size();
    while (k > 0 && (m_open[k - 1].name != name || m_open[k - 1].phantom)) {
      const Open& e = m_open[k - 1];
      if (name == "table" ? e.name == "template" : e.phantom || (!e.formatting && !is_one_of(e.name, k_implied_end))) {
        k = 0;
        break;
      }
      --k;
    }
    if (k == 0) {
      // A formatting element that is not open is forgotten; one that is open behind other
      // elements stays active (the adoption agency clones it, §13.2.6.5).
      const bool open = std::any_of(m_open.begin(), m_open.end(), [&](const Open& e) { return e.name == name; });
      if (!open) forget_active(name);
      const auto waiting = std::find(m_reopen.rbegin(), m_reopen.rend(), name);
      if (waiting != m_reopen.rend()) m_reopen.erase(std::next(waiting).base());
      return;
    }
    if (m_open[k - 1].formatting) forget_active(name);
    if (name == "form") {  // </form> takes the form out of the stack and closes nothing else
      m_open.erase(m_open.begin() + static_cast<std::ptrdiff_t>(k - 1));
      return;
    }
    close_from(k - 1, lt);
  }

  // Closes m_open[index] and what is above it, at the tag that starts at `at`. gumbo reopens the
  // formatting elements closed on the way before the next text run or inline start tag; when
  // more than k_max_reopened would wait, their end tags are written before the tag instead, so
  // that gumbo closes them there.
  void close_from(size_t index, size_t at) {
    std::vector<std::string> closed;  // innermost last
    for (size_t j = index + 1; j < m_open.size(); ++j) {
      if (m_open[j].formatting) closed.push_back(std::move(m_open[j].name));
    }
    m_open.erase(m_open.begin() + static_cast<std::ptrdiff_t>(index), m_open.end());
    if (m_reopen.size() + closed.size() <= k_max_reopened) {
      m_reopen.insert(m_reopen.end(), std::make_move_iterator(closed.begin()), std::make_move_iterator(closed.end()));
      return;
    }
    std::string end_tags;
    for (auto c = closed.rbegin(); c != closed.rend(); ++c) {
      end_tags.append("</").append(*c).append(">");
      forget_active(*c);
    }
    insert(at, end_tags);
  }

  // Reopens (in the model) the formatting elements that wait for it.
  void reopen() {
    for (std::string& name : m_reopen) m_open.push_back({std::move(name), true});
    m_reopen.clear();
  }

  // An end tag (or a second <a>) takes the last active formatting element of its name out of
  // the list (the adoption agency, §13.2.6.5); without one, it takes out nothing.
  void forget_active(const std::string& name) {
    const auto it = std::find(m_active.rbegin(), m_active.rend(), name);
    if (it != m_active.rend()) m_active.erase(std::next(it).base());
  }

  // Copies the input up to `from` and leaves out [from, to).
  void cut(size_t from, size_t to) {
    m_out.append(m_html.substr(m_copied, from - m_copied));
    m_copied = to;
    m_changed = true;
  }
  // Copies the input up to `at` and adds `text`.
  void insert(size_t at, std::string_view text) {
    m_out.append(m_html.substr(m_copied, at - m_copied)).append(text);
    m_copied = at;
    m_changed = true;
  }

  std::string_view m_html;
  std::string m_out;
  size_t m_copied = 0;  // m_html[0, m_copied) is in m_out (or left out)
  bool m_changed = false;
  std::vector<Open> m_open;
  std::vector<std::string> m_active;                  // formatting elements whose end tag has not come, in order
  std::vector<std::string> m_reopen;                  // formatting elements closed on the way, that gumbo reopens
  std::unordered_map<std::string, size_t> m_dropped;  // start tags left out, by name, whose end tag is to come
};

// ---------------------------------------------------------------------------------------------
// Page chrome

// Class names that mark chrome in WordPress and Jekyll themes: the post's meta line and footer,
// sharing widgets, comments, related posts, navigation, sidebars and widgets. A class token
// matches one of them exactly or as a BEM block ("entry-meta__text", "share--big").
constexpr std::array<std::string_view, 23> k_chrome_classes = {
    "breadcrumb",  "breadcrumbs",     "comment-respond", "comments",   "comments-area", "entry-footer",
    "entry-meta",  "jp-relatedposts", "nav-links",       "navigation", "post-meta",     "post-navigation",
    "related",     "related-posts",   "share",           "sharedaddy", "sharing",       "sidebar",
    "site-footer", "site-header",     "social-share",    "widget",     "yarpp-related"};

// Class names of the element that holds a post's content in WordPress (`the_content()`) and
// Jekyll themes.
constexpr std::array<std::string_view, 2> k_content_classes = {"entry-content", "post-content"};

// True if one of the element's class tokens is `word` or starts with `word` + "__" or "--".
template <size_t N>
bool has_class(const GumboElement& element, const std::array<std::string_view, N>& words, bool bem) {
  const GumboAttribute* cls = gumbo_get_attribute(&element.attributes, "class");
  if (cls == nullptr) return false;
  const std::string_view value = cls->value;
  for (size_t pos = 0; pos < value.size();) {
    while (pos < value.size() && is_tag_space(value[pos])) ++pos;
    size_t end = pos;
    while (end < value.size() && !is_tag_space(value[end])) ++end;
    const std::string_view token = value.substr(pos, end - pos);
    for (const std::string_view word : words) {
      if (token.size() < word.size() || !equals_ci(token.substr(0, word.size()), word)) continue;
      const std::string_view rest = token.substr(word.size());
      if (rest.empty() || (bem && (rest.starts_with("__") || rest.starts_with("--")))) return true;
    }
    pos = end;
  }
  return false;
}

// Chrome by element or class: navigation, page and section headers and footers, asides, forms
// (comment, search and subscription forms), and the classes above.
bool is_chrome(const GumboNode* node) {
  switch (node->v.element.tag) {
    case GUMBO_TAG_NAV:
    case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FOOTER:
    case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM:
      return true;
    default:
      return has_class(node->v.element, k_chrome_classes, true);
  }
}

bool is_element(const GumboNode* node) { return node->type == GUMBO_NODE_ELEMENT; }

// The part of a scraped page that holds the post: the first element with a content class, else
// the first <article>, else the first <main>, else the whole document.
const GumboNode* find_content_root(const GumboNode* document) {
  const GumboNode* article = nullptr;
  const GumboNode* main = nullptr;
  std::vector<const GumboNode*> stack = {document};
  while (!stack.empty()) {
    const GumboNode* node = stack.back();
    stack.pop_back();
    if (node != document) {
      if (has_class(node->v.element, k_content_classes, false)) return node;
      if (article == nullptr && node->v.element.tag == GUMBO_TAG_ARTICLE) article = node;
      if (main == nullptr && node->v.element.tag == GUMBO_TAG_MAIN) main = node;
    }
    const GumboVector& children = node->v.element.children;
    for (unsigned i = children.length; i-- > 0;) {  // reversed, so that the stack pops in document order
      const auto* child = static_cast<const GumboNode*>(children.data[i]);
      if (is_element(child)) stack.push_back(child);
    }
  }
  return article != nullptr ? article : main != nullptr ? main : document;
}

size_t visible_bytes(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) { return !is_tag_space(c); }));
}

// The <ul>, <ol> and <section> elements under `root` whose text, not counting chrome and
// dropped elements, is all link text: menus, tag lists and lists of related posts. One
// post-order pass (iterative, like TextWalker).
std::unordered_set<const GumboNode*> find_link_lists(const GumboNode* root) {
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
    bool in_link;
    size_t text;
    size_t link_text;
  };
  std::unordered_set<const GumboNode*> lists;
  std::vector<Frame> stack = {Frame{root, 0, false, 0, 0}};
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const GumboVector& children = frame.node->v.element.children;
    if (frame.next_child < children.length) {
      const auto* child = static_cast<const GumboNode*>(children.data[frame.next_child++]);
      if (child->type == GUMBO_NODE_TEXT || child->type == GUMBO_NODE_CDATA) {
        const size_t n = visible_bytes(child->v.text.text);
        frame.text += n;
        if (frame.in_link) frame.link_text += n;
      } else if (is_element(child) && role_of(child->v.element.tag) != TagRole::dropped && !is_chrome(child)) {
        const bool in_link = frame.in_link || child->v.element.tag == GUMBO_TAG_A;
        stack.push_back(Frame{child, 0, in_link, 0, 0});
      }
      continue;
    }
    const Frame done = frame;
    stack.pop_back();
    const GumboTag tag = done.node->v.element.tag;
    if ((tag == GUMBO_TAG_UL || tag == GUMBO_TAG_OL || tag == GUMBO_TAG_SECTION) && done.text > 0 &&
        done.link_text == done.text) {
      lists.insert(done.node);
    }
    if (!stack.empty()) {
      stack.back().text += done.text;
      stack.back().link_text += done.link_text;
    }
  }
  return lists;
}

// Walks the tree once (iteratively: malformed pages can nest thousands of levels deep).
class TextWalker {
 public:
  /// A walker over a feed body; with `page`, one that also passes over page chrome (is_chrome)
  /// and the link lists found under the root it runs on.
  explicit TextWalker(bool page = false) : m_page(page) {}

  HtmlText run(const GumboNode* root) {
    if (m_page) m_link_lists = find_link_lists(root);
    visit_children(root);
    while (!m_stack.empty()) {
      Frame& frame = m_stack.back();
      const GumboVector& children = frame.node->v.element.children;
      if (frame.next_child < children.length) {
        visit(static_cast<const GumboNode*>(children.data[frame.next_child++]));
      } else {
        const Frame done = frame;
        m_stack.pop_back();
        leave(done);
      }
    }
    return HtmlText{m_sink.take(), std::move(m_author)};
  }

 private:
  struct Frame {
    const GumboNode* node;
    unsigned next_child;
    TagRole role;
    size_t address_start;  // text offset where a byline <address> began, or npos
  };

  void visit_children(const GumboNode* node) {
    m_stack.push_back(Frame{node, 0, TagRole::inline_text, std::string::npos});
  }

  void visit(const GumboNode* node) {
    if (is_text_node(node)) {
      m_sink.append(node->v.text.text);
      return;
    }
    if (node->type != GUMBO_NODE_ELEMENT) return;  // comments, templates, documents
    const GumboElement& element = node->v.element;
    const TagRole role = role_of(element.tag);
    if (m_page && role != TagRole::dropped && (is_chrome(node) || m_link_lists.contains(node))) return;
    switch (role) {
      case TagRole::dropped:
        return;
      case TagRole::line_break:
        m_sink.paragraph_break();
        return;
      case TagRole::image: {
        const GumboAttribute* alt = gumbo_get_attribute(&element.attributes, "alt");
        if (alt != nullptr && !collapse_whitespace(alt->value).empty()) {
          m_sink.paragraph_break();
          m_sink.append(alt->value);
          m_sink.paragraph_break();
        }
        return;
      }
      case TagRole::block:
        m_sink.paragraph_break();
        break;
      case TagRole::cell:
        m_sink.word_break();
        break;
      case TagRole::inline_text:
        break;
    }
    size_t address_start = std::string::npos;
    if (!m_byline_seen && element.tag == GUMBO_TAG_ADDRESS) {
      m_byline_seen = true;
      address_start = m_sink.size();
    } else if (!m_byline_seen && element.tag == GUMBO_TAG_I && m_sink.empty()) {
      m_author = byline_author(node);
      m_byline_seen = !m_author.empty();
    }
    m_stack.push_back(Frame{node, 0, role, address_start});
  }

  void leave(const Frame& frame) {
    if (frame.address_start != std::string::npos) {
      m_author = collapse_whitespace(m_sink.view().substr(frame.address_start));
    }
    if (frame.role == TagRole::block) m_sink.paragraph_break();
    if (frame.role == TagRole::cell) m_sink.word_break();
  }

  TextSink m_sink;
  std::string m_author;
  bool m_byline_seen = false;
  std::vector<Frame> m_stack;
  bool m_page;
  std::unordered_set<const GumboNode*> m_link_lists;
};

bool is_reference_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '#';
}

// End of the character reference that starts at s[amp] == '&': its name or number and a ';'.
size_t reference_end(std::string_view s, size_t amp) {
  size_t end = amp + 1;
  while (end < s.size() && is_reference_char(s[end])) ++end;
  if (end < s.size() && s[end] == ';') ++end;
  return end;
}

// Decodes one character reference ("&amp;", "&#x4E2D;", "&amp" …) with gumbo. Only the reference
// itself goes to gumbo, so its full HTML5 table (and legacy rules such as "&amp" without ';')
// applies while '<' or whitespace elsewhere stay literal.
std::string decode_reference(std::string_view reference) {
  std::string out;
  GumboOutput* output = parse_fragment(reference);
  const GumboVector& children = output->root->v.element.children;
  for (unsigned c = 0; c < children.length; ++c) {
    const auto* child = static_cast<const GumboNode*>(children.data[c]);
    if (is_text_node(child)) out += child->v.text.text;
  }
  destroy(output);
  return out;
}

}  // namespace

std::optional<std::string> bound_nesting(std::string_view html) {
  if (static_cast<size_t>(std::count(html.begin(), html.end(), '<')) <= k_unchecked_tags) return std::nullopt;
  return NestingBound(html).run();
}

HtmlText html_to_text(std::string_view html, HtmlSource source) {
  if (html.find_first_of("<&") == std::string_view::npos) {
    // Plain-text bodies (YouTube descriptions) need no parse.
    return HtmlText{collapse_whitespace(html), {}};
  }
  const std::optional<std::string> closed = close_self_closed_raw_text(html);
  if (closed) html = *closed;
  const std::optional<std::string> bounded = bound_nesting(html);
  if (bounded) html = *bounded;
  GumboOutput* output = parse_fragment(html);
  const bool page = source == HtmlSource::scraped_page;
  HtmlText result = TextWalker(page).run(page ? find_content_root(output->root) : output->root);
  destroy(output);
  return result;
}

std::string collapse_whitespace(std::string_view s) {
  TextSink sink;
  sink.append(s);
  return sink.take();
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t amp = s.find('&', i);
    out += s.substr(i, amp - i);
    if (amp == std::string_view::npos) break;
    const size_t end = reference_end(s, amp);
    out += end == amp + 1 ? std::string("&") : decode_reference(s.substr(amp, end - amp));
    i = end;
  }
  return out;
}

std::string decode_double_escaped(std::string_view s) {
  const std::string once = decode_entities(s);
  std::string out;
  out.reserve(once.size());
  size_t i = 0;
  while (i < once.size()) {
    const size_t amp = once.find('&', i);
    out += std::string_view(once).substr(i, amp - i);
    if (amp == std::string::npos) break;
    const size_t end = reference_end(once, amp);
    const std::string_view reference = std::string_view(once).substr(amp, end - amp);
    if (reference.size() > 2 && reference.ends_with(';')) {
      // A whole reference: gumbo decoded all of it (a legacy prefix such as "&not" in "&notit;"
      // leaves the rest, ';' included) into a character other than U+FFFD (invalid numbers).
      const std::string decoded = decode_reference(reference);
      if (decoded != reference && decoded != "\uFFFD" && (!decoded.ends_with(';') || decoded == ";")) {
        out += decoded;
        i = end;
        continue;
      }
    }
    out += '&';
    i = amp + 1;
  }
  return out;
}

}  // namespace newsidx
