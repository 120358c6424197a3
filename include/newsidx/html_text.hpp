// html_text.hpp — HTML body to plain text (the only gumbo user is src/html_text.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace newsidx {

/// Plain text and metadata extracted from an article body.
struct HtmlText {
  std::string text;    ///< paragraphs separated by '\n'; whitespace inside a paragraph collapsed
  std::string author;  ///< author if the body names one (see html_to_text); else ""
};

/// What an HTML input is: the body of a feed item (a fragment, all of it the article), or a
/// whole page scraped from a site (the article inside the site's chrome).
enum class HtmlSource { feed_body, scraped_page };

/// Converts HTML to text with gumbo-parser.
/// Block elements (p, div, section, figure, figcaption, li, h1–h6, blockquote, tr, address, br, hr)
/// give paragraph breaks; table cells are separated by a space; no paragraph is empty. Whitespace,
/// U+00A0, U+2000–U+200A, U+2028/U+2029, U+202F and U+205F collapse to single spaces; U+FEFF is
/// removed; other characters (including CJK and U+3000) are kept as they are. script, style,
/// iframe, noscript, template, title, head, svg, audio, video, object, canvas, button, select and
/// comments are dropped; non-empty img alt text (as its own paragraph) and captions are kept.
/// Entities are decoded.
/// Raw-text elements written XHTML-style (`<iframe …/>`, `<script …/>`; also style, textarea,
/// title, noscript, xmp, noembed, noframes, plaintext) are closed where they open: HTML5 would
/// read the rest of the input as their text. Tags are read as the HTML5 tokenizer reads them
/// (quoted attribute values, comments and the text of properly closed raw-text elements are
/// passed over).
/// Of a scraped_page, only what a reader reads as the post is kept (rules of WordPress and
/// Jekyll themes, checked on the 1,448 nei.st pages of zhouxiang93123/waimei):
///   - the root is the first element with class `entry-content` or `post-content` (the post
///     body); else the first <article>; else the first <main>; else the document;
///   - under it, chrome is passed over: <nav>, <header>, <footer>, <aside> and <form> (the page
///     and entry headers that repeat the title, entry footers, comment and search forms), and
///     elements with a class (exactly, or as a BEM block such as `entry-meta__text`) among
///     entry-meta, post-meta, entry-footer, share, sharing, sharedaddy, social-share, comments,
///     comments-area, comment-respond, related, related-posts, jp-relatedposts, yarpp-related,
///     navigation, post-navigation, nav-links, breadcrumb(s), sidebar, widget, site-header and
///     site-footer;
///   - so are link lists: a <ul>, <ol> or <section> whose text (chrome aside) is all link text,
///     such as menus, tag lists and "Related" lists.
/// Author: the text of the first <address> (NYT 2024), or, when the body starts with
/// <i>AUTHOR<br>DATE</i> and DATE looks like a timestamp, AUTHOR (NYT/DW 2020 feeds; a
/// generator "null " prefix is dropped). The author stays in the text too.
/// Nesting is bounded first (bound_nesting). Never fails: malformed HTML gives best-effort text.
HtmlText html_to_text(std::string_view html, HtmlSource source = HtmlSource::feed_body);

/// The rewrite html_to_text applies before gumbo parses `html`, so that the parse takes time and
/// memory in proportion to its size (gumbo's tree builder costs the square of the nesting: 100,000
/// nested <div> took 62 s). Following gumbo's HTML5 tree builder approximately (never closing an
/// element that it keeps open):
///   - svg, select and template elements are left out with their content, which html_to_text
///     drops anyway, and math tags are left out (their text stays);
///   - a start tag that would open more than 256 elements is dropped, and so is the end tag that
///     closes it (its text joins the enclosing element), as browsers bound the depth (Blink at
///     512 levels, Nokogiri's gumbo at 400);
///   - so is a formatting start tag (b, i, a, font, ...) while 8 wait for their end tag;
///   - where gumbo would reopen more than 4 formatting elements in the next paragraph (after
///     `<p><b id=1>x</p><p><b id=2>x</p>...`), their end tags are written before the tag that
///     closes them.
/// Returns nullopt when nothing is rewritten. In the 24,497-file corpus only svg and select
/// elements are left out (421 and 5, in 399 bodies), and the text of every body is unchanged.
std::optional<std::string> bound_nesting(std::string_view html);

/// Plain text with the whitespace rule of html_to_text: whitespace runs (including the Unicode
/// spaces above, such as the U+200A hair spaces of Medium bylines) become one space, U+FEFF is
/// removed, and the ends are trimmed. Newlines are whitespace too.
std::string collapse_whitespace(std::string_view s);

/// Decodes HTML character references (&amp; &quot; &#39; &#x4E2D; ...) in a plain string, in
/// one pass ("&amp;#39;" gives "&#39;"), with HTML5 rules and its full named-reference table.
/// Everything that is not a reference, including '<' and whitespace, is copied unchanged.
std::string decode_entities(std::string_view s);

/// Decodes text that may be HTML-escaped twice, as some feed titles are ("大&amp;#22338;直美"):
/// decode_entities, then once more each character reference its result holds that is a whole,
/// valid one: a number of a valid code point ("&#22338;" gives "坂"; "&#0;" stays) or a name
/// with its ';' from the HTML5 table ("&amp;quot;" gives '"'). Any other '&' stays as the first
/// pass left it: "AT&amp;T" gives "AT&T", "&amp;bogus;" gives "&bogus;". A text that means a
/// literal "&amp;" and was escaped once ("&amp;amp;") is decoded to "&" too: such a title
/// cannot be told apart from a twice-escaped "&".
std::string decode_double_escaped(std::string_view s);

}  // namespace newsidx
