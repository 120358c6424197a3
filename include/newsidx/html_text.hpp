// html_text.hpp — HTML body to plain text (the only gumbo user is src/html_text.cpp).
#pragma once

#include <string>
#include <string_view>

namespace newsidx {

/// Plain text and metadata extracted from an article body.
struct HtmlText {
  std::string text;    ///< paragraphs separated by '\n'; whitespace inside a paragraph collapsed
  std::string author;  ///< author if the body names one (see html_to_text); else ""
};

/// Converts an HTML fragment to text with gumbo-parser.
/// Block elements (p, div, section, figure, figcaption, li, h1–h6, blockquote, tr, address, br, hr)
/// give paragraph breaks; table cells are separated by a space; no paragraph is empty. Whitespace,
/// U+00A0 and U+2028/U+2029 collapse to single spaces; U+FEFF is removed; other characters
/// (including CJK and U+3000) are kept as they are. script, style, iframe, noscript, template,
/// title, svg, audio, video, object, canvas, button, select and comments are dropped; non-empty
/// img alt text (as its own paragraph) and captions are kept. Entities are decoded.
/// Author: the text of the first <address> (NYT 2024), or, when the body starts with
/// <i>AUTHOR<br>DATE</i> and DATE looks like a timestamp, AUTHOR (NYT/DW 2020 feeds; a
/// generator "null " prefix is dropped). The author stays in the text too.
/// Never fails: malformed HTML gives best-effort text.
HtmlText html_to_text(std::string_view html);

/// Decodes HTML character references (&amp; &quot; &#39; &#x4E2D; ...) in a plain string, in
/// one pass ("&amp;#39;" gives "&#39;"), with HTML5 rules and its full named-reference table.
/// Everything that is not a reference, including '<' and whitespace, is copied unchanged.
std::string decode_entities(std::string_view s);

}  // namespace newsidx
