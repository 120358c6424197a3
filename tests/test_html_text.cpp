// test_html_text.cpp — html_to_text paragraphs, dropped elements, bylines; decode_entities.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

#include "newsidx/html_text.hpp"

namespace newsidx {
namespace {

std::string text_of(std::string_view html) { return html_to_text(html).text; }

// ---------------------------------------------------------------- paragraphs

TEST(HtmlToText, BlockElementsSeparateParagraphs) {
  EXPECT_EQ(text_of("<p>a</p><p>b</p>"), "a\nb");
  EXPECT_EQ(text_of("<div>a<div>b</div>c</div>"), "a\nb\nc");
  EXPECT_EQ(text_of("<h2>Head</h2>text<blockquote>quote</blockquote>"), "Head\ntext\nquote");
  EXPECT_EQ(text_of("<section><p>s</p></section><footer><p>f</p></footer>"), "s\nf");
  EXPECT_EQ(text_of("<ul><li>one</li><li>two</li></ul>"), "one\ntwo");
  EXPECT_EQ(text_of("before<hr>after"), "before\nafter");
}

TEST(HtmlToText, BrGivesParagraphBreak) {
  EXPECT_EQ(text_of("a<br>b<br/><br />c"), "a\nb\nc");
  EXPECT_EQ(text_of("<p>第一段。<br /><br />第二段。</p>"), "第一段。\n第二段。");
}

TEST(HtmlToText, NoEmptyParagraphsAndNoEdgeWhitespace) {
  EXPECT_EQ(text_of("<p></p><div> </div><p>a</p><p>&nbsp;</p><br><br>"), "a");
  EXPECT_EQ(text_of("\n  <p>  a  </p>  \n"), "a");
  EXPECT_EQ(text_of(""), "");
  EXPECT_EQ(text_of("<div><br></div>"), "");
}

TEST(HtmlToText, WhitespaceInsideParagraphCollapses) {
  EXPECT_EQ(text_of("<p>  a \n\t b&nbsp;&nbsp;c\u00a0\u00a0d </p>"), "a b c d");
  EXPECT_EQ(text_of("<p>a\rb</p>"), "a b");
}

TEST(HtmlToText, LineSeparatorsAreSpacesAndByteOrderMarksVanish) {
  EXPECT_EQ(text_of("<p>a\u2028b\u2029c</p>"), "a b c");
  EXPECT_EQ(text_of("<p>在\uFEFF疫情\uFEFF</p>"), "在疫情");
}

TEST(HtmlToText, CjkTextIsUntouched) {
  EXPECT_EQ(text_of("<p>中文　全角空格，标点。</p>"), "中文　全角空格，标点。");
  EXPECT_EQ(text_of("<p>繁體中文<b>測試</b></p>"), "繁體中文測試");
}

TEST(HtmlToText, InlineElementsDoNotBreakWords) {
  EXPECT_EQ(text_of("<p>a<b>b</b><i>c</i> <a href=\"x\">d</a><span>e</span></p>"), "abc de");
  EXPECT_EQ(text_of("<p><span data-caps=\"initial\">I</span><small>MAGINE</small> you</p>"), "IMAGINE you");
}

TEST(HtmlToText, TableCellsAreSpacedAndRowsAreParagraphs) {
  EXPECT_EQ(text_of("<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>"), "a b\nc");
}

TEST(HtmlToText, EntitiesAreDecoded) {
  EXPECT_EQ(text_of("<p>M&amp;A &lt;tag&gt; &#39;q&#39; &#x4E2D;&#22283; &quot;x&quot;</p>"),
            "M&A <tag> 'q' 中國 \"x\"");
}

// ---------------------------------------------------------------- dropped content

TEST(HtmlToText, ScriptStyleIframeNoscriptTemplateAndCommentsAreDropped) {
  const std::string html =
      "<style>p{color:red}</style><p>keep</p><script>var hidden = 1;</script>"
      "<iframe src=\"https://www.youtube.com/embed/x\">frame text</iframe>"
      "<noscript>enable javascript</noscript><template><p>template text</p></template>"
      "<!-- a comment --><p>end</p>";
  EXPECT_EQ(text_of(html), "keep\nend");
}

TEST(HtmlToText, MediaFallbackAndUiControlsAreDropped) {
  EXPECT_EQ(text_of("<p>a</p><audio controls><p>Your browser does not support audio.</p></audio>"
                    "<video>no video</video><button>展开阅读</button><svg><text>svg</text></svg>"
                    "<select><option>opt</option></select><p>b</p>"),
            "a\nb");
}

TEST(HtmlToText, CommentDoesNotJoinOrSplitWords) {
  EXPECT_EQ(text_of("<p>podcasts on<!-- --> <a>iOS</a> <!-- -->or<!-- --> <a>Android</a>.</p>"),
            "podcasts on iOS or Android.");
}

// ---------------------------------------------------------------- self-closed raw-text elements

// ---------------------------------------------------------------- bounded nesting

std::string repeated(std::string_view unit, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += unit;
  return out;
}

size_t occurrences(std::string_view s, std::string_view part) {
  size_t n = 0;
  for (size_t at = s.find(part); at != std::string_view::npos; at = s.find(part, at + 1)) ++n;
  return n;
}

TEST(HtmlNesting, StartTagsPast256OpenElementsAreDroppedWithTheirEndTags) {
  std::string html;
  for (int i = 0; i < 300; ++i) html += "<div>t" + std::to_string(i);
  html += repeated("</div>", 300) + "<p>after</p>";
  const std::optional<std::string> bounded = bound_nesting(html);
  ASSERT_TRUE(bounded.has_value());
  EXPECT_EQ(occurrences(*bounded, "<div>"), 256u);
  EXPECT_EQ(occurrences(*bounded, "</div>"), 256u);
  // Divs 0-255 are paragraphs; the text of the dropped ones joins the 256th; the rest follows.
  const std::string text = html_to_text(html).text;
  std::string merged;
  for (int i = 255; i < 300; ++i) merged += "t" + std::to_string(i);
  EXPECT_EQ(occurrences(text, "\n"), 256u);
  EXPECT_NE(text.find("\nt254\n" + merged + "\nafter"), std::string::npos) << text.substr(text.size() - 300);
}

TEST(HtmlNesting, FormattingStartTagsPast8WaitingForTheirEndTagAreDroppedWithIt) {
  std::string html;
  std::string want;
  for (int i = 1; i <= 12; ++i) {
    html += "<b id=" + std::to_string(i) + ">" + std::to_string(i);
    if (i <= 8) want += "<b id=" + std::to_string(i) + ">";
    want += std::to_string(i);
  }
  html += "</b><i>i</i><span>y</span>";  // the end tag of the 12th b goes with it; the i too
  want += "i<span>y</span>";
  EXPECT_EQ(bound_nesting(html), want);
  EXPECT_EQ(html_to_text(html).text, "123456789101112iy");
}

TEST(HtmlNesting, FormattingElementsThatWouldBeReopenedAreClosedWhenMoreThan4Wait) {
  // Each </p> closes the b elements open in it; gumbo reopens them all in the next paragraph,
  // so the 20,000th paragraph would hold 20,000. Past 4, their end tags are written first.
  std::string html;
  std::string want;
  for (int i = 1; i <= 11; ++i) {
    html += "<p><b id=" + std::to_string(i) + ">x</p>";
    want += "<p><b id=" + std::to_string(i) + ">x" + (i % 5 == 0 ? repeated("</b>", 5) : "") + "</p>";
  }
  EXPECT_EQ(bound_nesting(html), want);
  EXPECT_EQ(html_to_text(html).text, "x\nx\nx\nx\nx\nx\nx\nx\nx\nx\nx");
  // Closed ones leave nothing to reopen.
  EXPECT_EQ(bound_nesting(repeated("<p><b id=1>x</b></p>", 100)), std::nullopt);
}

TEST(HtmlNesting, OrdinarySloppyHtmlIsNotRewritten) {
  for (const std::string& html :
       {repeated("<p>unclosed paragraph", 500), "<ul>" + repeated("<li>unclosed item", 500) + "</ul>",
        repeated("<ul><li>item</ul>", 500), repeated("<div><span>a</span></div>", 500),
        repeated("<table><tr><td>a<td>b</table>", 200), repeated("<p><a href=x>link<a href=y>link</p>", 500),
        repeated("<p><b>bold, unclosed</p>", 3) + repeated("<p>x</p>", 500),
        repeated("<div>", 256) + "deep" + repeated("</div>", 256)}) {
    EXPECT_EQ(bound_nesting(html), std::nullopt) << html.substr(0, 60);
  }
}

TEST(HtmlNesting, SvgSelectAndTemplateAreLeftOutWithTheirContentAndMathTagsAlone) {
  const std::string html = "<p>before</p><svg viewBox='0 0 1 1'><svg><text>label</text></svg>" +
                           repeated("<path d='M0 0'/>", 20) +
                           "</svg><p>after <math><mi>x</mi></math></p><svg/><select><option>a<option>b</select>"
                           "<template><template><p>t</p></template></template><select><p>s<input>y";
  EXPECT_EQ(bound_nesting(html), "<p>before</p><p>after <mi>x</mi></p><input>y");
  EXPECT_EQ(html_to_text(html).text, "before\nafter x\ny");
}

TEST(HtmlNesting, TheTextOfRewrittenHtmlIsKept) {
  // 500 b elements whose end tags never come: the text stays, paragraph by paragraph.
  const std::string html = repeated("<p><b>unclosed bold</p>", 500);
  ASSERT_TRUE(bound_nesting(html).has_value());
  std::string want = "unclosed bold";
  for (int i = 1; i < 500; ++i) want += "\nunclosed bold";
  EXPECT_EQ(html_to_text(html).text, want);
}

TEST(HtmlToTextSelfClosed, EveryRawTextElementKeepsTheTextAfterIt) {
  for (const std::string name :
       {"iframe", "script", "style", "textarea", "title", "noscript", "xmp", "noembed", "noframes", "plaintext"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(text_of("<p>before</p><" + name + " src=\"https://x.example/a/b\" />\n<p>after</p>"), "before\nafter");
    // Inside a paragraph (<xmp> ends a <p>, as HTML5 parses it).
    EXPECT_EQ(text_of("<p>before<" + name + "/>after</p>"), name == "xmp" ? "before\nafter" : "beforeafter");
    const std::string upper = name == "plaintext" ? "PLAINTEXT" : "IFRAME";
    EXPECT_EQ(text_of("<p>a</p><" + upper + " data-x='1'/><p>b</p>"), "a\nb");
  }
}

TEST(HtmlToTextSelfClosed, ClosedRawTextElementsAreStillDropped) {
  EXPECT_EQ(text_of("<p>a</p><script>var s = \"<p>no</p>\"; x = \"<iframe/>\";</script><p>b</p>"), "a\nb");
  EXPECT_EQ(text_of("<p>a</p><iframe src=\"x\">fallback <b>text</b></iframe><p>b</p>"), "a\nb");
  EXPECT_EQ(text_of("<style>p { content: \"/>\" }</style><p>a<img src=\"x\"/>b</p>"), "ab");
}

TEST(HtmlToTextSelfClosed, TagsAreReadAsTheTokenizerReadsThem) {
  // '>' and "/>" inside quoted attribute values do not end the tag.
  EXPECT_EQ(text_of("<p>a</p><iframe title=\"x > y />\" src='/>'/><p>b</p>"), "a\nb");
  // An unquoted value keeps its '/', so this iframe is open, as browsers read it: its raw text
  // runs to </iframe>.
  EXPECT_EQ(text_of("<p>a</p><iframe src=x/>swallowed</iframe><p>b</p>"), "a\nb");
  // Quotes in comments and in the text of closed raw-text elements do not start attribute values.
  EXPECT_EQ(text_of("<p>a</p><!-- <a title=\" --><iframe/><p>b</p><!-- \" -->"), "a\nb");
  EXPECT_EQ(text_of("<p>a</p><script>x = \"<a title='\";</script><iframe/><p>b</p><script>y = \"'\";</script>"),
            "a\nb");
  // Text that only looks like a tag is left as it is: in an attribute value, in RCDATA.
  EXPECT_EQ(text_of("<p>a<img alt=\"<title/> x\" src=\"y\">b</p>"), "a\n<title/> x\nb");
  EXPECT_EQ(text_of("<textarea>x <title/> y</textarea>"), "x <title/> y");
  // Self-closing a void or ordinary element changes nothing.
  EXPECT_EQ(text_of("<p>a<br/>b</p><div/>c"), "a\nb\nc");
}

// ---------------------------------------------------------------- scraped pages

std::string page_text(std::string_view html) { return html_to_text(html, HtmlSource::scraped_page).text; }

TEST(HtmlToTextPage, EntryContentIsTheRoot) {
  const std::string page =
      "<html><head><title>Site</title><meta charset=utf-8></head><body>"
      "<nav class=\"menu\"><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>"
      "<div class=\"site-branding\">Site name</div><article><header class=\"entry-header\"><h1>Title</h1>"
      "<div class=\"entry-meta\">Posted on May 1, 2020 by <span class=\"byline\">Ann</span></div></header>"
      "<div class=\"entry-content\"><p>First paragraph.</p><p>Second paragraph.</p></div>"
      "<footer class=\"entry-footer\">Posted in News</footer></article>"
      "<aside class=\"widget-area\">Recent posts</aside><footer class=\"site-footer\">© Site</footer>"
      "</body></html>";
  EXPECT_EQ(page_text(page), "First paragraph.\nSecond paragraph.");
  // As a feed body, the same markup keeps everything but <head> (and its <title>).
  EXPECT_NE(text_of(page).find("Posted on May 1, 2020"), std::string::npos);
}

TEST(HtmlToTextPage, ArticleThenMainThenDocumentAreTheFallbackRoots) {
  EXPECT_EQ(page_text("<div>site</div><article><header><h1>T</h1></header><p>body</p><footer>f</footer></article>"
                      "<div>after</div>"),
            "body");
  EXPECT_EQ(page_text("<div>site</div><main><p>body</p></main>"), "body");
  EXPECT_EQ(page_text("<html><head><title>T</title></head><body><nav><a href=/>Home</a></nav><p>body</p>"
                      "<footer>© x</footer></body></html>"),
            "body");
}

TEST(HtmlToTextPage, ChromeClassesAreDroppedInsideTheContent) {
  EXPECT_EQ(page_text("<div class=\"entry-content\"><p>a</p>"
                      "<div class=\"entry-meta\"><div class=\"entry-meta__text\">July 20, 2020</div></div>"
                      "<div class=\"sharedaddy sd-sharing-enabled\"><h3>Share this:</h3></div>"
                      "<div id=\"jp-relatedposts\" class=\"jp-relatedposts\"><h3>Related</h3></div>"
                      "<div class=\"post-navigation\"><a>Previous post</a> text</div>"
                      "<div id=\"comments\" class=\"comments-area\"><h2>One comment</h2></div>"
                      "<p class=\"shareholder-note\">b</p><div class=\"Share--big\">share</div></div>"),
            "a\nb");
}

TEST(HtmlToTextPage, LinkListsAreDroppedButLinksInTextAreKept) {
  EXPECT_EQ(page_text("<div class=\"entry-content\"><p>See <a href=\"x\">the report</a> here.</p>"
                      "<section class=\"collection\"><header>Related</header><ul><li><a href=\"y\"><h2>Other post</h2>"
                      "</a><footer><a href=\"z\">The Economist</a></footer></li></ul></section>"
                      "<ul><li><a href=\"t1\">Tag one</a></li><li><a href=\"t2\">Tag two</a></li></ul>"
                      "<ul><li>Point one, <a href=\"s\">source</a></li></ul></div>"),
            "See the report here.\nPoint one, source");
}

TEST(HtmlToTextPage, DeepPagesDoNotOverflow) {
  std::string html = "<div class=\"entry-content\">";
  for (int i = 0; i < 2000; ++i) html += "<section><ul><li>";
  html += "<a href=\"x\">deep link</a> text";
  EXPECT_EQ(page_text(html), "deep link text");
}

// ---------------------------------------------------------------- images and captions

TEST(HtmlToText, ImageAltIsItsOwnParagraph) {
  EXPECT_EQ(text_of("<p>before<img alt=\"photo caption\" src=\"x.jpg\">after</p>"), "before\nphoto caption\nafter");
  EXPECT_EQ(text_of("<p>a<img src=\"x.jpg\"><img alt=\"\" src=\"y.jpg\"><img alt=\" \">b</p>"), "ab");
}

TEST(HtmlToText, CaptionsAreKept) {
  const std::string voa =
      "<div><i>Fri, 17 May 2024 15:50:58 GMT</i></div><img src=\"https://images.weserv.nl?url=x\" "
      "width=\"100%\"><div><small style=\"color: #999;\">图片说明。</small></div>华盛顿 — <p>正文。</p>";
  EXPECT_EQ(text_of(voa), "Fri, 17 May 2024 15:50:58 GMT\n图片说明。\n华盛顿 —\n正文。");
  EXPECT_EQ(text_of("<figure><img src=\"x\"><figcaption>说明 <cite>Photo/AP</cite></figcaption></figure>"
                    "<p>t</p>"),
            "说明 Photo/AP\nt");
}

// ---------------------------------------------------------------- authors

TEST(HtmlToTextAuthor, NytAddressElement) {
  const HtmlText t = html_to_text(
      "<address>DAVID PIERSON, PAUL SONNE</address><time pudate=\"2024-05-17 10:50:43\">2024年5月17日"
      "</time><section><p>正文</p></section>");
  EXPECT_EQ(t.author, "DAVID PIERSON, PAUL SONNE");
  EXPECT_EQ(t.text, "DAVID PIERSON, PAUL SONNE\n2024年5月17日\n正文");
}

TEST(HtmlToTextAuthor, Nyt2020ItalicWithBrAndDate) {
  const HtmlText t = html_to_text("<div><i>KEITH BRADSHER<br>2020-10-13 10:58:08</i></div><img src=\"x\"><p>正文</p>");
  EXPECT_EQ(t.author, "KEITH BRADSHER");
  EXPECT_EQ(t.text, "KEITH BRADSHER\n2020-10-13 10:58:08\n正文");
}

TEST(HtmlToTextAuthor, WrappedBylineWithIsoDateAndPadding) {
  const HtmlText t = html_to_text("<div><div><i>     任琛（摘编）<br>2020-06-29T14:58:06.315Z</i></div><p>x</p></div>");
  EXPECT_EQ(t.author, "任琛（摘编）");
  EXPECT_EQ(html_to_text("<div><i>William  Yang<br>2020-07-01T01:02:03Z</i></div>").author, "William Yang");
}

TEST(HtmlToTextAuthor, GeneratorNullPrefixIsRemoved) {
  EXPECT_EQ(html_to_text("<div><i>null 张筠青（综合报道）<br>2020-07-01 10:00:00</i></div>").author,
            "张筠青（综合报道）");
}

TEST(HtmlToTextAuthor, NoBylineNoAuthor) {
  EXPECT_EQ(html_to_text("<div><i>Fri, 17 May 2024 15:50:58 GMT</i></div><p>x</p>").author, "");
  EXPECT_EQ(html_to_text("<div><i><br>2020-10-13 10:58:08</i></div><p>x</p>").author, "");
  EXPECT_EQ(html_to_text("<div><i>Some words<br>more words</i></div>").author, "");
  EXPECT_EQ(html_to_text("<p>lead</p><i>NAME<br>2020-10-13 10:58:08</i>").author, "");
  EXPECT_EQ(html_to_text("<p>plain</p>").author, "");
}

// ---------------------------------------------------------------- robustness

TEST(HtmlToText, PlainTextWithoutTags) {
  const HtmlText t = html_to_text("  plain   text\n here ");
  EXPECT_EQ(t.text, "plain text here");
  EXPECT_EQ(t.author, "");
}

TEST(HtmlToText, MalformedHtmlGivesBestEffortText) {
  const std::string text = text_of("<p>unclosed <b>bold <div>inner</p></i><td>cell<<>>");
  EXPECT_NE(text.find("unclosed bold"), std::string::npos);
  EXPECT_NE(text.find("inner"), std::string::npos);
  EXPECT_NE(text.find("cell"), std::string::npos);
}

TEST(HtmlToText, DeepNestingDoesNotOverflow) {
  std::string html;
  for (int i = 0; i < 3000; ++i) html += "<div><span>";
  html += "deep";
  EXPECT_EQ(text_of(html), "deep");
}

TEST(HtmlToText, ScrapedPageMarkupIsIgnored) {
  EXPECT_EQ(text_of("<html><head><title>T</title></head><body><p>x</p></body></html>"), "x");
}

// ---------------------------------------------------------------- decode_entities

TEST(DecodeEntities, NamedReferences) {
  EXPECT_EQ(decode_entities("M&amp;A"), "M&A");
  EXPECT_EQ(decode_entities("&quot;选举舞弊&quot;"), "\"选举舞弊\"");
  EXPECT_EQ(decode_entities("&lt;b&gt; &apos;x&apos;"), "<b> 'x'");
  EXPECT_EQ(decode_entities("a&nbsp;b"), "a\u00a0b");
  EXPECT_EQ(decode_entities("&hellip;&mdash;&eacute;&middot;"), "…—é·");
}

TEST(DecodeEntities, NumericReferences) {
  EXPECT_EQ(decode_entities("&#39;"), "'");
  EXPECT_EQ(decode_entities("&#x4E2D;&#X4e2d;&#20013;"), "中中中");
  EXPECT_EQ(decode_entities("&#128512;"), "😀");
}

TEST(DecodeEntities, DecodesOnlyOnce) {
  EXPECT_EQ(decode_entities("大&amp;#22338;直美"), "大&#22338;直美");
  EXPECT_EQ(decode_entities("&amp;amp;"), "&amp;");
}

TEST(DecodeDoubleEscaped, DecodesWholeValidReferencesTwice) {
  EXPECT_EQ(decode_double_escaped("大&amp;#22338;直美"), "大坂直美");
  EXPECT_EQ(decode_double_escaped("&amp;#21328; &amp;#x5350; &amp;quot;x&amp;quot; &amp;eacute;"), "卐 卐 \"x\" é");
  EXPECT_EQ(decode_double_escaped("&#38;#21328;"), "卐");
  EXPECT_EQ(decode_double_escaped("&amp;semi;"), ";");
  EXPECT_EQ(decode_double_escaped("&quot;选举舞弊&quot;"), "\"选举舞弊\"");  // once-escaped titles as before
}

TEST(DecodeDoubleEscaped, LeavesEverythingElseAsTheFirstPassGaveIt) {
  EXPECT_EQ(decode_double_escaped("AT&amp;T, M&amp;A, S&amp;P 500, 72&amp;股权"), "AT&T, M&A, S&P 500, 72&股权");
  EXPECT_EQ(decode_double_escaped("&amp;bogus; &amp;#0; &amp;#xD800; &amp;#x110000; &amp;#;"),
            "&bogus; &#0; &#xD800; &#x110000; &#;");
  EXPECT_EQ(decode_double_escaped("&amp;amp &amp;notit; &amp;#65"), "&amp &notit; &#65");  // no ';', or a prefix
  EXPECT_EQ(decode_double_escaped("a & b &"), "a & b &");
  EXPECT_EQ(decode_double_escaped(""), "");
}

TEST(CollapseWhitespace, UnicodeSpacesBecomeOneSpace) {
  EXPECT_EQ(collapse_whitespace("  好青年荼毒室\u200a—\u200a哲學部 \n"), "好青年荼毒室 — 哲學部");
  EXPECT_EQ(collapse_whitespace("a\u2009b\u202fc\u205fd\u2000\u2003e\u00a0f\tg"), "a b c d e f g");
  EXPECT_EQ(collapse_whitespace("中\u3000文\uFEFF字"), "中\u3000文字");
  EXPECT_EQ(collapse_whitespace("\u200b"), "\u200b");  // a zero-width space is no whitespace
}

TEST(DecodeEntities, LeavesEverythingElseAlone) {
  EXPECT_EQ(decode_entities(""), "");
  EXPECT_EQ(decode_entities("no references here"), "no references here");
  EXPECT_EQ(decode_entities("AT&T & you &"), "AT&T & you &");
  EXPECT_EQ(decode_entities("&bogus; &#;"), "&bogus; &#;");
  EXPECT_EQ(decode_entities("  <b>&amp;</b>\n"), "  <b>&</b>\n");
  EXPECT_EQ(decode_entities("中文&amp;中文"), "中文&中文");
}

}  // namespace
}  // namespace newsidx
