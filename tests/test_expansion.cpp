// test_expansion.cpp — query expansion with regional variants (query.hpp, variants.hpp):
// what an expanded query finds, what it does not, how it ranks and counts.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "newsidx/index.hpp"
#include "newsidx/query.hpp"
#include "newsidx/search.hpp"
#include "test_support.hpp"

using namespace newsidx;
using newsidx::test::article;
using newsidx::test::TempDir;
using newsidx::test::write_file;

namespace {

struct Silent : IndexObserver {
  void on_file(const std::string&, FileOutcome, std::string_view) override {}
};

constexpr int64_t k_t0 = 1593561600000;  // 2020-07-01T00:00:00Z
constexpr int64_t k_month = 31LL * 86400000;

/// A table of the user's own classes (independent of the built-in data).
std::shared_ptr<const VariantTable> table(std::string_view lines) {
  auto t = std::make_shared<VariantTable>();
  EXPECT_TRUE(t->merge(lines, "test").ok());
  return t;
}

class Expansion : public ::testing::Test {
 protected:
  void SetUp() override {
    put("cn", k_t0, "<p>美国总统特朗普今天抵达北京。</p>");
    put("tw", k_t0, "<p>美國總統川普今天抵達北京。</p>");
    put("gov", k_t0 + k_month, "<p>川普政府宣布新的关税。</p>");
    put("apart", k_t0 + k_month, "<p>川普说，政府将宣布关税。</p>");
    put("sydney", k_t0, "<p>雪梨歌剧院今天重新开放。</p>");
    put("pear", k_t0, "<p>他买了一个梨。</p>");
    put("harris", k_t0, "<p>卡玛拉・哈里斯当选副总统。</p>");
    put("names", k_t0, "<p>卡玛拉说，哈里斯当选了。</p>");
    IndexOptions o;
    ASSERT_TRUE(index_paths(m_dir.str("db"), {m_dir.str("in")}, o, m_observer).ok());
    Result<Searcher> s = Searcher::open(m_dir.str("db"));
    ASSERT_TRUE(s.ok()) << s.error().message;
    m_searcher.emplace(std::move(*s));
  }

  void put(const std::string& name, int64_t ms, const std::string& body) {
    write_file(m_dir.path() / "in" / (name + ".md"), article(ms, "新闻", "https://x.org/" + name, body));
  }

  /// The URLs (last path part) that `query` finds, in rank order; variants from `variants`.
  std::vector<std::string> found(const std::string& query, std::shared_ptr<const VariantTable> variants) {
    SearchOptions o;
    o.limit = 0;
    o.filters.variants = std::move(variants);
    Result<SearchResults> r = m_searcher->search(query, o);
    EXPECT_TRUE(r.ok()) << query << ": " << r.error().message;
    std::vector<std::string> out;
    if (!r) return out;
    for (const Hit& h : r->hits) out.push_back(h.article.url.substr(h.article.url.rfind('/') + 1));
    return out;
  }
  static std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

  TempDir m_dir;
  Silent m_observer;
  std::optional<Searcher> m_searcher;
  std::shared_ptr<const VariantTable> m_table = table("特朗普 川普\n悉尼 雪梨\n贺锦丽 卡玛拉·哈里斯\n");
};

}  // namespace

TEST_F(Expansion, AFormFindsEveryFormOfItsClassInEitherScript) {
  using S = std::set<std::string>;
  EXPECT_EQ(as_set(found("特朗普", m_table)), (S{"cn", "tw", "gov", "apart"}));
  EXPECT_EQ(as_set(found("川普", m_table)), (S{"cn", "tw", "gov", "apart"}));
  EXPECT_EQ(as_set(found("川普", m_table)), as_set(found("特朗普", m_table)));
  EXPECT_EQ(as_set(found("悉尼", m_table)), (S{"sydney"}));
  // Without a table (the command line's --verbatim), and quoted: only what was typed.
  EXPECT_EQ(as_set(found("特朗普", nullptr)), (S{"cn"}));
  EXPECT_EQ(as_set(found("\"特朗普\"", m_table)), (S{"cn"}));
  EXPECT_EQ(as_set(found("\"川普\"", m_table)), (S{"tw", "gov", "apart"}));
}

TEST_F(Expansion, AFormInsideALongerRunIsReplacedAndTheRunVerifiedExactly) {
  using S = std::set<std::string>;
  // 特朗普政府 finds 川普政府, not an article with 川普 and 政府 apart.
  EXPECT_EQ(as_set(found("特朗普政府", m_table)), (S{"gov"}));
  EXPECT_EQ(as_set(found("特朗普政府", nullptr)), (S{}));
  // The expansion also counts for the other literals of a query and inside OR and NOT.
  EXPECT_EQ(as_set(found("特朗普 关税", m_table)), (S{"gov", "apart"}));
  EXPECT_EQ(as_set(found("特朗普 -关税", m_table)), (S{"cn", "tw"}));
  EXPECT_EQ(as_set(found("北京 -特朗普", m_table)), (S{}));
  EXPECT_EQ(as_set(found("悉尼 OR 特朗普政府", m_table)), (S{"sydney", "gov"}));
  // A variant with a name dot is one name (any name dot), not two words anywhere.
  EXPECT_EQ(as_set(found("贺锦丽当选", m_table)), (S{"harris"}));
  // A form of one class is not a part of another word: 雪梨 is in the table, 梨 is not.
  EXPECT_EQ(as_set(found("梨", m_table)), (S{"sydney", "pear"}));
}

TEST_F(Expansion, TheTypedFormRanksFirstAmongOtherwiseEqualMatches) {
  // cn and tw say the same in the two vocabularies (and scripts).
  const std::vector<std::string> trump = found("特朗普 北京", m_table);
  const std::vector<std::string> chuanpu = found("川普 北京", m_table);
  ASSERT_EQ(trump.size(), 2u);
  ASSERT_EQ(chuanpu.size(), 2u);
  EXPECT_EQ(trump[0], "cn");
  EXPECT_EQ(chuanpu[0], "tw");
}

TEST_F(Expansion, CountsAndFacetsCountTheExpandedQuery) {
  QueryFilters f;
  f.variants = m_table;
  Result<size_t> n = m_searcher->count("特朗普", f);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 4u);
  Result<std::vector<FacetCount>> months = m_searcher->facet("特朗普", f, FacetKind::month);
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->size(), 2u);
  size_t sum = 0;
  for (const FacetCount& c : *months) sum += c.count;
  EXPECT_EQ(sum, 4u);
  EXPECT_EQ(*m_searcher->count("特朗普", {}), 1u);
}

TEST_F(Expansion, SnippetsMarkTheVariantThatMatched) {
  SearchOptions o;
  o.filters.variants = m_table;
  Result<SearchResults> r = m_searcher->search("特朗普政府", o);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  const Snippet& s = r->hits[0].snippet;
  ASSERT_FALSE(s.highlights.empty()) << s.text;
  EXPECT_EQ(s.text.substr(s.highlights[0].begin, s.highlights[0].end - s.highlights[0].begin), "川普政府");
}

TEST(ExpansionCompile, ExplainListsTheVariantsAndAQuotedLiteralHasNone) {
  QueryFilters f;
  f.variants = table("特朗普 川普 卓林普\n");
  Result<CompiledQuery> q = compile_query("特朗普政府", f);
  ASSERT_TRUE(q.ok());
  EXPECT_NE(q->explain().find("variants: 特朗普 → 卓林普 川普"), std::string::npos) << q->explain();
  EXPECT_NE(q->explain().find("variant \"川普政府\""), std::string::npos) << q->explain();
  Result<CompiledQuery> quoted = compile_query("\"特朗普政府\"", f);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->explain().find("variant"), std::string::npos) << quoted->explain();
}

TEST(ExpansionCompile, AlternativesOfOneChunkAreBounded) {
  // Three forms with five variants each: 125 combinations; the first two expand (25 > 16, so
  // only the first: 5), the rest stay as typed.
  QueryFilters f;
  f.variants = table("甲甲 乙乙 丙丙 丁丁 戊戊\n子子 丑丑 寅寅 卯卯 辰辰\n东东 南南 西西 北北 中中\n");
  Result<CompiledQuery> q = compile_query("甲甲子子东东", f);
  ASSERT_TRUE(q.ok());
  const std::string e = q->explain();
  size_t variants = 0;
  for (size_t at = 0; (at = e.find("\nvariant \"", at)) != std::string::npos; ++at) ++variants;
  EXPECT_EQ(variants, 4u) << e;
  EXPECT_LE(variants + 1, k_max_variant_alternatives);
  // A query of many chunks stays within the literal budget and compiles.
  std::string many;
  for (int i = 0; i < 200; ++i) many += "甲甲子子 ";
  EXPECT_TRUE(compile_query(many, f).ok());
}

TEST(ExpansionCompile, AFormInsideALatinWordIsNotExpanded) {
  QueryFilters f;
  f.variants = table("ai 人工智能\n");
  Result<CompiledQuery> said = compile_query("said", f);
  ASSERT_TRUE(said.ok());
  EXPECT_EQ(said->explain().find("variant"), std::string::npos) << said->explain();
  Result<CompiledQuery> ai = compile_query("AI", f);
  ASSERT_TRUE(ai.ok());
  EXPECT_NE(ai->explain().find("variant \"人工智能\""), std::string::npos) << ai->explain();
}

TEST_F(Expansion, AnArticleInTheTypedFormScoresAtLeastAsWithoutExpansion) {
  // Expansion adds the variants' matches without taking weight from the typed form's: an
  // article that holds what was typed keeps its rank among the others that do.
  for (const std::string query : {"特朗普", "特朗普 北京", "川普政府"}) {
    SearchOptions verbatim, expanded;
    expanded.filters.variants = m_table;
    Result<SearchResults> a = m_searcher->search(query, verbatim);
    Result<SearchResults> b = m_searcher->search(query, expanded);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_FALSE(a->hits.empty()) << query;
    for (const Hit& h : a->hits) {
      const auto same = std::find_if(b->hits.begin(), b->hits.end(), [&](const Hit& o) { return o.docid == h.docid; });
      ASSERT_NE(same, b->hits.end()) << query;
      EXPECT_GE(same->score, h.score) << query << " " << h.article.url;
    }
  }
}
