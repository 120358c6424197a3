// test_query.cpp — query parsing and compilation (query.hpp), without a database.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "newsidx/index.hpp"
#include "newsidx/query.hpp"

using namespace newsidx;

namespace {

bool compiles(const std::string& q) { return compile_query(q).ok(); }

std::string explain(const std::string& q) {
  auto cq = compile_query(q);
  EXPECT_TRUE(cq.ok()) << q;
  return cq ? cq->explain() : "";
}

/// The message of the usage error `q` must give ("" and a test failure if it compiles).
std::string error_of(const std::string& q) {
  auto r = compile_query(q);
  EXPECT_FALSE(r.ok()) << q.substr(0, 80);
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ExitCode::usage) << q.substr(0, 80);
  return r.error().message;
}

/// `n` levels of `open` around `inner`, each closed by `close`.
std::string nested(size_t n, const std::string& open, const std::string& inner, const std::string& close) {
  std::string q;
  for (size_t i = 0; i < n; ++i) q += open;
  q += inner;
  for (size_t i = 0; i < n; ++i) q += close;
  return q;
}

/// `n` distinct words joined by `op` ("w1 OR w2 OR ...").
std::string words(size_t n, const std::string& op) {
  std::string q;
  for (size_t i = 1; i <= n; ++i) q += (i > 1 ? op : "") + "w" + std::to_string(i);
  return q;
}

/// A stored document (as the index writes it) with this title and body.
Xapian::Document stored(const std::string& title, const std::string& text) {
  StoredArticle a;
  a.title = title;
  a.text = text;
  Xapian::Document doc;
  doc.set_data(to_document_data(a));
  return doc;
}

}  // namespace

TEST(QuerySyntax, BadQueriesAreUsageErrorsWithAReason) {
  for (const char* q : {"", "   ", "\"unterminated", "(中国", "中国)", "OR 中国", "中国 OR", "AND 中国", "NOT",
                        "date:20x0", "date:2020-13", "date:..", "date:2021..2020", "-", "，", "， OR 。"}) {
    auto r = compile_query(q);
    ASSERT_FALSE(r.ok()) << q;
    EXPECT_EQ(r.error().code, ExitCode::usage) << q;
    EXPECT_FALSE(r.error().message.empty()) << q;
  }
}

TEST(QuerySyntax, EveryParseErrorNamesTheTokenItStoppedAt) {
  const std::regex named("'[^']+'");
  for (const std::string& q : std::vector<std::string>{"\"unterminated",
                                                       "(中国",
                                                       "中国)",
                                                       "OR 中国",
                                                       "中国 OR",
                                                       "AND 中国",
                                                       "NOT",
                                                       "date:20x0",
                                                       "date:..",
                                                       "-",
                                                       "，",
                                                       "， OR 。",
                                                       "-----普京",
                                                       "()",
                                                       "a ()",
                                                       "title:",
                                                       "title: 中国",
                                                       "source:",
                                                       "\u200b",
                                                       "a AND",
                                                       "a OR OR b",
                                                       "NOT OR a",
                                                       "-NOT a",
                                                       "a (b",
                                                       "\u200b)",
                                                       "（中国",
                                                       nested(101, "(", "a", ")"),
                                                       words(300, " ")}) {
    const std::string message = error_of(q);
    EXPECT_TRUE(std::regex_search(message, named)) << q.substr(0, 80) << " → " << message;
  }
  EXPECT_EQ(error_of("-----普京"), "unexpected '-' at byte 2");
  EXPECT_EQ(error_of("()"), "missing search terms before ')' at byte 2");
  EXPECT_EQ(error_of("a OR"), "'OR' needs something after it at byte 3");
  EXPECT_EQ(error_of("title: 中国"), "'title:' needs a word after it at byte 1");
  EXPECT_EQ(error_of("（中国"), "unbalanced '（' at byte 1");
  EXPECT_EQ(error_of("\u200b"), "query has no searchable text (only punctuation, such as '<U+200B>')");
  EXPECT_EQ(error_of("\"" + std::string(100, 'x')), "unterminated quote '\"" + std::string(39, 'x') + "…' at byte 1");
}

TEST(QueryLimits, NestingUpToTheLimitCompilesAndOneLevelMoreFails) {
  EXPECT_TRUE(compiles(nested(k_max_query_depth, "(", "中国", ")")));
  EXPECT_TRUE(compiles(nested(k_max_query_depth, "NOT ", "中国", "") + " 美国"));
  EXPECT_TRUE(compiles(nested(k_max_query_depth / 2, "-(", "a OR b", ")") + " c"));
  const std::string deep = error_of(nested(k_max_query_depth + 1, "(", "中国", ")"));
  EXPECT_EQ(deep, "query nests deeper than 100 levels (the limit): '(' at byte 101");
  EXPECT_NE(error_of(nested(k_max_query_depth + 1, "NOT ", "中国", "") + " 美国").find("'NOT' at byte 401"),
            std::string::npos);
  EXPECT_NE(error_of(nested(k_max_query_depth / 2 + 1, "-(", "a", ")") + " c").find("(the limit)"), std::string::npos);
}

TEST(QueryLimits, TwentyThousandParenthesesFailCleanly) {
  for (const std::string& q : {nested(20000, "(", "a", ")"), nested(20000, "(", "", ""), nested(20000, "NOT ", "a", ""),
                               nested(20000, "（", "中国", "）"), nested(20000, "-(", "a", ")")}) {
    EXPECT_NE(error_of(q).find("deeper than 100 levels (the limit)"), std::string::npos) << q.substr(0, 20);
  }
  EXPECT_EQ(error_of(nested(20000, "", "a", ")")), "unbalanced ')' at byte 2");
}

TEST(QueryLimits, TheVerifierEvaluatesAQueryAtTheDepthLimit) {
  auto cq = compile_query(nested(k_max_query_depth - 1, "(", "香港 NOT \"Hong Kong\"", ")"));
  ASSERT_TRUE(cq.ok());
  Xapian::MatchDecider* verifier = cq->verifier();
  ASSERT_NE(verifier, nullptr);
  EXPECT_TRUE((*verifier)(stored("香港", "新闻")));
  EXPECT_FALSE((*verifier)(stored("香港", "Hong Kong news")));
}

TEST(QueryLimits, TermsUpToTheLimitCompileAndOneMoreFails) {
  EXPECT_TRUE(compiles(words(k_max_query_terms, " ")));
  EXPECT_TRUE(compiles(words(k_max_query_terms, " OR ")));
  const std::string q = words(k_max_query_terms + 1, " OR ");
  EXPECT_EQ(error_of(q),
            fmt::format("query has more than 256 terms (the limit): 'w257' at byte {}", q.rfind("w257") + 1));
  // Repeats, dates, sources, wildcards and the pieces of a chunk split at punctuation count too.
  std::string repeated;
  for (size_t i = 0; i <= k_max_query_terms; ++i) repeated += "中国 ";
  EXPECT_NE(error_of(repeated).find("(the limit)"), std::string::npos);
  std::string mixed = words(k_max_query_terms - 5, " ") + " date:2020 source:x.org trump* 特朗普，拜登";
  EXPECT_TRUE(compiles(mixed));
  EXPECT_NE(error_of(mixed + " w0").find("'w0'"), std::string::npos);
  EXPECT_NE(error_of(mixed + "，普京").find("'特朗普，拜登，普京'"), std::string::npos);
}

TEST(QueryCompile, RepeatedLiteralsAreCompiledAndHighlightedOnce) {
  auto once = compile_query("特朗普");
  auto twice = compile_query("特朗普 OR 特朗普 特朗普");
  ASSERT_TRUE(once && twice);
  EXPECT_EQ(twice->xapian_query().get_description(), once->xapian_query().get_description());
  EXPECT_EQ(twice->explain(), once->explain());
  Segmenter seg;
  TokenStream body;
  seg.tokenize("特朗普说，特朗普和拜登。", body);
  auto branches = compile_query("(特朗普 说) OR (特朗普 和)");
  ASSERT_TRUE(branches.ok());
  EXPECT_EQ(branches->highlights(body).size(), 4u);  // 特朗普 twice, 说, 和
}

TEST(QueryVerifier, ManyLiteralsAreLookedUpAsExactlyAsOneIsScanned) {
  // Three phrases that occur nowhere come first: the verifier has scanned the title and the
  // body for them, and looks the last literal up among the hashed tokens.
  const Xapian::Document doc = stored("选举新闻", "Hong Kong elections were delayed.\n新冠疫情仍在蔓延。");
  for (const auto& [literal, occurs] : std::vector<std::pair<std::string, bool>>{{"新冠疫情", true},
                                                                                 {"疫情仍在", true},
                                                                                 {"新冠肺炎", false},
                                                                                 {"蔓延新冠", false},
                                                                                 {"\"Hong Kong\"", true},
                                                                                 {"\"Kong Hong\"", false},
                                                                                 {"\"delayed 新冠\"", false},
                                                                                 {"delay", true},
                                                                                 {"delays", true},
                                                                                 {"dela", false},
                                                                                 {"electi*", true},
                                                                                 {"zebra*", false},
                                                                                 {"选举", true},
                                                                                 {"title:选举", true},
                                                                                 {"title:疫情", false}}) {
    auto cq = compile_query("\"zz yy\" OR \"xx ww\" OR \"vv uu\" OR " + literal);
    ASSERT_TRUE(cq.ok()) << literal;
    ASSERT_NE(cq->verifier(), nullptr);
    EXPECT_EQ((*cq->verifier())(doc), occurs) << literal;
  }
}

TEST(QueryCompile, ALongLiteralKeepsASpreadOfItsCandidateTerms) {
  std::string run;  // 200 distinct CJK characters: 199 bigrams
  for (char32_t c = 0x4E00; c < 0x4E00 + 200; ++c) {
    run += static_cast<char>(0xE0 | (c >> 12)), run += static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
        run += static_cast<char>(0x80 | (c & 0x3F));
  }
  auto cq = compile_query(run);
  ASSERT_TRUE(cq.ok());
  EXPECT_NE(cq->verifier(), nullptr);
  const std::string d = cq->xapian_query().get_description();
  size_t bigrams = 0;
  for (size_t at = d.find("XG"); at != std::string::npos; at = d.find("XG", at + 1)) ++bigrams;
  EXPECT_EQ(bigrams, 32u) << d;
  EXPECT_NE(d.find("XG" + run.substr(0, 6)), std::string::npos) << "the first bigram";
  EXPECT_NE(d.find("XG" + run.substr(run.size() - 6)), std::string::npos) << "the last bigram";
}

TEST(QuerySyntax, ValidQueriesCompile) {
  for (const char* q : {"中国",
                        "习近平 访问",
                        "\"Hong Kong\"",
                        "“香港”",
                        "a OR b",
                        "a AND b",
                        "a NOT b",
                        "a -b",
                        "(a OR b) c",
                        "title:特朗普",
                        "author:pierson",
                        "source:voachinese.com",
                        "date:2024",
                        "date:2020-07..",
                        "date:..2020-07-31",
                        "date:2020-07-01..2020-07-31",
                        "trump*",
                        "Trump 特朗普 said",
                        "G7峰会",
                        "ＣＯＶＩＤ-19",
                        "， 中国",
                        "-中国 美国"}) {
    EXPECT_TRUE(compiles(q)) << q;
  }
}

TEST(QueryCompile, ShortChineseAndSingleWordsNeedNoVerification) {
  auto one = compile_query("中");
  auto two = compile_query("中国");
  auto word = compile_query("Trump");
  ASSERT_TRUE(one && two && word);
  EXPECT_EQ(one->verifier(), nullptr);
  EXPECT_EQ(two->verifier(), nullptr);
  EXPECT_EQ(word->verifier(), nullptr);
}

TEST(QueryCompile, LongerRunsAndPhrasesAreVerified) {
  for (const char* q : {"新冠疫情", "\"Hong Kong\"", "G7峰会", "中国 NOT 新冠疫情", "中国 OR 新冠疫情"}) {
    auto cq = compile_query(q);
    ASSERT_TRUE(cq.ok()) << q;
    EXPECT_NE(cq->verifier(), nullptr) << q;
  }
}

TEST(QueryCompile, ExactNegationNeedsNoVerification) {
  auto cq = compile_query("中国 -美国 NOT trump");
  ASSERT_TRUE(cq.ok());
  EXPECT_EQ(cq->verifier(), nullptr);
  EXPECT_NE(cq->xapian_query().get_description().find("AND_NOT"), std::string::npos);
}

TEST(QueryCompile, OperatorsAreUpperCaseOnly) {
  EXPECT_NE(explain("cats and dogs").find("\"and\""), std::string::npos);
  EXPECT_EQ(explain("cats AND dogs").find("\"AND\""), std::string::npos);
}

TEST(QueryCompile, TraditionalAndFullWidthFoldLikeTheIndex) {
  EXPECT_NE(explain("習近平").find("习·近·平"), std::string::npos);
  EXPECT_NE(explain("Ｔｒｕｍｐ").find("trump"), std::string::npos);
}

TEST(QueryCompile, PunctuationTouchingChineseSplitsUnquotedLiterals) {
  const std::string e = explain("特朗普，拜登");
  EXPECT_NE(e.find("tokens=[特·朗·普]"), std::string::npos) << e;
  EXPECT_NE(e.find("tokens=[拜·登]"), std::string::npos) << e;
}

TEST(QueryCompile, SingleUnquotedLatinWordMatchesItsStem) {
  EXPECT_NE(explain("elections").find("stem=elect"), std::string::npos);
  EXPECT_EQ(explain("\"elections\"").find("stem="), std::string::npos);
}

TEST(QueryCompile, FlagsRestrictTheQuery) {
  QueryFilters f;
  f.since_ms = 0;
  f.sources = {"voachinese.com"};
  auto cq = compile_query("中国", f);
  ASSERT_TRUE(cq.ok());
  const std::string d = cq->xapian_query().get_description();
  EXPECT_NE(d.find("Hvoachinese.com"), std::string::npos) << d;
  EXPECT_NE(d.find("VALUE_GE"), std::string::npos) << d;
}

TEST(QueryHighlights, MarksEveryOccurrenceOfEachPositiveLiteral) {
  Segmenter seg;
  TokenStream body;
  seg.tokenize("特朗普说，特朗普和拜登。Elections matter.", body);
  auto cq = compile_query("特朗普 election -拜登");
  ASSERT_TRUE(cq.ok());
  const auto ranges = cq->highlights(body);
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].first, 0u);
  EXPECT_EQ(ranges[0].last, 3u);
  EXPECT_EQ(ranges[1].first, 4u);
  EXPECT_EQ(body.text(body.tokens[ranges[2].first]), "elections");
}

TEST(DatePeriod, ParsesYearsMonthsDaysInUtc) {
  auto y = parse_date_period("2024");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->first, 1704067200000);   // 2024-01-01T00:00:00Z
  EXPECT_EQ(y->second, 1735689600000);  // 2025-01-01T00:00:00Z
  auto m = parse_date_period("2020-12");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->first, 1606780800000);   // 2020-12-01
  EXPECT_EQ(m->second, 1609459200000);  // 2021-01-01
  auto d = parse_date_period("2020-07-01");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->second - d->first, 86400000);
  EXPECT_FALSE(parse_date_period("2020-02-30x"));
  EXPECT_FALSE(parse_date_period("July"));
}
