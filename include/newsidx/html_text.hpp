// html_text.hpp — HTML body to plain text (the only gumbo user is src/html_text.cpp).
#pragma once

#include <string>
#include <string_view>

namespace newsidx {

/// Plain text and metadata extracted from an article body.
struct HtmlText {
  std::string text;    ///< paragraphs separated by '\n'; whitespace inside a paragraph collapsed
  std::string author;  ///< author if the body names one (see article.hpp); else ""
};

/// Converts an HTML fragment to text with gumbo-parser.
/// Block elements (p, div, section, figure, figcaption, li, h1–h6, blockquote, tr, address, br, hr)
/// give paragraph breaks; script, style, iframe, noscript and template are dropped; img alt text
/// and captions are kept. Entities are decoded. Never fails: malformed HTML gives best-effort text.
HtmlText html_to_text(std::string_view html);

/// Decodes HTML character references (&amp; &quot; &#39; &#x4E2D; ...) in a plain string.
std::string decode_entities(std::string_view s);

}  // namespace newsidx
