// test_article.cpp — parse_article on the seeds and quirk fixtures in data/samples, plus the
// URL and date helpers.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "newsidx/article.hpp"

namespace newsidx {
namespace {

const std::filesystem::path k_samples = NEWSIDX_SAMPLES;

std::string read_sample(const std::string& relative) {
  std::ifstream in(k_samples / relative, std::ios::binary);
  EXPECT_TRUE(in) << "missing fixture " << relative;
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

Article parse_sample(const std::string& relative) {
  const std::string bytes = read_sample(relative);
  Result<Article> result = parse_article(bytes, relative);
  EXPECT_TRUE(result.ok()) << relative << ": " << (result.ok() ? "" : result.error().message);
  return result.ok() ? std::move(result).value() : Article{};
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t nl = text.find('\n', start);
    lines.emplace_back(text.substr(start, nl == std::string_view::npos ? nl : nl - start));
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return lines;
}

// ---------------------------------------------------------------- seeds

TEST(ArticleSeeds, HeaderFieldsMatchTheFirstTwoLines) {
  const std::vector<std::string> seeds = {"000_ce2e27078b120ba2.txt", "001_36505d7a1db77cb2.txt",
                                          "002_4023920a1c8133f3.txt", "003_8a589b3dce6d34d3.txt",
                                          "004_140e6d3e3bb89824.txt"};
  for (const std::string& name : seeds) {
    SCOPED_TRACE(name);
    const std::string bytes = read_sample("seeds/" + name);
    const std::vector<std::string> lines = lines_of(bytes);
    ASSERT_GE(lines.size(), 5U);
    const std::string& stamp = lines[0];
    const std::string& link = lines[1];
    const size_t split = link.rfind("](");
    const std::string expected_title = link.substr(1, split - 1);
    const std::string expected_url = link.substr(split + 2, link.size() - split - 3);
    const int64_t expected_ms = std::stoll(stamp.substr(4, stamp.size() - 7));

    const Article a = parse_sample("seeds/" + name);
    EXPECT_EQ(a.path, "seeds/" + name);
    EXPECT_EQ(a.title, expected_title);
    EXPECT_EQ(a.url, expected_url);
    ASSERT_TRUE(a.published_ms.has_value());
    EXPECT_EQ(*a.published_ms, expected_ms);
    EXPECT_EQ(a.source, contains(expected_url, "voachinese") ? "www.voachinese.com" : "cn.nytimes.com");
    EXPECT_EQ(a.html, lines[4]);
    EXPECT_FALSE(a.text.empty());
    EXPECT_FALSE(contains(a.text, "<"));
  }
}

TEST(ArticleSeeds, VoaBodyHasParagraphsCaptionAndNoAuthor) {
  const Article a = parse_sample("seeds/000_ce2e27078b120ba2.txt");
  EXPECT_EQ(a.title, "普京参访哈尔滨，强力推动日趋扩大的俄中贸易");
  EXPECT_EQ(*a.published_ms, 1715961543000);
  EXPECT_EQ(a.author, "");
  const std::vector<std::string> lines = lines_of(a.text);
  ASSERT_GE(lines.size(), 4U);
  EXPECT_EQ(lines[0], "Fri, 17 May 2024 15:50:58 GMT");
  EXPECT_EQ(lines[1], "俄罗斯总统普京在参观中国哈尔滨工业大学时与学生交流。（2024年5月17日）");
  EXPECT_EQ(lines[2], "华盛顿 —");
  // <br /><br /> inside a <p> separates paragraphs too.
  EXPECT_TRUE(contains(a.text, "强力推销俄中贸易。\n哈尔滨是普京对中国为期两天国事访问的最后一站"));
  EXPECT_EQ(lines.back(), "“（中国）看不到作出妥协的任何好处，”符祥文说。");
}

TEST(ArticleSeeds, Nyt2024AddressGivesAuthorAndFooterIsStripped) {
  const Article a = parse_sample("seeds/001_36505d7a1db77cb2.txt");
  EXPECT_EQ(a.author, "DAVID PIERSON");
  EXPECT_TRUE(a.text.starts_with("DAVID PIERSON\n2024年5月20日\n"));
  EXPECT_TRUE(contains(a.text, "图片由俄罗斯官方媒体提供。 Mikhail Metzel/Sputnik"));  // figcaption
  EXPECT_TRUE(contains(a.text, "俄罗斯总统普京上周五在中国东北的一座城市出席了贸易博览会"));
  EXPECT_TRUE(a.text.ends_with("\n点击查看本文英文版。"));
  EXPECT_FALSE(contains(a.text, "获取更多RSS"));
  EXPECT_FALSE(contains(a.text, "feedx"));
  EXPECT_TRUE(contains(a.html, "获取更多RSS"));  // raw HTML is kept as found
}

TEST(ArticleSeeds, Nyt2024TwoAuthors) {
  const Article a = parse_sample("seeds/002_4023920a1c8133f3.txt");
  EXPECT_EQ(a.author, "DAVID PIERSON, PAUL SONNE");
  EXPECT_TRUE(contains(a.text, "俄罗斯总统普京周四抵达北京"));
}

// ---------------------------------------------------------------- title quirks

TEST(ArticleTitle, BracketsInsideTitleSplitAtLastLinkMarker) {
  const Article a = parse_sample("quirks/title-brackets-rti.md");
  EXPECT_EQ(a.title, "[生活] 台中規模4.1地震 最大震度彰化縣四級");
  EXPECT_EQ(a.url, "https://www.rti.org.tw/news/view/id/2073500");
  EXPECT_EQ(a.source, "www.rti.org.tw");
  EXPECT_EQ(*a.published_ms, 1595719192000);
}

TEST(ArticleTitle, QuotEntitiesDecoded) {
  const Article a = parse_sample("quirks/title-entity-quot-rfi.md");
  EXPECT_EQ(a.title, "欧安组织选举观察员批特朗普\"选举舞弊\"的说法");
  EXPECT_TRUE(a.url.starts_with("http://www.rfi.fr//cn/%E7%BE%8E%E6%B4%B2/20201104-"));
  EXPECT_EQ(a.source, "www.rfi.fr");
  EXPECT_TRUE(contains(a.text, "只要有候选人率先在全美538张选举人票中拿下过半270张，可入主白宫。"));
}

TEST(ArticleTitle, DoubleEscapedEntityIsDecodedTwice) {
  const Article a = parse_sample("quirks/title-entity-double-encoded-rfi.md");  // 大&amp;#22338;直美
  EXPECT_EQ(a.title, "大坂直美直落二轻取乔琪 晋级美网第3轮 – 法国国际广播电台 - RFI");
}

TEST(ArticleTitle, OnlyWholeValidReferencesAreDecodedTwice) {
  const auto title_of = [](std::string_view link_title) {
    const auto r = parse_article("<!--1-->\n[" + std::string(link_title) + "](https://a.example/)\n------\n\nx\n", "p");
    return r.ok() ? r->title : "parse failed";
  };
  EXPECT_EQ(title_of("&amp;#21328;"), "卐");
  EXPECT_EQ(title_of("&amp;#x5350; &amp;quot;q&amp;quot;"), "卐 \"q\"");
  EXPECT_EQ(title_of("AT&amp;T M&amp;A 72&amp;股权"), "AT&T M&A 72&股权");
  EXPECT_EQ(title_of("&amp;bogus; &amp;#0; &amp;#xD800; &amp;notit;"), "&bogus; &#0; &#xD800; &notit;");
}

TEST(ArticleTitle, AmpEntityInEnglishTitle) {
  const Article a = parse_sample("languages/english-economist-trimmed.md");
  EXPECT_EQ(a.title, "Is there an M&A boom coming?");
}

TEST(ArticleTitle, TitleSpanningLinesIsFoldedAndTrimmed) {
  const Article a = parse_sample("variants/title-spans-lines-dw.md");
  EXPECT_EQ(a.title, "德语媒体：北京的快速回应");
  EXPECT_EQ(a.url,
            "https://www.dw.com/zh/%E5%BE%B7%E8%AF%AD%E5%AA%92%E4%BD%93%EF%BC%9A%E5%8C%97%E4%BA%AC"
            "%E7%9A%84%E5%BF%AB%E9%80%9F%E5%9B%9E%E5%BA%94/a-53985946");
  EXPECT_EQ(*a.published_ms, 1593446049000);
  EXPECT_EQ(a.author, "任琛（摘编）");
  EXPECT_TRUE(contains(a.text, "（德国之声中文网）德国《明镜周刊》周一发表网络版文章"));
}

TEST(ArticleTitle, InnerLineBreaksBecomeOneSpaceAndEdgesAreTrimmed) {
  const auto r = parse_article("<!--1-->\n[  first\n\nsecond  ](https://a.example/x)\n------\n\n<p>b</p>\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "first second");
}

TEST(ArticleTitle, NeverTakenFromThePath) {
  const auto r = parse_article("<!--1-->\n[Real title](https://a.example/x)\n------\n\n<p>b</p>\n",
                               "articles/site/2001-07-31-Wrong title.md");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "Real title");
  EXPECT_EQ(r->path, "articles/site/2001-07-31-Wrong title.md");
  EXPECT_EQ(*r->published_ms, 1);
}

// ---------------------------------------------------------------- URL quirks

TEST(ArticleUrl, UrlContainingSixDashesIsNotTheSeparator) {
  const Article a = parse_sample("quirks/url-with-dashes-medium.md");
  EXPECT_EQ(a.title, "【公告】部落格遷至「方格子」，此地停止更新（附網址）");
  EXPECT_TRUE(a.url.ends_with("-3f9b3193306d?source=rss-b26efb5c6c3e------2"));
  EXPECT_EQ(a.source, "medium.com");
  EXPECT_TRUE(contains(a.text, "這裡仍會保持原樣，暫不更動，但也不再更新。"));
}

// ---------------------------------------------------------------- timestamps

TEST(ArticleTimestamp, TwelveDigitTimestamp) {
  const Article a = parse_sample("quirks/timestamp-12-digits.md");
  ASSERT_TRUE(a.published_ms.has_value());
  EXPECT_EQ(*a.published_ms, 996537600000);
  EXPECT_EQ(a.published_ms, parse_iso8601_ms("2001-07-31T00:00:00Z"));
  EXPECT_EQ(a.title, "中国17日起在南中国海进行军事训练");
}

TEST(ArticleTimestamp, NaNWithoutFrontMatterGivesNoDate) {
  const Article a = parse_sample("quirks/timestamp-nan.md");
  EXPECT_FALSE(a.published_ms.has_value());
  EXPECT_EQ(a.title, "星际译王-3.0.6.2版发布！");
  EXPECT_EQ(a.source, "www.solidot.org");
  EXPECT_TRUE(contains(a.text, "huzheng 写道"));
}

TEST(ArticleTimestamp, NaNFallsBackToFrontMatterDate) {
  std::string bytes = read_sample("variants/jekyll-front-matter-solidot.md");
  const std::string stamp = "<!--1602320267000-->";
  bytes.replace(bytes.find(stamp), stamp.size(), "<!--NaN-->");
  const auto r = parse_article(bytes, "x.md");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->published_ms, std::optional<int64_t>(1602320267000));  // date: 2020-10-10T08:57:47.000Z
}

TEST(ArticleTimestamp, OutsideTheYears1To9999GivesNoDate) {
  const auto published = [](std::string_view stamp) {
    const auto r =
        parse_article("<!--" + std::string(stamp) + "-->\n[t](https://a.example/)\n------\n\n<p>a</p>\n", "p");
    EXPECT_TRUE(r.ok()) << stamp;
    return r.ok() ? r->published_ms : std::nullopt;
  };
  EXPECT_EQ(published("253402300799999"), std::optional<int64_t>(253402300799999));  // 9999-12-31T23:59:59.999Z
  EXPECT_EQ(published("253402300800000"), std::nullopt);                             // the year 10000
  EXPECT_EQ(published("999999999999999"), std::nullopt);                             // the year 33658
  EXPECT_EQ(published("-62135596800000"), std::optional<int64_t>(-62135596800000));  // 0001-01-01
  EXPECT_EQ(published("-62135596800001"), std::nullopt);
  EXPECT_EQ(published("99999999999999999999"), std::nullopt);  // past int64_t
  EXPECT_EQ(published("-5"), std::optional<int64_t>(-5));
}

TEST(ArticleTimestamp, CommentWithoutANumberBeforeALinkHeaderIsADamagedTimestamp) {
  for (const char* stamp : {"<!--12abc-->", "<!--undefined-->", "<!-- -->"}) {
    const auto r = parse_article(std::string(stamp) + "\n[t](https://a.example/)\n------\n\n<p>a</p>\n", "p");
    ASSERT_TRUE(r.ok()) << stamp << ": " << r.error().message;
    EXPECT_EQ(r->title, "t");
    EXPECT_EQ(r->text, "a");
    EXPECT_FALSE(r->published_ms.has_value());
  }
  // Before anything else, such a comment opens a page that is no article.
  const auto page = parse_article("<!-- fonts -->\n<html><body><p>a</p></body></html>\n", "p");
  EXPECT_FALSE(page.ok());
}

TEST(ArticleTimestamp, HtmlCommentsInTheBodyAreNotHeaders) {
  const auto r = parse_article("<!--1000-->\n[t](https://a.example/)\n------\n\n<!--2000--><p>a</p>\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->published_ms, 1000);
  EXPECT_EQ(r->text, "a");
}

// ---------------------------------------------------------------- bodies

TEST(ArticleBody, DivWrappedBodyGivesParagraphs) {
  const Article a = parse_sample("quirks/div-wrapped-body-zaobao.md");
  EXPECT_TRUE(a.html.starts_with("<div><p>"));
  EXPECT_TRUE(a.text.starts_with("香港今天（14日）通报82宗新增冠病确诊病例"));
  EXPECT_TRUE(contains(a.text, "累计确诊病例达到7623例。\n综合香港《明报》和香港电台报道"));
  EXPECT_FALSE(contains(a.text, "div"));
}

TEST(ArticleBody, FeedxFooterWithXyzLinkIsStripped) {
  const Article a = parse_sample("quirks/feedx-footer-xyz-reuters.md");
  EXPECT_TRUE(a.text.ends_with("“我们的期望是，通过谈判可以取得一些积极成果，”辛格说。(完)"));
  EXPECT_FALSE(contains(a.text, "获取更多RSS"));
  EXPECT_FALSE(contains(a.text, "feedx.net"));
  EXPECT_FALSE(contains(a.text, "feedx.xyz"));
  EXPECT_TRUE(contains(a.html, "https://feedx.xyz"));
}

TEST(ArticleBody, FeedxFooterIsCutAtTheMarkerWhateverTheDomain) {
  const auto r = parse_article(
      "<!--1-->\n[t](https://a.example/)\n------\n\n<p>body</p><br><hr><div>获取更多RSS：<br>"
      "<a href=\"https://feedx.co\">https://feedx.co</a><br></div>\n",
      "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "body");
}

TEST(ArticleBody, BetterFeedFooterIsCutAndItsPostTagsKept) {
  const Article a = parse_sample("quirks/better-feed-footer-cdt.md");
  EXPECT_TRUE(a.html.ends_with("Ozh</a></small></p>"));
  const std::vector<std::string> lines = lines_of(a.text);
  ASSERT_GE(lines.size(), 2U);
  EXPECT_EQ(lines[lines.size() - 2], "—朱斌于2020年7月7日");
  EXPECT_EQ(lines.back(), "言论自由");  // the post tag, without its "Post tags:" label
  for (const std::string_view chrome : {"get_post_time", "Permalink", "No comment", "del.icio.us", "Post tags",
                                        "Feed enhanced", "Ozh", "大号冲塔 for", "©"}) {
    EXPECT_FALSE(contains(a.text, chrome)) << chrome;
  }
}

TEST(ArticleBody, BetterFeedFooterShapes) {
  const auto text_of = [](std::string_view body) {
    const auto r = parse_article("<!--1-->\n[t](https://a.example/)\n------\n\n" + std::string(body) + "\n", "p");
    return r.ok() ? r->text : "parse failed";
  };
  // A rendered year, several tags, a comment count, the © character, inside a <div> wrapper.
  EXPECT_EQ(text_of("<div><p>正文</p><hr /><p><small>© 某人 for <a href=\"x\">中国数字时代</a>, 2020. |<a href=\"x\">"
                    "Permalink</a> |<a href=\"x#comments\">3 comments</a> |Add to<a href=\"y\">del.icio.us</a><br/>"
                    "Post tags: <a rel=\"tag\">新冠疫情</a>, <a rel=\"tag\">李文亮</a><br/></small></p></div>"),
            "正文\n新冠疫情, 李文亮");
  // Only the plugin's credit line.
  EXPECT_EQ(text_of("<p>正文</p><p><small>Feed enhanced by <a href='x'>Better Feed</a> from  <a href='y'>Ozh</a>"
                    "</small></p>"),
            "正文");
  // "Permalink" in the text itself is no footer, after an <hr> or not.
  EXPECT_EQ(text_of("<p>The <a href=\"x\">Permalink</a> button.</p>"), "The Permalink button.");
  EXPECT_EQ(text_of("<p>a</p><hr><p>The <a href=\"x\">Permalink</a> button.</p>"), "a\nThe Permalink button.");
}

TEST(ArticleBody, AppearedFirstOnCreditIsCut) {
  const Article a = parse_sample("quirks/appeared-first-on-cdt.md");
  EXPECT_TRUE(a.text.ends_with("他上方的标语写着：“人人有社保，生活更美好”。\nimg"));  // img: an <img alt>
  // Only a last paragraph is a credit.
  const auto r = parse_article(
      "<!--1-->\n[t](https://a.example/)\n------\n\n<p>The post <a>x</a> appeared first on <a>y</a>.</p><p>正文</p>\n",
      "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text, "The post x appeared first on y.\n正文");
}

TEST(ArticleBody, SelfClosedIframeDoesNotSwallowTheRest) {
  const Article a = parse_sample("quirks/self-closed-iframe-rfa.md");  // <iframe … width="476"/></p>
  EXPECT_TRUE(contains(a.text, "AIT处长郦英杰：美台合作基于理念相近和共同价值"));
  EXPECT_TRUE(a.text.ends_with("网编：洪伟"));
}

TEST(ArticleBody, ScriptAndIframeAreDropped) {
  const Article a = parse_sample("quirks/iframe-script-cdtv.md");
  EXPECT_TRUE(a.text.starts_with("@realEmperorPooh：红(fóng)外测温仪，最近新梗多得有点应接不暇了。\n"));
  EXPECT_TRUE(contains(a.text, "\n👀\n"));  // img alt text is its own paragraph
  EXPECT_FALSE(contains(a.text, "widgets.js"));
  EXPECT_FALSE(contains(a.text, "youtube"));
  EXPECT_FALSE(contains(a.text, "【辱包素材本篇】"));  // iframe title attribute
}

TEST(ArticleBody, HtmlCommentsAndMediaFallbackAreDropped) {
  const Article a = parse_sample("quirks/html-comments-iframe-economist-podcast.md");
  EXPECT_EQ(a.source, "www.economist.com");
  EXPECT_TRUE(contains(a.text, "\nEnjoy more audio and podcasts on iOS or Android.\n"));
  EXPECT_TRUE(contains(a.text, "THE WATCHWORD was unity as Joe Biden took office"));
  EXPECT_FALSE(contains(a.text, "<!--"));
  EXPECT_FALSE(contains(a.text, "acast"));
  EXPECT_FALSE(contains(a.text, "Your browser does not support"));
}

TEST(ArticleBody, StyleSvgAndButtonAreDropped) {
  const Article a = parse_sample("quirks/style-svg-button-rfi.md");
  EXPECT_TRUE(contains(a.text, "日经225指数小跌5.91点或0.03%"));
  EXPECT_FALSE(contains(a.text, "fill:none"));
  EXPECT_FALSE(contains(a.text, "继续浏览后续"));
}

TEST(ArticleBody, BareCarriageReturnAndLineSeparatorStayInsideTheBody) {
  const Article a = parse_sample("quirks/cr-u2028-in-body-rfa.md");
  EXPECT_EQ(a.title, "美中关系在庚子年疫情下是如何加速恶化的？");
  EXPECT_EQ(a.source, "www.rfa.org");
  EXPECT_EQ(lines_of(a.html).size(), 1U);
  EXPECT_TRUE(contains(a.html, "\r"));
  EXPECT_TRUE(contains(a.html, "\u2028"));
  EXPECT_TRUE(contains(a.text, "公之于众。 美国国务卿蓬佩奥"));  // U+2028 is a space in text
  EXPECT_TRUE(contains(a.text, "变态辣椒：陈全国等四名新疆高官被美国制裁\n"));
  EXPECT_FALSE(contains(a.text, "\r"));
  EXPECT_TRUE(a.text.ends_with("\n记者：郑崇生 责编：梒青 网编：洪伟"));  // &nbsp; runs collapse
}

TEST(ArticleBody, ByteOrderMarkInsideTheBodyIsDroppedFromText) {
  const Article a = parse_sample("quirks/feff-in-body-reuters.md");
  EXPECT_TRUE(contains(a.html, "\uFEFF"));
  EXPECT_FALSE(contains(a.text, "\uFEFF"));
  EXPECT_TRUE(contains(a.text, "在主要投资来源地中，1-8月"));
}

TEST(ArticleBody, PlainTextBody) {
  const Article a = parse_sample("quirks/plain-text-body-youtube.md");
  EXPECT_EQ(a.title, "拆");
  EXPECT_EQ(a.source, "www.youtube.com");
  EXPECT_EQ(*a.published_ms, 1493364693000);
  EXPECT_EQ(a.text,
            "进入四月份，兰州市政府主导的全市大规模拆毁街头和公路广告牌的行动以运动的方式摧枯拉朽，"
            "引发了相关业主的激烈反应。目前拆毁广告的行动已经在全省开展，他们甚至喊出了大跃进年代的口号："
            "鼓足干劲，力争上游。兰州究竟发生了什么……");
}

TEST(ArticleBody, TabDelAndCarriageReturnDoNotSplitLines) {
  const auto r = parse_article("<!--1-->\n[a\tb](https://a.example/)\n------\n\n<p>x\ty\x7fz\rw</p>\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "a\tb");
  EXPECT_EQ(r->html, "<p>x\ty\x7fz\rw</p>");
  // gumbo shows the DEL control character as U+FFFD; what matters is that nothing split there.
  EXPECT_TRUE(r->text.starts_with("x y"));
  EXPECT_TRUE(r->text.ends_with("z w"));
  EXPECT_FALSE(contains(r->text, "\n"));
}

TEST(ArticleBody, EmptyBodyIsAllowed) {
  const auto r = parse_article("<!--1-->\n[t](https://a.example/)\n------\n\n<div></div>\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->html, "<div></div>");
  EXPECT_EQ(r->text, "");
}

TEST(ArticleBody, CrlfCheckoutStillParses) {
  const auto r = parse_article("<!--1000-->\r\n[t](https://a.example/x)\r\n------\r\n\r\n<p>a</p>\r\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "t");
  EXPECT_EQ(r->url, "https://a.example/x");
  EXPECT_EQ(*r->published_ms, 1000);
  EXPECT_EQ(r->text, "a");
}

// ---------------------------------------------------------------- authors

TEST(ArticleAuthor, Nyt2020ItalicByline) {
  const Article a = parse_sample("authors/nyt-2020-italic-byline.md");
  EXPECT_EQ(a.title, "香港对付抗议者的新“武器”：紫色警告旗");
  EXPECT_EQ(a.author, "GERRY MULLANY");
  EXPECT_TRUE(a.text.starts_with("GERRY MULLANY\n2020-07-02 12:22:33\n周三，香港警察携带一面紫色旗帜"));
  EXPECT_TRUE(contains(a.text, "Tiffany May对本文有报道贡献。\nGerry Mullany是《纽约时报》驻香港国际新闻编辑"));
}

// ---------------------------------------------------------------- languages

TEST(ArticleLanguage, TraditionalChineseCna) {
  const Article a = parse_sample("languages/traditional-chinese-cna.md");
  EXPECT_EQ(a.title, "中國公民記者張展被捕前受訪：這個國家不能後退[影]");
  EXPECT_EQ(a.url, "https://www.cna.com.tw/news/firstnews/202012290305.aspx");
  EXPECT_EQ(a.source, "www.cna.com.tw");
  EXPECT_EQ(*a.published_ms, 1609239426000);
  EXPECT_TRUE(a.text.starts_with("（中央社記者張淑伶上海29日電）中國公民記者張展因為報導武漢肺炎疫情獲刑4年。"));
  EXPECT_TRUE(contains(a.text, "「我無法後退，因為這個國家不能後退。」"));
  EXPECT_FALSE(contains(a.text, "bbc.com"));
}

TEST(ArticleLanguage, EnglishEconomist) {
  const Article a = parse_sample("languages/english-economist-trimmed.md");
  EXPECT_EQ(a.source, "www.economist.com");
  EXPECT_EQ(*a.published_ms, 1606403383000);
  const std::vector<std::string> lines = lines_of(a.text);
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0], "Nov 28th 2020");
  // Inline <span>/<small> drop caps join their word without a space.
  EXPECT_TRUE(lines[1].starts_with("IMAGINE YOU are the boss of a public company."));
  EXPECT_TRUE(contains(lines[2], "a burst of M&A activity."));
  EXPECT_TRUE(lines[3].starts_with("Shareholders have some call to fear the worst."));
}

// ---------------------------------------------------------------- variants

TEST(ArticleVariant, JekyllFrontMatterWithThreeLineDivBody) {
  const Article a = parse_sample("variants/jekyll-front-matter-solidot.md");
  EXPECT_EQ(a.title, "Facebook 的中国策略适得其反");
  EXPECT_EQ(a.url, "https://www.solidot.org/story?sid=65764");
  EXPECT_EQ(a.source, "www.solidot.org");
  EXPECT_EQ(*a.published_ms, 1602320267000);
  EXPECT_TRUE(a.html.starts_with("<div>\nInstagram 的负责人"));
  EXPECT_TRUE(a.html.ends_with("</p>\n</div>"));
  EXPECT_TRUE(a.text.starts_with("Instagram 的负责人 Adam Mosseri 表示，美国试图禁止中国的热门视频应用 TikTok"));
  EXPECT_FALSE(contains(a.text, "layout"));
}

TEST(ArticleVariant, FrontMatterTitleIsOnlyAFallback) {
  const auto r = parse_article(
      "---\nlayout: post\ntitle: \"Front \\\"matter\\\" title\"\ndate: 2020-10-14T04:56:40.000Z\n---\n"
      "<!--NaN-->\n[](https://a.example/)\n------\n\n<p>x</p>\n",
      "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "Front \"matter\" title");
  EXPECT_EQ(r->published_ms, std::optional<int64_t>(1602651400000));
}

TEST(ArticleVariant, CdtDateLineGivesPublishedTime) {
  const Article a = parse_sample("variants/cdt-date-line-no-timestamp.md");
  EXPECT_EQ(a.title, "网易 |  何光伟：为买官者张目 真的很无耻");
  EXPECT_EQ(a.source, "chinadigitaltimes.net");
  ASSERT_TRUE(a.published_ms.has_value());
  EXPECT_EQ(*a.published_ms, 1592741897000);  // 日期：Sun, 21 Jun 2020 12:18:17 +0000
  EXPECT_TRUE(a.html.starts_with("<p>我因信阳市GA局"));
  EXPECT_TRUE(a.text.starts_with("我因信阳市GA局拒不公开卖官信息起诉了他们，二审终于在昨天折腾完了。\n"));
  EXPECT_FALSE(contains(a.text, "日期"));
}

TEST(ArticleVariant, TimestampLineWinsOverCdtDateLine) {
  const auto r = parse_article(
      "<!--1000-->\n[t](https://a.example/)\n------\n日期：Sun, 21 Jun 2020 12:18:17 +0000\n\n<p>x</p>\n", "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->published_ms, 1000);
  EXPECT_EQ(r->text, "x");
}

// ---------------------------------------------------------------- front-matter posts (nei.st)

TEST(ArticleFrontMatterPost, HeaderFieldsComeFromTheFrontMatter) {
  const Article a = parse_sample("variants/neist-html-no-header/initium-entry-meta.md");
  EXPECT_EQ(a.title, "曾国平：架在香港头上的两把刀");
  EXPECT_EQ(a.url, "https://nei.st/medium/initium/kkokszwkiyjtab_yumko1g");
  EXPECT_EQ(a.source, "nei.st");
  EXPECT_EQ(a.published_ms, std::optional<int64_t>(1595316090000));  // 2020-07-21T08:21:30+01:00
  EXPECT_EQ(a.author, "Nei.st");
  EXPECT_TRUE(a.html.starts_with("<article class=\"post-23345 post"));
  EXPECT_TRUE(a.html.ends_with("</article>"));
}

TEST(ArticleFrontMatterPost, EntryContentIsKeptAndEntryMetaDropped) {
  const Article a = parse_sample("variants/neist-html-no-header/initium-entry-meta.md");
  const std::vector<std::string> lines = lines_of(a.text);
  ASSERT_GE(lines.size(), 3U);
  // The dek of the entry content comes first; the page header's <h1> title is chrome.
  EXPECT_TRUE(lines[0].starts_with("「香港自治法」目前除了为特区护照持有人带来不便"));
  EXPECT_EQ(lines[1], "2020 年 6 月 16 日，香港维港出现一道彩虹。");  // a caption
  EXPECT_TRUE(contains(a.text, "不再特殊的香港代表什么？香港的繁荣稳定是否会一去不返？"));
  EXPECT_TRUE(contains(a.text, "U.S. starts paring back Hong Kong's special status due to security law"));
  // The entry-meta line ("Initium Media / July 20, 2020 / Inside Premium Subscriptions") and
  // the entry footer (category and tag links) are chrome.
  EXPECT_FALSE(contains(a.text, "July 20, 2020"));
  EXPECT_FALSE(contains(a.text, "Inside Premium Subscriptions"));
  EXPECT_FALSE(contains(a.text, "Initium Media"));
  EXPECT_FALSE(contains(a.text, "Hong Kong Protests"));
  EXPECT_FALSE(contains(a.text, "曾国平：架在香港头上的两把刀"));
}

TEST(ArticleFrontMatterPost, RelatedListAndEntryFooterAreDropped) {
  const Article a = parse_sample("variants/neist-html-no-header/economist-related-list.md");
  EXPECT_EQ(a.title, "百万分之一人群的生活");
  EXPECT_EQ(a.published_ms, std::optional<int64_t>(1577093906000));  // 2019-12-23T09:38:26+00:00
  EXPECT_TRUE(a.text.starts_with("亿万富翁发的是不义之财吗？\n亿万富翁向来不怎么受极左派待见。"));
  EXPECT_TRUE(a.text.ends_with("相比一竹竿打翻全船的富人，增加经济中的竞争将更能造福普罗大众。"));
  // "Related", the related post's title and its source, and the entry footer's category.
  EXPECT_FALSE(contains(a.text, "Related"));
  EXPECT_FALSE(contains(a.text, "沉默的富人"));
  EXPECT_FALSE(contains(a.text, "The Economist"));
}

TEST(ArticleFrontMatterPost, ShortPostKeepsItsChartTitleAndCaptions) {
  const Article a = parse_sample("variants/neist-html-no-header/initium-post-meta-lockup.md");
  EXPECT_EQ(a.title, "数据：建制崩盘、泛民大胜背后");
  EXPECT_EQ(a.url, "https://nei.st/medium/initium/hongkong-district-council-election-analysis");
  EXPECT_EQ(a.published_ms, std::optional<int64_t>(1577184919000));  // 2019-12-24T10:55:19+00:00
  EXPECT_TRUE(contains(a.text, "民主党取代民建联成为区议会第一大党，公民党第二。"));
  EXPECT_TRUE(contains(a.text, "People celebrate outside a polling station on Nov. 25."));
  EXPECT_TRUE(
      a.text.ends_with("Pro-Democracy Candidates Sweep All 18 Districts\n"
                       "Difference in the share of seats held by the two main camps"));
}

TEST(ArticleFrontMatterPost, IsoDateWithOffsetAndChromeOfAWholePage) {
  const auto r = parse_article(
      "---\nlayout: post\ntitle: \"Page &amp;#21328; title\"\ndate: 2020-10-14T12:56:40+08:00\n"
      "author: 'Site''s name'\nfrom: https://news.example/a/1\n---\n"
      "<html><head><title>Site title</title></head><body><nav><ul><li><a href=/>首页</a></li></ul></nav>"
      "<header class=\"site-header\">网站名</header><article><header><h1>标题</h1>"
      "<div class=\"entry-meta\">Posted on October 14, 2020</div></header>"
      "<div class=\"entry-content\"><p>正文第一段。</p><div class=\"sharedaddy\">Share this</div><p>正文第二段。</p>"
      "<ul><li><a href=/x>相关文章甲</a></li><li><a href=/y>相关文章乙</a></li></ul></div>"
      "<footer class=\"entry-footer\">Tags: 标签</footer></article><div class=\"comments-area\">"
      "<form><textarea>Leave a reply</textarea></form></div><footer>© 网站</footer></body></html>\n",
      "p");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->published_ms, std::optional<int64_t>(1602651400000));  // 2020-10-14T04:56:40Z
  EXPECT_EQ(r->title, "Page 卐 title");
  EXPECT_EQ(r->author, "Site's name");
  EXPECT_EQ(r->source, "news.example");
  EXPECT_EQ(r->text, "正文第一段。\n正文第二段。");
}

TEST(ArticleFrontMatterPost, PageWithNoTextIsSkipped) {
  const auto r = parse_article(read_sample("variants/neist-html-no-header/posts-page-no-body.md"), "p");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, k_reason_no_body);
  EXPECT_TRUE(is_not_article(r.error()));
  const auto bare = parse_article("---\ntitle: \"t\"\nfrom: https://a.example/\n---\n\n", "p");
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().message, k_reason_no_body);
}

TEST(ArticleFrontMatterPost, SitePagesWithoutUrlAreSkipped) {
  const std::vector<std::string_view> cases = {
      "---\nlayout: page\ntitle: 关于\npermalink: /about/\n---\n\n本站介绍。\n",          // about
      "---\nlayout: page\ntitle: \"t\"\nfrom: /lists/BBC\n---\n\n<ul><li>x</li></ul>\n",  // no host
  };
  for (const std::string_view bytes : cases) {
    SCOPED_TRACE(std::string(bytes));
    const auto r = parse_article(bytes, "p");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, k_reason_no_url);
    EXPECT_TRUE(is_not_article(r.error()));
  }
}

// ---------------------------------------------------------------- front-matter author

TEST(ArticleAuthor, FrontMatterAuthorWhenTheBodyNamesNone) {
  EXPECT_EQ(parse_sample("variants/jekyll-front-matter-solidot.md").author, "Solidot");
  const auto r = parse_article(
      "---\nauthor: 好青年荼毒室\u200a—\u200a哲學部 \n---\n<!--1-->\n[t](https://medium.com/x)\n------\n\n<p>x</p>\n",
      "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->author, "好青年荼毒室 — 哲學部");  // U+200A hair spaces collapse to one space
}

TEST(ArticleAuthor, BodyBylineWinsOverFrontMatter) {
  const auto r = parse_article(
      "---\nauthor: 纽约时报\n---\n<!--1-->\n[t](https://cn.nytimes.com/x)\n------\n\n"
      "<div><i>KEITH BRADSHER<br>2020-10-13 10:58:08</i></div><p>x</p>\n",
      "p");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->author, "KEITH BRADSHER");
}

// ---------------------------------------------------------------- errors

TEST(ArticleErrors, EmptyFile) {
  for (const std::string_view bytes : {std::string_view(""), std::string_view("\n\n  \n")}) {
    const auto r = parse_article(bytes, "empty.md");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::some_failed);
    EXPECT_EQ(r.error().message, "empty file");
    EXPECT_FALSE(is_not_article(r.error()));
  }
}

TEST(ArticleErrors, FilesWithoutHeaderAreNotArticles) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"plain text, no link\n------\n\nbody\n", k_reason_no_header},  // no [ line (a README)
      {"[t](https://a.example/)\n\nbody\n", k_reason_no_header},      // no ------ line
      {"---\nunclosed: front matter\n[t](https://a.example/)\n------\n\nbody\n", k_reason_no_header},
      {"<!-- Async font loading -->\n<link rel=\"preload\">\n", k_reason_no_header},   // an HTML include
      {"{% if site.analytics %}<script>x</script>{% endif %}\n", k_reason_no_header},  // Liquid, not JSON
      {"MIT License\n\nCopyright (c) 2017\n", k_reason_no_header},
      {"---\ntitle: \"only front matter\"\n---\n\n<article>x</article>\n", k_reason_no_url},
      {"[\"dm-news-2020/a.md\", \"0123abcd\"]\n[\"dm-news-2020/b.md\", \"4567ef01\"]\n", k_reason_json},
      {"{\n  \"name\": \"chinadigitaltimes-latest\",\n  \"version\": \"1.0.0\"\n}\n", k_reason_json},
      {"[1, 2]", k_reason_json},
  };
  for (const auto& [bytes, reason] : cases) {
    SCOPED_TRACE(std::string(bytes));
    const auto r = parse_article(bytes, "bad.md");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::some_failed);
    EXPECT_EQ(r.error().message, reason);
    EXPECT_TRUE(is_not_article(r.error()));
  }
}

TEST(ArticleErrors, TimestampWithoutLinkOrBodyIsATruncatedArticle) {
  const std::vector<std::string_view> cases = {
      "<!--1-->\nplain text, no link\n------\n\nbody\n",
      "<!--1-->\n[t](https://a.example/)\n\nbody\n",
      "<!--1593561600000-->\n[cut off](https://a.example/tru",
      "<!--1593561600000-->\n[t](https://a.example/)\n------\n",
  };
  for (const std::string_view bytes : cases) {
    SCOPED_TRACE(std::string(bytes));
    const auto r = parse_article(bytes, "bad.md");
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(is_not_article(r.error()));
    EXPECT_NE(r.error().message.find("truncated"), std::string::npos);
  }
}

TEST(ArticleErrors, DamagedLinkLineIsAFailureWithOneLineReason) {
  const std::vector<std::string_view> cases = {
      "<!--1-->\n[no link target]\n------\n\nbody\n",        // no ](
      "<!--1-->\n[t](https://a.example/\n------\n\nbody\n",  // no closing )
  };
  for (const std::string_view bytes : cases) {
    SCOPED_TRACE(std::string(bytes));
    const auto r = parse_article(bytes, "bad.md");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::some_failed);
    EXPECT_EQ(r.error().message, "malformed link line (expected [title](url) before ------)");
    EXPECT_FALSE(is_not_article(r.error()));
  }
}

// ---------------------------------------------------------------- url_host

TEST(UrlHost, OrdinaryAndOddUrls) {
  EXPECT_EQ(url_host("https://www.voachinese.com/a/x-20240517/7616035.html"), "www.voachinese.com");
  EXPECT_EQ(url_host("http://www.rfi.fr//cn/contenu/20200826-x"), "www.rfi.fr");
  EXPECT_EQ(url_host("https://cn.nytimes.com/world/20240517/x/?utm_source=RSS"), "cn.nytimes.com");
  EXPECT_EQ(url_host("https://medium.com/p/x?source=rss-b26efb5c6c3e------2"), "medium.com");
  EXPECT_EQ(url_host("HTTPS://User:Secret@News.Example.COM:8443/path"), "news.example.com");
  EXPECT_EQ(url_host("https://example.com?x=1"), "example.com");
  EXPECT_EQ(url_host("https://example.com#top"), "example.com");
  EXPECT_EQ(url_host("https://example.com"), "example.com");
  EXPECT_EQ(url_host("https://[2001:db8::1]:8080/x"), "[2001:db8::1]");
  EXPECT_EQ(url_host("https://zh.wikipedia.org/wiki/%E4%B8%AD%E5%9B%BD"), "zh.wikipedia.org");
  EXPECT_EQ(url_host("  https://padded.example/  "), "padded.example");
}

TEST(UrlHost, NoSchemeOrHostGivesEmpty) {
  EXPECT_EQ(url_host(""), "");
  EXPECT_EQ(url_host("www.example.com/path"), "");
  EXPECT_EQ(url_host("//cdn.example.com/x.js"), "");
  EXPECT_EQ(url_host("mailto:someone@example.com"), "");
  EXPECT_EQ(url_host("://no-scheme"), "");
  EXPECT_EQ(url_host("ht tp://bad-scheme.example/"), "");
}

// ---------------------------------------------------------------- dates

TEST(Rfc2822, ParsesFeedDates) {
  EXPECT_EQ(parse_rfc2822_ms("Sat, 27 Jun 2020 13:30:55 +0000"), std::optional<int64_t>(1593264655000));
  EXPECT_EQ(parse_rfc2822_ms("Fri, 17 May 2024 15:50:58 GMT"), std::optional<int64_t>(1715961058000));
  EXPECT_EQ(parse_rfc2822_ms("Sun, 21 Jun 2020 20:18:17 +0800"), std::optional<int64_t>(1592741897000));
  EXPECT_EQ(parse_rfc2822_ms("27 Jun 2020 13:30 -0500"), std::optional<int64_t>(1593282600000));
  EXPECT_EQ(parse_rfc2822_ms("Mon, 29 Jun 2020 03:49:25 EDT"), std::optional<int64_t>(1593416965000));
  EXPECT_EQ(parse_rfc2822_ms("sat, 27 JUN 2020 13:30:55 +0000 (UTC)"), std::optional<int64_t>(1593264655000));
  EXPECT_EQ(parse_rfc2822_ms("Fri, 31 Dec 99 23:59:59 GMT"), std::optional<int64_t>(946684799000));
}

TEST(Rfc2822, RejectsMalformedDates) {
  EXPECT_FALSE(parse_rfc2822_ms(""));
  EXPECT_FALSE(parse_rfc2822_ms("garbage"));
  EXPECT_FALSE(parse_rfc2822_ms("Tue, 31 Jun 2020 13:30:55 +0000"));  // no June 31
  EXPECT_FALSE(parse_rfc2822_ms("Sat, 27 Foo 2020 13:30:55 +0000"));
  EXPECT_FALSE(parse_rfc2822_ms("Sat, 27 Jun 2020 25:00:00 +0000"));
  EXPECT_FALSE(parse_rfc2822_ms("Sat, 27 Jun 2020 13:30:55 +0000 trailing"));
  EXPECT_FALSE(parse_rfc2822_ms("Sat, 27 Jun 2020 13:30:55 XYZ"));
  EXPECT_FALSE(parse_rfc2822_ms("2020-06-27T13:30:55Z"));
}

TEST(Iso8601, ParsesFrontMatterAndBylineDates) {
  EXPECT_EQ(parse_iso8601_ms("2020-10-14T04:56:40.000Z"), std::optional<int64_t>(1602651400000));
  EXPECT_EQ(parse_iso8601_ms("2020-10-14 04:56:40"), std::optional<int64_t>(1602651400000));
  EXPECT_EQ(parse_iso8601_ms("2019-10-06T09:40:10+01:00"), std::optional<int64_t>(1570351210000));
  EXPECT_EQ(parse_iso8601_ms("2020-10-14T04:56:40+0530"), std::optional<int64_t>(1602631600000));
  EXPECT_EQ(parse_iso8601_ms("2020-06-29T14:58:06.315Z"), std::optional<int64_t>(1593442686315));
  EXPECT_EQ(parse_iso8601_ms("2020-06-29T14:58:06.3159Z"), std::optional<int64_t>(1593442686315));
  EXPECT_EQ(parse_iso8601_ms("2020-10-14"), std::optional<int64_t>(1602633600000));
  EXPECT_EQ(parse_iso8601_ms("1969-12-31T23:59:59Z"), std::optional<int64_t>(-1000));
}

TEST(Iso8601, RejectsMalformedDates) {
  EXPECT_FALSE(parse_iso8601_ms(""));
  EXPECT_FALSE(parse_iso8601_ms("2020-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ms("2021-02-29"));
  EXPECT_FALSE(parse_iso8601_ms("20201014"));
  EXPECT_FALSE(parse_iso8601_ms("2020-10-14T4:56"));
  EXPECT_FALSE(parse_iso8601_ms("2020-10-14T04:56:40Zjunk"));
  EXPECT_FALSE(parse_iso8601_ms("2020-10-14T04:56:40."));
  EXPECT_FALSE(parse_iso8601_ms("Sat, 27 Jun 2020 13:30:55 +0000"));
}

}  // namespace
}  // namespace newsidx
