// html_text.cpp — article body HTML to paragraph text and byline, using gumbo-parser.
#include "newsidx/html_text.hpp"

#include <gumbo.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace newsidx {
namespace {

// How an element affects the text around it.
enum class TagRole { inline_text, block, cell, line_break, image, dropped };

TagRole role_of(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_ASIDE: case GUMBO_TAG_NAV:
    case GUMBO_TAG_MAIN: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_FIGURE:
    case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_CAPTION: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_LI: case GUMBO_TAG_DL: case GUMBO_TAG_DT:
    case GUMBO_TAG_DD: case GUMBO_TAG_TABLE: case GUMBO_TAG_TR: case GUMBO_TAG_PRE:
    case GUMBO_TAG_CENTER: case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_FORM:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_BODY:
      return TagRole::block;
    case GUMBO_TAG_TD: case GUMBO_TAG_TH:
      return TagRole::cell;
    case GUMBO_TAG_BR: case GUMBO_TAG_HR:
      return TagRole::line_break;
    case GUMBO_TAG_IMG:
      return TagRole::image;
    // Invisible or UI-only content: the feeds embed players (whose only text is "your browser
    // does not support..."), trackers and quiz buttons.
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_NOSCRIPT:
    case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_HEAD: case GUMBO_TAG_SVG: case GUMBO_TAG_BUTTON:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_CANVAS: case GUMBO_TAG_TITLE:
      return TagRole::dropped;
    default:
      return TagRole::inline_text;
  }
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
      } else if (c == 0xE2 && (s.substr(i, 3) == "\xE2\x80\xA8" ||    // U+2028
                               s.substr(i, 3) == "\xE2\x80\xA9")) {  // U+2029
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

std::string collapse_whitespace(std::string_view s) {
  TextSink sink;
  sink.append(s);
  return sink.take();
}

// Parses with the body-of-a-<div> context: article bodies are fragments, and the context
// keeps a leading <style> or <link> in place instead of moving it to a synthetic <head>.
GumboOutput* parse_fragment(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  options.fragment_context = GUMBO_TAG_DIV;
  options.max_errors = 0;  // parse errors are never reported; recording them costs time
  return gumbo_parse_with_options(&options, html.data(), html.size());
}

void destroy(GumboOutput* output) { gumbo_destroy_output(&kGumboDefaultOptions, output); }

bool is_text_node(const GumboNode* node) {
  return node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE ||
         node->type == GUMBO_NODE_CDATA;
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

// Walks the tree once (iteratively: malformed pages can nest thousands of levels deep).
class TextWalker {
 public:
  HtmlText run(const GumboNode* root) {
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
};

bool is_reference_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '#';
}

}  // namespace

HtmlText html_to_text(std::string_view html) {
  if (html.find_first_of("<&") == std::string_view::npos) {
    // Plain-text bodies (YouTube descriptions) need no parse.
    return HtmlText{collapse_whitespace(html), {}};
  }
  GumboOutput* output = parse_fragment(html);
  HtmlText result = TextWalker().run(output->root);
  destroy(output);
  return result;
}

std::string decode_entities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const size_t amp = s.find('&', i);
    out += s.substr(i, amp - i);
    if (amp == std::string_view::npos) break;
    size_t end = amp + 1;
    while (end < s.size() && is_reference_char(s[end])) ++end;
    if (end < s.size() && s[end] == ';') ++end;
    // Only the reference itself goes to gumbo, so its full HTML5 table (and legacy rules
    // such as "&amp" without ';') applies while '<' or whitespace elsewhere stay literal.
    const std::string_view reference = s.substr(amp, end - amp);
    if (reference.size() == 1) {
      out += '&';
    } else {
      GumboOutput* output = parse_fragment(reference);
      const GumboVector& children = output->root->v.element.children;
      for (unsigned c = 0; c < children.length; ++c) {
        const auto* child = static_cast<const GumboNode*>(children.data[c]);
        if (is_text_node(child)) out += child->v.text.text;
      }
      destroy(output);
    }
    i = end;
  }
  return out;
}

}  // namespace newsidx
