// test_index_search.cpp — index synthetic articles into a temporary database and search them.
#include <gtest/gtest.h>

#include <cerrno>
#include <initializer_list>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/search.hpp"
#include "newsidx/snippet.hpp"
#include "newsidx/store.hpp"
#include "test_support.hpp"

using namespace newsidx;
using newsidx::test::article;
using newsidx::test::TempDir;
using newsidx::test::write_file;

namespace {

class CountingObserver : public IndexObserver {
 public:
  void on_file(const std::string& path, FileOutcome outcome, std::string_view reason) override {
    events.push_back({path, outcome, std::string(reason)});
  }
  struct Event {
    std::string path;
    FileOutcome outcome;
    std::string reason;
  };
  std::vector<Event> events;
};

/// Indexes DIR/in into DIR/db and opens it.
Result<Searcher> index_and_open(const TempDir& dir) {
  struct Quiet : IndexObserver {
    void on_file(const std::string&, FileOutcome, std::string_view) override {}
  } quiet;
  Result<IndexReport> r = index_paths(dir.str("db"), {dir.str("in")}, IndexOptions{}, quiet);
  if (!r) return r.error();
  return Searcher::open(dir.str("db"));
}

constexpr int64_t k_2020_07_01 = 1593561600000;  // 2020-07-01T00:00:00Z
constexpr int64_t k_day = 86400000;

class IndexSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(m_dir.path() / "in" / "a1.md",
               article(k_2020_07_01, "特朗普访问北京", "https://www.voachinese.com/a/1.html",
                       "<p>美国总统特朗普今天抵达北京。</p><p>新冠疫情仍在蔓延。</p>"));
    write_file(m_dir.path() / "in" / "sub" / "a2.md",
               article(k_2020_07_01 + k_day, "習近平會見普京", "https://www.cna.com.tw/news/2.aspx",
                       "<p>中國國家主席習近平在北京會見俄羅斯總統普京。</p>"));
    write_file(m_dir.path() / "in" / "a3.md",
               article(k_2020_07_01 + 40 * k_day, "Hong Kong elections delayed", "https://www.economist.com/3",
                       "<p>The elections in Hong Kong were postponed.</p><p>Hong</p><p>Kong apart.</p>"));
    write_file(m_dir.path() / "in" / "a4.md", article(k_2020_07_01 + 150 * k_day, "大选结果", "https://www.rfi.fr/cn/4",
                                                      "<p>Ｔｒｕｍｐ在２０２０年大选中落败。</p>"));
    write_file(m_dir.path() / "in" / "a5.md",
               article(k_2020_07_01 + 2 * k_day, "香港新闻", "https://www.voachinese.com/a/5.html",
                       "<p>他来自香港。特朗普说了话。中国 美国</p>"));
    write_file(m_dir.path() / "in" / "README.txt", "not an article\n");
    Result<IndexReport> r = index_paths(db(), {m_dir.str("in")}, IndexOptions{}, m_observer);
    ASSERT_TRUE(r.ok()) << r.error().message;
    m_report = *r;
  }

  std::string db() const { return m_dir.str("db"); }

  /// URLs' last path components of all matches, in rank order.
  std::vector<std::string> ids(const std::string& q, SearchOptions opt = {}) {
    Result<Searcher> s = Searcher::open(db());
    EXPECT_TRUE(s.ok());
    opt.limit = 0;
    Result<SearchResults> r = s->search(q, opt);
    EXPECT_TRUE(r.ok()) << q << ": " << (r.ok() ? "" : r.error().message);
    std::vector<std::string> out;
    if (!r) return out;
    for (const Hit& h : r->hits) {
      const std::string& u = h.article.url;
      std::string id = u.substr(u.find_last_of('/') + 1);
      out.push_back(id.substr(0, id.find('.')));
    }
    return out;
  }
  std::set<std::string> set_of(const std::string& q) {
    auto v = ids(q);
    return {v.begin(), v.end()};
  }

  TempDir m_dir;
  CountingObserver m_observer;
  IndexReport m_report;
};

using Set = std::set<std::string>;

}  // namespace

TEST_F(IndexSearch, CountsIndexedAndSkippedFiles) {
  EXPECT_EQ(m_report.indexed, 5u);
  EXPECT_EQ(m_report.skipped, 1u);
  EXPECT_EQ(m_report.failed, 0u);
  auto skipped = std::find_if(m_observer.events.begin(), m_observer.events.end(),
                              [](const auto& e) { return e.outcome == FileOutcome::skipped; });
  ASSERT_NE(skipped, m_observer.events.end());
  EXPECT_NE(skipped->path.find("README.txt"), std::string::npos);
  EXPECT_FALSE(skipped->reason.empty());
}

TEST_F(IndexSearch, TraditionalAndSimplifiedFindEachOther) {
  EXPECT_EQ(set_of("习近平"), Set{"2"});
  EXPECT_EQ(set_of("習近平"), Set{"2"});
  EXPECT_EQ(set_of("中国"), (Set{"2", "5"}));
  EXPECT_EQ(set_of("蔓延"), Set{"1"});
  EXPECT_EQ(set_of("蔓"), Set{"1"});
}

TEST_F(IndexSearch, FullWidthAndHalfWidthFindEachOther) {
  EXPECT_EQ(set_of("trump"), Set{"4"});
  EXPECT_EQ(set_of("ＴＲＵＭＰ"), Set{"4"});
  EXPECT_EQ(set_of("2020"), Set{"4"});
  EXPECT_EQ(set_of("２０２０"), Set{"4"});
}

TEST_F(IndexSearch, ChineseRunsMatchExactlyAndNeverAcrossASentenceEnd) {
  EXPECT_EQ(set_of("新冠疫情"), Set{"1"});
  EXPECT_EQ(set_of("特朗普说"), Set{"5"});
  EXPECT_TRUE(set_of("港特").empty());       // 香港。特朗普
  EXPECT_TRUE(set_of("国美").empty());       // 中国 美国: the space separates
  EXPECT_EQ(set_of("中国 美国"), Set{"5"});  // two literals, AND-ed
}

TEST_F(IndexSearch, ChineseRunsAreExcludedInEitherScriptAndNeverAcrossASentenceEnd) {
  EXPECT_EQ(set_of("中国 -國家主席"), Set{"5"});  // a2 has 中國國家主席
  EXPECT_EQ(set_of("中国 -国家主席"), Set{"5"});
  EXPECT_EQ(set_of("特朗普 -港特朗"), (Set{"1", "5"}));  // a5 has 香港。特朗普
  EXPECT_EQ(set_of("特朗普 -总统特朗普"), Set{"5"});
  EXPECT_EQ(set_of("title:会见普京"), Set{"2"});  // 習近平會見普京
  EXPECT_TRUE(set_of("title:北京会见").empty());  // in a2's body only
}

TEST_F(IndexSearch, LatinWordsMatchInflectionsAndPhrasesMatchAdjacentWords) {
  EXPECT_EQ(set_of("election"), Set{"3"});
  EXPECT_EQ(set_of("\"Hong Kong\""), Set{"3"});
  EXPECT_TRUE(set_of("\"kong apart hong\"").empty());
  EXPECT_TRUE(set_of("\"postponed hong\"").empty());
}

TEST_F(IndexSearch, BooleanOperatorsAndFields) {
  EXPECT_EQ(set_of("特朗普"), (Set{"1", "5"}));
  EXPECT_EQ(set_of("特朗普 NOT 北京"), Set{"5"});
  EXPECT_EQ(set_of("特朗普 -北京"), Set{"5"});
  EXPECT_EQ(set_of("特朗普 -\"抵达北京\""), Set{"5"});
  EXPECT_EQ(set_of("特朗普 OR 普京"), (Set{"1", "2", "5"}));
  EXPECT_EQ(set_of("(特朗普 OR 普京) 北京"), (Set{"1", "2"}));
  EXPECT_EQ(set_of("title:特朗普"), Set{"1"});
  EXPECT_EQ(set_of("source:voachinese.com"), (Set{"1", "5"}));
  EXPECT_EQ(set_of("source:www.cna.com.tw 普京"), Set{"2"});
  EXPECT_EQ(set_of("hon*"), Set{"3"});
  EXPECT_EQ(set_of("特朗普 AND 北京"), Set{"1"});
  EXPECT_EQ(set_of("NOT 特朗普 date:2020-07"), Set{"2"});
}

TEST(Fields, AuthorMatchesTheBylineOnly) {
  TempDir dir;
  write_file(dir.path() / "in" / "a.md", article(1593561600000, "普京访问", "https://x.org/a",
                                                 "<address>DAVID PIERSON</address><p>俄罗斯总统普京。</p>"));
  write_file(dir.path() / "in" / "b.md",
             article(1593561600000, "普京讲话", "https://x.org/b", "<p>记者 David Pierson 的报道被引用。</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  for (const char* q : {"author:pierson", "author:\"david pierson\"", "author:PIERSON 普京"}) {
    Result<SearchResults> r = s->search(q, {});
    ASSERT_TRUE(r.ok()) << q;
    ASSERT_EQ(r->hits.size(), 1u) << q;
    EXPECT_EQ(r->hits[0].article.url, "https://x.org/a") << q;
  }
  Result<SearchResults> both = s->search("pierson", {});
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->hits.size(), 2u);
}

TEST(Fields, AuthorFindsTheFrontMatterAuthorWhenTheBodyNamesNone) {
  TempDir dir;
  // A teahouse-style post (channel in the front matter, no byline), a nei.st-style front-matter
  // post, and a post whose body byline wins over its front matter.
  write_file(dir.path() / "in" / "channel.md",
             "---\nlayout: post\ntitle: \"敘事與人生\"\nauthor: 好青年荼毒室\u200a—\u200a哲學部\n---\n" +
                 article(1580994661000, "敘事與人生", "https://medium.com/p/1", "<p>關於敘事的文章。</p>"));
  write_file(dir.path() / "in" / "page.md",
             "---\ntitle: \"煤制氢路径争议\"\ndate: 2019-12-02T10:09:42+00:00\nauthor: Nei.st\n"
             "from: https://nei.st/medium/caixin/cw880c\n---\n<article><header><h1>煤制氢路径争议</h1></header>"
             "<div class=\"entry-content\"><p>山西省欲打造中国「氢谷」。</p></div></article>\n");
  write_file(dir.path() / "in" / "byline.md",
             "---\nauthor: 纽约时报\n---\n" +
                 article(1602583088000, "标题", "https://cn.nytimes.com/1",
                         "<div><i>KEITH BRADSHER<br>2020-10-13 10:58:08</i></div><p>纽约时报的报道。</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  const auto urls = [&](const std::string& q) {
    Result<SearchResults> r = s->search(q, {});
    EXPECT_TRUE(r.ok()) << q;
    std::set<std::string> found;
    if (r.ok()) {
      for (const auto& hit : r->hits) found.insert(hit.article.url);
    }
    return found;
  };
  EXPECT_EQ(urls("author:好青年荼毒室"), std::set<std::string>{"https://medium.com/p/1"});
  EXPECT_EQ(urls("author:\"好青年荼毒室 — 哲學部\""), std::set<std::string>{"https://medium.com/p/1"});
  EXPECT_EQ(urls("author:nei.st 氢谷"), std::set<std::string>{"https://nei.st/medium/caixin/cw880c"});
  EXPECT_EQ(urls("author:bradsher"), std::set<std::string>{"https://cn.nytimes.com/1"});
  EXPECT_TRUE(urls("author:纽约时报").empty());  // the body's byline wins
  EXPECT_EQ(urls("纽约时报"), std::set<std::string>{"https://cn.nytimes.com/1"});
}

TEST_F(IndexSearch, DateFiltersAndSortOrders) {
  EXPECT_EQ(set_of("date:2020-07-01"), Set{"1"});
  EXPECT_EQ(set_of("date:2020-07"), (Set{"1", "2", "5"}));
  EXPECT_EQ(set_of("date:2020-08.."), (Set{"3", "4"}));
  EXPECT_EQ(set_of("date:..2020-07-02"), (Set{"1", "2"}));
  // A whole year, month or day is matched by its date term, a range by the value slot: the same.
  EXPECT_EQ(set_of("date:2020-07"), set_of("date:2020-07-01..2020-07-31"));
  EXPECT_EQ(set_of("date:2020-07-01"), set_of("date:2020-07-01..2020-07-01"));
  EXPECT_EQ(set_of("date:2020"), set_of("date:2020-01..2020-12"));
  EXPECT_EQ(set_of("date:2020").size(), 5u);
  SearchOptions newest;
  newest.sort = SortOrder::newest;
  EXPECT_EQ(ids("date:2020", newest), (std::vector<std::string>{"4", "3", "5", "2", "1"}));
  SearchOptions since;
  since.filters.since_ms = k_2020_07_01 + 30 * k_day;
  EXPECT_EQ(ids("date:2020", since).size(), 2u);
  SearchOptions window;
  window.filters.since_ms = k_2020_07_01 + k_day;
  window.filters.until_ms = k_2020_07_01 + 3 * k_day;
  window.filters.sources = {"voachinese.com", "cna.com.tw"};
  EXPECT_EQ(ids("", window), (std::vector<std::string>{"5", "2"}));  // equal scores: newest first
}

TEST_F(IndexSearch, MixedChineseAndLatinQueriesNeverFail) {
  EXPECT_TRUE(set_of("Trump 特朗普 said").empty());
  EXPECT_EQ(set_of("Trump 大选"), Set{"4"});
  EXPECT_EQ(set_of("Trump在2020"), Set{"4"});
}

TEST_F(IndexSearch, TitleMatchesRankAboveBodyMatches) {
  const auto order = ids("特朗普");
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[0], "1");
}

TEST(TitleWeight, OneTitleMatchOutranksTwoBodyMatchesInArticlesOfEqualLength) {
  // Each article: a two-word title and a four-word body, so that only where 特朗普 stands differs
  // (its title occurrence counts k_title_wdf times in the all-fields terms).
  TempDir dir;
  write_file(dir.path() / "in" / "title.md",
             article(k_2020_07_01, "特朗普 北京", "https://x.org/title", "<p>经济 贸易 选举 疫情</p>"));
  write_file(dir.path() / "in" / "body.md",
             article(k_2020_07_01, "北京 会谈", "https://x.org/body", "<p>特朗普 经济 特朗普 贸易</p>"));
  CountingObserver observer;
  ASSERT_TRUE(index_paths(dir.str("db"), {dir.str("in")}, IndexOptions{}, observer).ok());
  Result<Searcher> s = Searcher::open(dir.str("db"));
  ASSERT_TRUE(s.ok());
  Result<SearchResults> r = s->search("特朗普", {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].article.url, "https://x.org/title");
  EXPECT_GT(r->hits[0].score, r->hits[1].score);
}

TEST_F(IndexSearch, HitsCarryMetadataAndAHighlightedSnippet) {
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  Result<SearchResults> r = s->search("新冠疫情", {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  const Hit& h = r->hits[0];
  EXPECT_EQ(h.rank, 1u);
  EXPECT_EQ(h.article.title, "特朗普访问北京");
  EXPECT_EQ(h.article.source, "www.voachinese.com");
  EXPECT_EQ(h.article.published_ms, k_2020_07_01);
  EXPECT_EQ(h.article.path, (m_dir.path() / "in" / "a1.md").string());
  ASSERT_EQ(h.snippet.highlights.size(), 1u);
  const Highlight& hl = h.snippet.highlights[0];
  EXPECT_EQ(h.snippet.text.substr(hl.begin, hl.end - hl.begin), "新冠疫情");
  EXPECT_EQ(h.snippet.text.find('\n'), std::string::npos);
}

TEST_F(IndexSearch, ReindexingReplacesDocumentsByUrl) {
  CountingObserver again;
  ASSERT_TRUE(index_paths(db(), {m_dir.str("in")}, IndexOptions{}, again).ok());
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->database().get_doccount(), 5u);
  write_file(m_dir.path() / "in" / "a1.md",
             article(k_2020_07_01, "特朗普访问上海", "https://www.voachinese.com/a/1.html", "<p>改版。</p>"));
  ASSERT_TRUE(index_paths(db(), {m_dir.str("in")}, IndexOptions{}, again).ok());
  EXPECT_TRUE(set_of("新冠疫情").empty());
  EXPECT_EQ(set_of("上海"), Set{"1"});
}

TEST_F(IndexSearch, LimitOffsetAndCount) {
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  SearchOptions opt;
  opt.limit = 1;
  opt.offset = 1;
  Result<SearchResults> r = s->search("date:2020", opt);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 1u);
  EXPECT_EQ(r->hits[0].rank, 2u);
  Result<size_t> n = s->count("date:2020", {});
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 5u);
}

TEST_F(IndexSearch, LimitsAndOffsetsPastTheDocumentCountNeverWrap) {
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  const auto ranks = [&](const std::string& q, size_t offset, size_t limit) {
    SearchOptions opt;
    opt.offset = offset;
    opt.limit = limit;
    Result<SearchResults> r = s->search(q, opt);
    EXPECT_TRUE(r.ok()) << q;
    std::vector<size_t> out;
    if (r) {
      for (const Hit& h : r->hits) out.push_back(h.rank);
    }
    return out;
  };
  using Ranks = std::vector<size_t>;
  // "date:2020" is a plain match; "北京" one term; "特朗普" a verified Chinese run.
  EXPECT_EQ(ranks("date:2020", 0, size_t{1} << 32), (Ranks{1, 2, 3, 4, 5}));
  EXPECT_EQ(ranks("北京", 0, size_t{1} << 32), (Ranks{1, 2}));
  EXPECT_EQ(ranks("特朗普", 0, size_t{1} << 32), (Ranks{1, 2}));
  EXPECT_EQ(ranks("date:2020", 1, SIZE_MAX), (Ranks{2, 3, 4, 5}));
  EXPECT_EQ(ranks("特朗普", 1, SIZE_MAX), (Ranks{2}));
  EXPECT_EQ(ranks("date:2020", SIZE_MAX, 1), Ranks{});
  EXPECT_EQ(ranks("date:2020", SIZE_MAX, SIZE_MAX), Ranks{});
}

TEST(Database, OtherTokenizerVersionIsRefusedWithAReindexHint) {
  TempDir dir;
  {
    Xapian::WritableDatabase db(dir.str("db"), Xapian::DB_CREATE);
    db.set_metadata(std::string(k_meta_schema), std::to_string(k_schema_version));
    db.set_metadata(std::string(k_meta_tokenizer), "tokenizer=0 icu=1.0");
    db.commit();
  }
  Result<Searcher> s = Searcher::open(dir.str("db"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::db_invalid);
  EXPECT_NE(s.error().hint.find("--reindex"), std::string::npos);
}

TEST(Database, AStorageFailureIsAWriteFailureNotAnInvalidDatabase) {
  // As compact's (or an update's) commit reports a full disk, with or without the errno.
  for (const Xapian::Error& e : std::initializer_list<Xapian::Error>{
           Xapian::DatabaseError("Error writing block 38", ENOSPC),
           Xapian::DatabaseError("Modifications failed (DatabaseError: Error writing block 38 (No space left on "
                                 "device)), and couldn't open at the old revision: Error writing to file")}) {
    const Error err = database_error("db", e);
    EXPECT_EQ(err.code, ExitCode::write_failed) << e.get_description();
    EXPECT_EQ(err.message, "db: no space left on device");
  }
  EXPECT_EQ(database_error("db", Xapian::DatabaseError("Error writing block 38", EIO)).message,
            "db: input/output error");
  EXPECT_EQ(database_error("db", Xapian::DatabaseCorruptError("bad block")).code, ExitCode::db_invalid);
}

TEST(Database, MissingDatabaseIsReportedAsMissing) {
  TempDir dir;
  Result<Searcher> s = Searcher::open(dir.str("nothing-here"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::db_missing);
}

TEST(Database, LongUrlsGetHashedTermsUnderTheXapianLimit) {
  for (const size_t n : {200u, 222u, 223u, 224u, 400u}) {
    const std::string url = "https://example.com/" + std::string(n, 'x');
    EXPECT_LE(url_term(url).size(), k_max_term_bytes - 17) << n;
    EXPECT_LE(version_term(url, ~uint64_t{0}).size(), k_max_term_bytes) << n;
    EXPECT_NE(url_term(url), url_term(url + "y"));
  }
  EXPECT_EQ(url_term("https://a.b/c"), "Uhttps://a.b/c");
  EXPECT_EQ(version_term("https://a.b/c", 0xab), "Qhttps://a.b/c#00000000000000ab");
  // A version is its title, author and text; the boundaries between them count.
  EXPECT_NE(version_hash("ab", "", "c"), version_hash("a", "bc", ""));
  EXPECT_EQ(version_hash("t", "a", "x"), version_hash("t", "a", "x"));
}

TEST(Ranking, WholeWordMatchesRankAboveSubstringsOfLongerWords) {
  // Only meaningful where ICU's dictionary reads 中国人 as one word here; the test checks that first.
  Segmenter seg;
  TokenStream ts;
  seg.tokenize("很多中国人来了。", ts, Segmenter::k_dictionary_words);
  if (ts.tokens.size() < 3 || ts.tokens[2].word_len != 3) GTEST_SKIP() << "ICU does not segment 中国人 as one word";
  TempDir dir;
  // Same length, one occurrence each; only the word boundaries differ.
  write_file(dir.path() / "in" / "a.md",
             article(1593561600000, "新闻", "https://x.org/substring", "<p>很多中国人来了。</p>"));
  write_file(dir.path() / "in" / "b.md",
             article(1593561600000, "新闻", "https://x.org/word", "<p>很多中国的来了。</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  Result<SearchResults> r = s->search("中国", {});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].article.url, "https://x.org/word");
  EXPECT_GT(r->hits[0].score, r->hits[1].score);
  // Each occurrence is stored once: as the word term where ICU reads a word, else as the bigram.
  Xapian::Database db(dir.str("db"));
  EXPECT_EQ(db.get_termfreq("中国"), 1u);
  EXPECT_EQ(db.get_termfreq(std::string(k_field_all.gram) + "中国"), 1u);
}

TEST(Ranking, KnownItemFragmentsRankTheirArticleFirst) {
  TempDir dir;
  const char* bodies[] = {
      "<p>香港立法会今天讨论了房屋政策。议员们对公屋轮候时间表示关注。</p>",
      "<p>立法会议员讨论了交通政策。房屋问题也被提及。</p>",
      "<p>政府宣布新的房屋政策，公屋供应将增加。轮候时间有望缩短。</p>",
      "<p>议员们关注公屋轮候时间，立法会将再次讨论。</p>",
  };
  for (int i = 0; i < 4; ++i) {
    write_file(dir.path() / "in" / (std::to_string(i) + ".md"),
               article(1593561600000 + i, "新闻", "https://x.org/" + std::to_string(i), bodies[i]));
  }
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  Result<SearchResults> r = s->search("房屋政策 公屋轮候", {});
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->hits.empty());
  EXPECT_EQ(r->hits[0].article.url, "https://x.org/0");
}

TEST(Recall, APastedPassageFindsItsArticleAndOnlyIt) {
  // 200 CJK characters (U+4E00...) and the same with one changed in the middle: a literal of
  // 199 bigrams, of which the candidate query keeps 32 (both articles have them); the verifier
  // tells the two apart.
  std::string passage;
  for (char32_t c = 0x4E00; c < 0x4E00 + 200; ++c) {
    passage += static_cast<char>(0xE0 | (c >> 12)), passage += static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
        passage += static_cast<char>(0x80 | (c & 0x3F));
  }
  std::string changed = passage;
  changed.replace(300, 3, "中");
  TempDir dir;
  write_file(dir.path() / "in" / "a.md", article(k_2020_07_01, "甲", "https://x.org/a", "<p>" + passage + "</p>"));
  write_file(dir.path() / "in" / "b.md", article(k_2020_07_01, "乙", "https://x.org/b", "<p>" + changed + "</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  for (const auto& [query, url] : {std::pair{passage, "https://x.org/a"}, std::pair{changed, "https://x.org/b"}}) {
    Result<SearchResults> r = s->search(query, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->hits.size(), 1u);
    EXPECT_EQ(r->hits[0].article.url, url);
  }
}

TEST(Snippets, PreferThePassageWithTheMostDistinctTerms) {
  Segmenter seg;
  TokenStream body;
  const std::string text = "特朗普说了很多话。" + std::string(30, 'x') + " 后来拜登和特朗普见面了。";
  seg.tokenize(text, body, Segmenter::k_source_offsets);
  auto cq = compile_query("特朗普 拜登");
  ASSERT_TRUE(cq.ok());
  const Snippet s = make_snippet(text, body, cq->highlights(body), 30);
  EXPECT_NE(s.text.find("拜登和特朗普"), std::string::npos) << s.text;
  EXPECT_LE(display_width(s.text), 30u);
  ASSERT_EQ(s.highlights.size(), 2u);
  EXPECT_EQ(s.text.substr(s.highlights[0].begin, s.highlights[0].end - s.highlights[0].begin), "拜登");
}

TEST(Snippets, FitTheColumnBudgetCountingChineseAsTwo) {
  Segmenter seg;
  TokenStream body;
  std::string text;
  for (int i = 0; i < 50; ++i) text += "中文";
  text += "关键词";
  for (int i = 0; i < 50; ++i) text += "中文";
  seg.tokenize(text, body, Segmenter::k_source_offsets);
  auto cq = compile_query("关键词");
  ASSERT_TRUE(cq.ok());
  for (size_t cols : {20u, 40u, 75u}) {
    const Snippet s = make_snippet(text, body, cq->highlights(body), cols);
    EXPECT_LE(display_width(s.text), cols);
    ASSERT_EQ(s.highlights.size(), 1u);
    EXPECT_EQ(s.text.substr(s.highlights[0].begin, s.highlights[0].end - s.highlights[0].begin), "关键词");
  }
}

TEST(Ranking, ArticlesInTheScriptOfTheQueryComeFirst) {
  TempDir dir;
  write_file(dir.path() / "in" / "s.md",
             article(1593561600000, "新闻", "https://x.org/simplified", "<p>卡达航空提出仲裁，要求赔偿。</p>"));
  write_file(dir.path() / "in" / "t.md",
             article(1593561600000, "新聞", "https://x.org/traditional", "<p>卡達航空提出仲裁，要求賠償。</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  for (const auto& [query, first] : {std::pair{"卡達航空 賠償", "https://x.org/traditional"},
                                     std::pair{"卡达航空 赔偿", "https://x.org/simplified"}}) {
    Result<SearchResults> r = s->search(query, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->hits.size(), 2u) << query;  // both match: folding finds the other script too
    EXPECT_EQ(r->hits[0].article.url, first) << query;
  }
}

TEST(DocumentData, RoundTripsAndReadsTheAllJsonFormOfSchema2) {
  StoredArticle a{"a.md", "https://x.org/1", "标题 \"quoted\"", 1593561600000, "x.org", "", "第一段\n\"二\" \\ {}", {}};
  a.files.push_back(FileCopy{"a.md", "/abs/a.md", 1593561600000});
  const StoredArticle b = from_document_data(to_document_data(a));
  EXPECT_EQ(b.title, a.title);
  EXPECT_EQ(b.text, a.text);
  EXPECT_EQ(b.published_ms, a.published_ms);
  ASSERT_EQ(b.files.size(), 1u);
  EXPECT_EQ(b.files[0].abspath, "/abs/a.md");
  const StoredArticle old = from_document_data(
      R"({"path":"p","url":"u","title":"t","published":null,"source":"s","author":"","text":"正文","files":[]})");
  EXPECT_EQ(old.text, "正文");
  EXPECT_FALSE(old.published_ms);
}

TEST(Wildcards, TheWildcardsOfAQueryShareTheExpansionLimit) {
  TempDir dir;
  std::string words;  // 17 words starting with "zq"
  for (char c = 'a'; c <= 'q'; ++c) words += std::string(" zq") + c;
  write_file(dir.path() / "in" / "a.md", article(k_2020_07_01, "Wildcards", "https://x.org/a", "<p>" + words + "</p>"));
  Result<Searcher> s = index_and_open(dir);
  ASSERT_TRUE(s.ok()) << s.error().message;
  const auto query = [](size_t wildcards) {  // zq* OR w1* OR w2* ...
    std::string q = "zq*";
    for (size_t i = 1; i < wildcards; ++i) q += " OR w" + std::to_string(i) + "*";
    return q;
  };
  // 240 wildcards: each may match 4096 / 240 = 17 words.
  Result<SearchResults> fits = s->search(query(240), {});
  ASSERT_TRUE(fits.ok()) << fits.error().message;
  EXPECT_EQ(fits->hits.size(), 1u);
  // 256 wildcards: each may match 16 words, and zq* matches 17.
  const std::string expected =
      "wildcard 'zq*' matches more than 16 words (the limit: 4096 words for all the wildcards of a query)";
  Result<SearchResults> over = s->search(query(256), {});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ExitCode::usage);
  EXPECT_EQ(over.error().message, expected);
  Result<size_t> count = s->count(query(256), {});
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().message, expected);
}
