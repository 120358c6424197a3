// test_query.cpp — query parsing and compilation (query.hpp), without a database.
#include <gtest/gtest.h>

#include <string>

#include "newsidx/query.hpp"

using namespace newsidx;

namespace {

bool compiles(const std::string& q) { return compile_query(q).ok(); }

std::string explain(const std::string& q) {
  auto cq = compile_query(q);
  EXPECT_TRUE(cq.ok()) << q;
  return cq ? cq->explain() : "";
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

TEST(QuerySyntax, ValidQueriesCompile) {
  for (const char* q : {"中国", "习近平 访问", "\"Hong Kong\"", "“香港”", "a OR b", "a AND b", "a NOT b", "a -b",
                        "(a OR b) c", "title:特朗普", "author:pierson", "source:voachinese.com", "date:2024",
                        "date:2020-07..", "date:..2020-07-31", "date:2020-07-01..2020-07-31", "trump*",
                        "Trump 特朗普 said", "G7峰会", "ＣＯＶＩＤ-19", "， 中国", "-中国 美国"}) {
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
