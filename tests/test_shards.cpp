// test_shards.cpp — date shards (index --shard-by), several databases searched as one, and
// remote shards served by xapian-tcpsrv on 127.0.0.1.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/search.hpp"
#include "newsidx/store.hpp"
#include "test_support.hpp"

extern char** environ;

using namespace newsidx;
using newsidx::test::article;
using newsidx::test::slurp;
using newsidx::test::TempDir;
using newsidx::test::write_file;
namespace fs = std::filesystem;

namespace {

constexpr int64_t k_2019_01_01 = 1546300800000;
constexpr int64_t k_2020_01_01 = 1577836800000;
constexpr int64_t k_2021_01_01 = 1609459200000;
constexpr int64_t k_day = 86400000;
const std::string k_moved_url = "https://example.org/moved";    // two versions: 2019 and 2021
const std::string k_copied_url = "https://example.org/copied";  // one version, copies in 2019 and 2021

/// A deterministic synthetic archive: 150 articles over 2019–2021 from a small vocabulary (so
/// that queries match many articles with different BM25 weights), one undated article, and one
/// URL with two versions and one with two identical copies, published in different years.
void write_archive(const fs::path& dir) {
  const std::vector<std::string> words = {"香港",  "国安法",   "疫情", "特朗普", "选举", "经济", "中国", "美国",
                                          "Trump", "election", "示威", "台湾",   "贸易", "疫苗", "北京"};
  std::mt19937 rng(7);  // the engine's output is fixed by the standard
  const auto pick = [&] { return words[rng() % words.size()]; };
  for (int i = 0; i < 150; ++i) {
    std::string body;
    for (unsigned n = 5 + rng() % 40; n > 0; --n) body += pick() + (rng() % 3 == 0 ? "。" : " ");
    // 大学 is an ICU word, but not inside 大学生: the archive holds both XG大学 and 大学, the
    // two terms of the query 大学's synonym.
    if (i % 3 == 0) body += "大学生 ";
    if (i % 4 == 0) body += "大学 ";
    const int64_t published = k_2019_01_01 + (i * 1090 / 150) * k_day + static_cast<int64_t>(rng() % 86400) * 1000;
    write_file(dir / fmt::format("a{:03}.md", i),
               article(published, pick() + pick(), fmt::format("https://example.org/{}", i), "<p>" + body + "</p>"));
  }
  write_file(dir / "undated.md",
             "<!--NaN-->\n[香港 undated](https://example.org/undated)\n------\n\n<p>香港 疫情</p>\n");
  write_file(dir / "moved-old.md", article(k_2019_01_01 + 5 * k_day, "香港 old", k_moved_url, "<p>香港 经济 old</p>"));
  write_file(dir / "moved-new.md", article(k_2021_01_01 + 5 * k_day, "香港 new", k_moved_url, "<p>香港 经济 new</p>"));
  write_file(dir / "copied-a.md",
             article(k_2021_01_01 + 9 * k_day, "香港 copied", k_copied_url, "<p>香港 贸易 copied</p>"));
  write_file(dir / "copied-b.md",
             article(k_2019_01_01 + 9 * k_day, "香港 copied", k_copied_url, "<p>香港 贸易 copied</p>"));
}

struct Quiet : IndexObserver {
  void on_file(const std::string&, FileOutcome, std::string_view) override {}
};

void index_into(const std::string& db, const std::string& input, std::optional<ShardBy> by, size_t part_docs = 50000) {
  Quiet quiet;
  IndexOptions options;
  options.shard_by = by;
  options.part_docs = part_docs;
  Result<IndexReport> r = index_paths(db, {input}, options, quiet);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->failed, 0u);
}

const std::vector<std::string> k_queries = {"香港",         "疫情 经济",  "Trump",     "\"国安法\"",
                                            "香港 OR 台湾", "选举 -美国", "title:香港"};

/// The URLs of all matches in rank order.
std::vector<std::string> ranked_urls(Searcher& s, const std::string& query, const QueryFilters& filters = {}) {
  SearchOptions options;
  options.limit = 0;
  options.snippets = false;
  options.filters = filters;
  Result<SearchResults> r = s.search(query, options);
  EXPECT_TRUE(r.ok()) << query << ": " << (r.ok() ? "" : r.error().message);
  std::vector<std::string> urls;
  if (r.ok()) {
    for (const Hit& h : r->hits) urls.push_back(h.article.url);
  }
  return urls;
}

class Shards : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = new TempDir;
    write_archive(s_dir->path() / "in");
    index_into(s_dir->str("single"), s_dir->str("in"), std::nullopt);
    index_into(s_dir->str("sharded"), s_dir->str("in"), ShardBy::year);
  }
  static void TearDownTestSuite() { delete s_dir; }
  static TempDir* s_dir;
};
TempDir* Shards::s_dir = nullptr;

TEST_F(Shards, ShardByYearWritesOneDatabasePerYearListedInTheStub) {
  Result<std::vector<Shard>> shards = list_shards(s_dir->str("sharded"));
  ASSERT_TRUE(shards.ok()) << shards.error().message;
  std::vector<std::string> names;
  for (const Shard& s : *shards) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"2019", "2020", "2021", "undated"}));
  Xapian::doccount total = 0;
  for (const Shard& s : *shards) {
    Xapian::Database db(s.location);
    total += db.get_doccount();
    // Every version sits in the shard of its publish year: the two versions of one URL in
    // theirs, and the one version with copies in 2019 and 2021 in the year of its winning
    // (newest) copy, although the older copy sorts first and made it in 2019.
    EXPECT_EQ(db.get_termfreq(url_term(k_moved_url)), s.name == "2021" || s.name == "2019" ? 1u : 0u) << s.name;
    EXPECT_EQ(db.get_termfreq(url_term(k_copied_url)), s.name == "2021" ? 1u : 0u) << s.name;
    if (s.name == "2020") {
      EXPECT_EQ(db.get_value_lower_bound(k_slot_published).empty(), false);
      EXPECT_GE(Xapian::sortable_unserialise(db.get_value_lower_bound(k_slot_published)) * 1000, k_2020_01_01);
      EXPECT_LT(Xapian::sortable_unserialise(db.get_value_upper_bound(k_slot_published)) * 1000, k_2021_01_01);
    }
  }
  EXPECT_EQ(total, Xapian::Database(s_dir->str("single")).get_doccount());
  EXPECT_EQ(total, 154u);  // 150 + undated + two versions + one document for the two copies
}

TEST_F(Shards, ShardedSearchRanksLikeOneDatabase) {
  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  Result<Searcher> sharded = Searcher::open(s_dir->str("sharded"));
  ASSERT_TRUE(single.ok() && sharded.ok());
  for (const std::string& q : k_queries) {
    const std::vector<std::string> want = ranked_urls(*single, q);
    EXPECT_FALSE(want.empty()) << q;
    EXPECT_EQ(ranked_urls(*sharded, q), want) << q;
  }
}

TEST_F(Shards, BulkBuildsInSmallPartsGiveTheSameDatabase) {
  // Parts of 7 documents: the copies of a URL still make one document, and ranking is unchanged.
  TempDir dir;
  index_into(dir.str("one"), s_dir->str("in"), std::nullopt, 7);
  index_into(dir.str("years"), s_dir->str("in"), ShardBy::year, 7);
  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  Result<Searcher> one = Searcher::open(dir.str("one"));
  Result<Searcher> years = Searcher::open(dir.str("years"));
  ASSERT_TRUE(single.ok() && one.ok() && years.ok());
  EXPECT_EQ(one->database().get_doccount(), 154u);
  EXPECT_EQ(years->database().get_doccount(), 154u);
  EXPECT_EQ(one->database().get_termfreq(url_term(k_copied_url)), 1u);
  EXPECT_EQ(years->database().get_termfreq(url_term(k_copied_url)), 1u);
  EXPECT_EQ(years->database().get_termfreq(url_term(k_moved_url)), 2u);
  for (const std::string& q : k_queries) {
    EXPECT_EQ(ranked_urls(*one, q), ranked_urls(*single, q)) << q;
    EXPECT_EQ(ranked_urls(*years, q), ranked_urls(*single, q)) << q;
  }
}

TEST_F(Shards, DateFiltersLeaveOutShardsAndDocumentIdsStayValid) {
  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  Result<Searcher> sharded = Searcher::open(s_dir->str("sharded"));
  ASSERT_TRUE(single.ok() && sharded.ok());
  QueryFilters y2020;
  y2020.since_ms = k_2020_01_01;
  y2020.until_ms = k_2021_01_01;
  // Same matches; BM25 statistics come from the shards searched, so only the set is compared.
  std::vector<std::string> want = ranked_urls(*single, "香港", y2020);
  std::vector<std::string> got = ranked_urls(*sharded, "香港", y2020);
  ASSERT_FALSE(want.empty());
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), std::set<std::string>(want.begin(), want.end()));
  EXPECT_EQ(sharded->shards_searched(y2020), std::vector<std::string>{"2020"});
  QueryFilters since_mid_2020;
  since_mid_2020.since_ms = k_2020_01_01 + 200 * k_day;
  EXPECT_EQ(sharded->shards_searched(since_mid_2020), (std::vector<std::string>{"2020", "2021"}));
  EXPECT_EQ(sharded->shards_searched({}), (std::vector<std::string>{"2019", "2020", "2021", "undated"}));
  // Document ids of a search over some shards name the same articles in the whole set.
  SearchOptions options;
  options.limit = 0;
  options.filters = y2020;
  Result<SearchResults> r = sharded->search("香港", options);
  ASSERT_TRUE(r.ok());
  for (const Hit& h : r->hits) {
    Result<StoredArticle> a = sharded->article(h.docid);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->url, h.article.url);
  }
}

TEST_F(Shards, TimeSortedPagesAreThePagesOfTheFullMatch) {
  // A bounded --sort newest|oldest search matches the newest (oldest) months first and widens
  // them until the page is full; every page must still be that page of the full match. Without
  // a date filter, "single" holds an undated article (ranked last under newest, first under
  // oldest); with --since the undated shard of "sharded" is left out.
  std::vector<std::string> queries = k_queries;
  // The last two: the first months matched (the newest, the oldest) hold too few or none.
  for (const char* q :
       {"date:2020", "国安法 -\"香港国安法\"", "中国", "经济 -疫情", "date:2019 香港", "date:2021 经济"}) {
    queries.emplace_back(q);
  }
  for (const char* db : {"single", "sharded"}) {
    Result<Searcher> s = Searcher::open(s_dir->str(db));
    ASSERT_TRUE(s.ok());
    for (std::optional<int64_t> since : {std::optional<int64_t>{}, std::optional<int64_t>{k_2019_01_01}}) {
      for (const std::string& q : queries) {
        for (SortOrder sort : {SortOrder::newest, SortOrder::oldest}) {
          SearchOptions options;
          options.sort = sort;
          options.snippets = false;
          options.slices = 1;
          options.filters.since_ms = since;
          options.limit = 0;
          Result<SearchResults> full = s->search(q, options);
          ASSERT_TRUE(full.ok()) << q;
          EXPECT_FALSE(full->hits.empty()) << q;
          for (size_t limit : {1, 7, 40}) {
            for (size_t offset : {0, 5}) {
              options.limit = limit;
              options.offset = offset;
              Result<SearchResults> page = s->search(q, options);
              ASSERT_TRUE(page.ok()) << q;
              const std::string where = fmt::format("{} since {} {} sort {} limit {} offset {}", db, since.has_value(),
                                                    q, static_cast<int>(sort), limit, offset);
              const size_t first = std::min(offset, full->hits.size());
              const size_t last = std::min(offset + limit, full->hits.size());
              ASSERT_EQ(page->hits.size(), last - first) << where;
              for (size_t i = 0; i < page->hits.size(); ++i) {
                EXPECT_EQ(page->hits[i].docid, full->hits[first + i].docid) << where << " rank " << first + i + 1;
                EXPECT_DOUBLE_EQ(page->hits[i].score, full->hits[first + i].score) << where;
              }
            }
          }
        }
      }
    }
  }
}

TEST_F(Shards, SlicedMatchingRanksLikeOneMatch) {
  // Every slice count, on one database and on date shards, gives the ranking of one match:
  // the same documents, order and scores, whatever the sort order, filters, offset and
  // verification (phrases and exclusions reject candidates inside the slices).
  // 中, 香港, 中国, 大学, title:香港 and 香港 -国安法 are one term or a synonym of two; 特朗普,
  // 疫情 经济 and 中 中 are an AND of two such. Their slices are matched without Xapian's
  // matcher (match_terms_in_slice), with the same BM25 weights.
  const std::vector<std::string> queries = {"香港",       "疫情 经济",    "Trump",
                                            "\"国安法\"", "香港 OR 台湾", "选举 -美国",
                                            "title:香港", "date:2020",    "国安法 -\"香港国安法\"",
                                            "中国",       "中",           "香港 -国安法",
                                            "大学",       "特朗普",       "中 中"};
  for (const char* db : {"single", "sharded"}) {
    Result<Searcher> s = Searcher::open(s_dir->str(db));
    ASSERT_TRUE(s.ok());
    for (const std::string& q : queries) {
      for (SortOrder sort : {SortOrder::relevance, SortOrder::newest, SortOrder::oldest}) {
        for (size_t offset : {0, 3}) {
          SearchOptions options;
          options.limit = 7;
          options.offset = offset;
          options.sort = sort;
          options.snippets = false;
          options.slices = 1;
          Result<SearchResults> one = s->search(q, options);
          ASSERT_TRUE(one.ok()) << q;
          for (unsigned slices : {2u, 3u, 7u}) {
            options.slices = slices;
            Result<SearchResults> sliced = s->search(q, options);
            ASSERT_TRUE(sliced.ok()) << q;
            const std::string where =
                fmt::format("{} {} sort {} offset {} slices {}", db, q, static_cast<int>(sort), offset, slices);
            ASSERT_EQ(sliced->hits.size(), one->hits.size()) << where;
            for (size_t i = 0; i < one->hits.size(); ++i) {
              EXPECT_EQ(sliced->hits[i].docid, one->hits[i].docid) << where << " rank " << i + 1;
              EXPECT_EQ(sliced->hits[i].rank, one->hits[i].rank) << where;
              EXPECT_EQ(sliced->hits[i].score, one->hits[i].score) << where;  // to the bit
            }
          }
        }
      }
    }
  }
}

/// 900 articles over 2019–2021 in three kinds: 香港 and 港人 apart (false candidates of 香港人,
/// with more of both than the true matches have), 香港人 itself, and one identical text published
/// at one of three times (equal weights and times, so that only the docid breaks their ties).
void write_large_archive(const fs::path& dir) {
  for (int i = 0; i < 900; ++i) {
    std::string title = fmt::format("报道{}", i);
    std::string body;
    switch (i % 3) {
      case 0:
        for (int r = 0; r <= i % 5; ++r) body += "香港，港人。";
        break;
      case 1:
        body = "他们是香港人。";
        for (int r = 0; r < i % 7; ++r) body += "经济 ";
        break;
      default:
        title = "新闻";
        body = "中国 经济";
    }
    const int64_t published = k_2019_01_01 + (i % 3 == 2 ? i / 300 * 365 + 100 : i * 1090 / 900) * k_day;
    write_file(dir / fmt::format("b{:03}.md", i),
               article(published, title, fmt::format("https://example.org/large/{}", i), "<p>" + body + "</p>"));
  }
}

TEST(SlicedMatching, FillsItsHeapRefetchesAndBreaksTiesAsOneMatchDoes) {
  // Slices of 150-450 documents: a slice's heap (64 or 128 places) fills up, the first batch of
  // 香港人 holds too few true matches so that the slice matches again with a larger one, and
  // 300 articles of equal weight for 中国 are cut by docid.
  TempDir dir;
  write_large_archive(dir.path() / "in");
  index_into(dir.str("single"), dir.str("in"), std::nullopt);
  index_into(dir.str("sharded"), dir.str("in"), ShardBy::year);
  for (const char* db : {"single", "sharded"}) {
    Result<Searcher> s = Searcher::open(dir.str(db));
    ASSERT_TRUE(s.ok());
    for (const std::string q : {"香港人", "香港", "中国", "经济", "中国 经济", "香港 港人"}) {
      for (const size_t offset : {0, 50}) {
        SearchOptions options;
        options.limit = 20;
        options.offset = offset;
        options.snippets = false;
        options.slices = 1;
        Result<SearchResults> one = s->search(q, options);
        ASSERT_TRUE(one.ok()) << q;
        ASSERT_EQ(one->hits.size(), 20u) << q;
        for (const unsigned slices : {2u, 3u, 6u}) {
          options.slices = slices;
          Result<SearchResults> sliced = s->search(q, options);
          ASSERT_TRUE(sliced.ok()) << q;
          const std::string where = fmt::format("{} {} offset {} slices {}", db, q, offset, slices);
          ASSERT_EQ(sliced->hits.size(), one->hits.size()) << where;
          for (size_t i = 0; i < one->hits.size(); ++i) {
            EXPECT_EQ(sliced->hits[i].docid, one->hits[i].docid) << where << " rank " << i + 1;
            EXPECT_EQ(sliced->hits[i].score, one->hits[i].score) << where << " rank " << i + 1;
          }
        }
      }
    }
  }
}

TEST_F(Shards, SlicedCountsAndFacetsAreThoseOfOneMatch) {
  // Counts and facets verify every candidate, in slices of the document ids when there are many;
  // every slice count gives the figures of one match: each article once (the URL with versions
  // in 2019 and 2021 counted in the month of its first version, whichever slice holds which),
  // and as many as a search for all matches lists.
  const std::vector<std::string> queries = {"香港",          "香港 经济",    "\"国安法\"", "国安法 -\"香港国安法\"",
                                            "选举 -美国",    "香港 OR 台湾", "中国",       "大学",
                                            "date:2020 疫情"};
  for (const char* db : {"single", "sharded"}) {
    Result<Searcher> s = Searcher::open(s_dir->str(db));
    ASSERT_TRUE(s.ok());
    for (const std::string& q : queries) {
      Result<size_t> one = s->count(q, {}, 1);
      ASSERT_TRUE(one.ok()) << q;
      EXPECT_EQ(*one, ranked_urls(*s, q).size()) << db << " " << q;
      for (FacetKind kind : {FacetKind::month, FacetKind::source}) {
        Result<std::vector<FacetCount>> facets = s->facet(q, {}, kind, 1);
        ASSERT_TRUE(facets.ok()) << q;
        for (unsigned slices : {0u, 2u, 3u, 7u}) {
          const std::string where = fmt::format("{} {} slices {}", db, q, slices);
          Result<size_t> sliced = s->count(q, {}, slices);
          ASSERT_TRUE(sliced.ok()) << where;
          EXPECT_EQ(*sliced, *one) << where;
          Result<std::vector<FacetCount>> sliced_facets = s->facet(q, {}, kind, slices);
          ASSERT_TRUE(sliced_facets.ok()) << where;
          ASSERT_EQ(sliced_facets->size(), facets->size()) << where;
          for (size_t i = 0; i < facets->size(); ++i) {
            EXPECT_EQ((*sliced_facets)[i].value, (*facets)[i].value) << where;
            EXPECT_EQ((*sliced_facets)[i].count, (*facets)[i].count) << where << " " << (*facets)[i].value;
          }
        }
      }
    }
  }
}

TEST(SlicedFacets, CountAURLInTheMonthOfItsFirstVersionWhicheverSliceHoldsIt) {
  // A big 2019 shard and a small 2021 one: a slice's docids interleave those of both, so the
  // second slice holds 2021's version of the URL (docid 16) and the first 2019's (docid 81).
  // The URL counts once, in the month of the lower docid, as in one match.
  TempDir dir;
  const std::string url = "https://example.org/two-versions";
  for (int i = 0; i < 100; ++i) {
    write_file(dir.path() / "in" / fmt::format("y2019-{:03}.md", i),
               article(k_2019_01_01 + i * k_day, "香港", i == 40 ? url : fmt::format("https://example.org/a{}", i),
                       fmt::format("<p>香港 {}</p>", i)));
  }
  for (int i = 0; i < 10; ++i) {
    write_file(dir.path() / "in" / fmt::format("y2021-{:03}.md", i),
               article(k_2021_01_01 + i * k_day, "香港", i == 7 ? url : fmt::format("https://example.org/b{}", i),
                       fmt::format("<p>香港 {} new</p>", i)));
  }
  index_into(dir.str("db"), dir.str("in"), ShardBy::year);
  Result<Searcher> s = Searcher::open(dir.str("db"));
  ASSERT_TRUE(s.ok());
  Result<std::vector<FacetCount>> one = s->facet("香港", {}, FacetKind::month, 1);
  ASSERT_TRUE(one.ok());
  size_t total = 0;
  for (const FacetCount& c : *one) total += c.count;
  EXPECT_EQ(total, 109u);
  EXPECT_EQ(*s->count("香港", {}, 1), 109u);
  for (unsigned slices : {2u, 3u}) {
    Result<std::vector<FacetCount>> sliced = s->facet("香港", {}, FacetKind::month, slices);
    ASSERT_TRUE(sliced.ok());
    ASSERT_EQ(sliced->size(), one->size());
    for (size_t i = 0; i < one->size(); ++i) {
      EXPECT_EQ((*sliced)[i].value, (*one)[i].value) << slices;
      EXPECT_EQ((*sliced)[i].count, (*one)[i].count) << slices << " " << (*one)[i].value;
    }
    EXPECT_EQ(*s->count("香港", {}, slices), 109u);
  }
}

TEST_F(Shards, ShowFindsAFileOfAnyShardByPath) {
  Result<Searcher> sharded = Searcher::open(s_dir->str("sharded"));
  ASSERT_TRUE(sharded.ok());
  Result<Xapian::docid> d = sharded->resolve((s_dir->path() / "in" / "a140.md").string());  // a 2021 article
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(sharded->article(*d)->url, "https://example.org/140");
}

TEST_F(Shards, StatsReportEachShard) {
  Result<Searcher> sharded = Searcher::open(s_dir->str("sharded"));
  ASSERT_TRUE(sharded.ok());
  Result<DatabaseStats> st = sharded->stats();
  ASSERT_TRUE(st.ok());
  ASSERT_EQ(st->shards.size(), 4u);
  size_t sum = 0;
  for (const ShardStats& s : st->shards) {
    sum += s.articles;
    EXPECT_TRUE(s.disk_bytes && *s.disk_bytes > 0);
  }
  EXPECT_EQ(sum, st->versions);
  EXPECT_EQ(st->articles, st->versions - 1);  // the two versions of k_moved_url are one article
  EXPECT_EQ(st->shards[3].name, "undated");
  EXPECT_EQ(st->shards[3].articles, 1u);
}

TEST_F(Shards, ReindexingWithoutShardByKeepsTheLayoutAndShardByNoneMergesIt) {
  TempDir dir;
  index_into(dir.str("db"), s_dir->str("in"), ShardBy::month);
  index_into(dir.str("db"), s_dir->str("in"), std::nullopt);  // a sharded database is rebuilt as it was
  Result<std::vector<Shard>> shards = list_shards(dir.str("db"));
  ASSERT_TRUE(shards.ok());
  EXPECT_GT(shards->size(), 30u);
  EXPECT_EQ(shards->front().name, "2019-01");
  index_into(dir.str("db"), s_dir->str("in"), ShardBy::none);
  shards = list_shards(dir.str("db"));
  ASSERT_TRUE(shards.ok());
  ASSERT_EQ(shards->size(), 1u);
  EXPECT_EQ(Xapian::Database(shards->front().location).get_doccount(), 154u);
}

/// The URLs of every document of each local shard of `db`, by shard name.
std::map<std::string, std::multiset<std::string>> urls_by_shard(const std::string& db) {
  std::map<std::string, std::multiset<std::string>> out;
  Result<std::vector<Shard>> shards = list_shards(db);
  EXPECT_TRUE(shards.ok());
  for (const Shard& s : shards.ok() ? *shards : std::vector<Shard>{}) {
    Xapian::Database d(s.location);
    for (auto it = d.postlist_begin(""); it != d.postlist_end(""); ++it)
      out[s.name].insert(from_document_data(d.get_document(*it).get_data()).url);
  }
  return out;
}

TEST_F(Shards, AShardedDatabaseIsUpdatedInPlaceAndMatchesAFreshBuild) {
  TempDir dir;
  fs::copy(s_dir->path() / "in", dir.path() / "in");
  index_into(dir.str("db"), dir.str("in"), ShardBy::year);
  const std::vector<Shard> before = *list_shards(dir.str("db"));

  // Across periods: a new 2020 article, one in a new period (2022), a changed 2019 article, a
  // deleted 2021 one, a new copy in 2022 of a 2020 article (its one version moves to 2022), and
  // the 2021 copy of k_copied_url deleted (its version moves to the year of the 2019 copy).
  const fs::path in = dir.path() / "in";
  write_file(in / "new-2020.md",
             article(k_2020_01_01 + 40 * k_day, "香港 新", "https://example.org/new-2020", "<p>香港 疫苗 新文章</p>"));
  write_file(in / "new-2022.md",
             article(k_2021_01_01 + 400 * k_day, "香港 2022", "https://example.org/new-2022", "<p>香港 选举 2022</p>"));
  write_file(in / "a010.md",
             article(k_2019_01_01 + 80 * k_day, "疫情 改写", "https://example.org/10", "<p>疫情 经济 改写 香港</p>"));
  fs::remove(in / "a140.md");
  const std::string a075 = slurp(in / "a075.md");
  std::string copy = a075;
  copy.replace(4, 13, std::to_string(k_2021_01_01 + 420 * k_day));  // same content, published in 2022
  write_file(in / "a075-copy.md", copy);
  fs::remove(in / "copied-a.md");

  Quiet quiet;
  IndexOptions options;
  Result<IndexReport> r = index_paths(dir.str("db"), {dir.str("in")}, options, quiet);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->indexed, 4u);  // new-2020, new-2022, a010, a075-copy
  EXPECT_EQ(r->removed, 2u);
  // In place: the shards that were there are the same folders; 2022 was added beside them.
  const std::vector<Shard> after = *list_shards(dir.str("db"));
  std::vector<std::string> names;
  for (const Shard& s : after) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"2019", "2020", "2021", "2022", "undated"}));
  for (const Shard& b : before) {
    EXPECT_TRUE(std::any_of(after.begin(), after.end(), [&](const Shard& a) { return a.location == b.location; }))
        << b.location;
  }
  // The file records left the shards for GEN/records.
  EXPECT_FALSE(records_location(dir.str("db")).empty());
  for (const Shard& s : after) {
    Xapian::Database d(s.location);
    EXPECT_EQ(d.metadata_keys_begin("newsidx.file."), d.metadata_keys_end("newsidx.file.")) << s.name;
  }

  // Every document in the shard of its winning copy, every query ranked as by a fresh sharded
  // build and by one database.
  index_into(dir.str("fresh"), dir.str("in"), ShardBy::year);
  index_into(dir.str("one"), dir.str("in"), std::nullopt);
  EXPECT_EQ(urls_by_shard(dir.str("db")), urls_by_shard(dir.str("fresh")));
  EXPECT_EQ(urls_by_shard(dir.str("db"))["2022"].count("https://example.org/75"), 1u);
  EXPECT_EQ(urls_by_shard(dir.str("db"))["2019"].count(k_copied_url), 1u);
  Result<Searcher> updated = Searcher::open(dir.str("db"));
  Result<Searcher> fresh = Searcher::open(dir.str("fresh"));
  Result<Searcher> one = Searcher::open(dir.str("one"));
  ASSERT_TRUE(updated.ok() && fresh.ok() && one.ok());
  for (const std::string& q : k_queries) {
    const std::vector<std::string> want = ranked_urls(*one, q);
    EXPECT_EQ(ranked_urls(*fresh, q), want) << q;
    EXPECT_EQ(ranked_urls(*updated, q), want) << q;
  }
  Result<Xapian::docid> d = updated->resolve((in / "a075-copy.md").string());
  ASSERT_TRUE(d.ok()) << d.error().message;

  // Unchanged: nothing is read again, also after compact (which carries the records along).
  r = index_paths(dir.str("db"), {dir.str("in")}, options, quiet);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->indexed, 0u);
  EXPECT_EQ(r->removed, 0u);
  ASSERT_TRUE(compact_database(dir.str("db"), false).ok());
  r = index_paths(dir.str("db"), {dir.str("in")}, options, quiet);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->indexed, 0u);
  Result<Searcher> compacted = Searcher::open(dir.str("db"));
  ASSERT_TRUE(compacted.ok());
  EXPECT_TRUE(compacted->resolve((in / "a075-copy.md").string()).ok());
}

TEST_F(Shards, AMoveStoppedBetweenItsTwoCommitsIsRepairedByTheNextRun) {
  TempDir dir;
  fs::copy(s_dir->path() / "in", dir.path() / "in");
  index_into(dir.str("db"), dir.str("in"), ShardBy::year);
  // A 2022 copy of a 2020 article: its version moves to a new 2022 shard. The run stops (as a
  // kill would) once the new shard is committed and before the old document is deleted.
  const fs::path in = dir.path() / "in";
  std::string copy = slurp(in / "a075.md");
  copy.replace(4, 13, std::to_string(k_2021_01_01 + 420 * k_day));
  write_file(in / "a075-copy.md", copy);
  const std::string url = "https://example.org/75";
  Quiet quiet;
  IndexOptions options;
  options.fault_hook = [](std::string_view step, const std::string& path) {
    if (step == "moved" && path.ends_with("a075-copy.md")) throw std::runtime_error("killed here");
  };
  Result<IndexReport> r = index_paths(dir.str("db"), {dir.str("in")}, options, quiet);
  ASSERT_FALSE(r.ok());
  std::map<std::string, std::multiset<std::string>> shards = urls_by_shard(dir.str("db"));
  EXPECT_EQ(shards["2020"].count(url), 1u);  // both commits' worth: the version is twice
  EXPECT_EQ(shards["2022"].count(url), 1u);

  // The copy has no record yet: the next run indexes it again and keeps one version, in 2022.
  options.fault_hook = nullptr;
  r = index_paths(dir.str("db"), {dir.str("in")}, options, quiet);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->indexed, 1u);
  index_into(dir.str("fresh"), dir.str("in"), ShardBy::year);
  EXPECT_EQ(urls_by_shard(dir.str("db")), urls_by_shard(dir.str("fresh")));
  Result<Searcher> repaired = Searcher::open(dir.str("db"));
  Result<Searcher> fresh = Searcher::open(dir.str("fresh"));
  ASSERT_TRUE(repaired.ok() && fresh.ok());
  for (const std::string& q : k_queries) EXPECT_EQ(ranked_urls(*repaired, q), ranked_urls(*fresh, q)) << q;
  EXPECT_TRUE(repaired->resolve((in / "a075-copy.md").string()).ok());
  EXPECT_TRUE(repaired->resolve((in / "a075.md").string()).ok());
}

TEST_F(Shards, CompactMergesClosedMonthsIntoYearsAndKeepsEveryResult) {
  TempDir dir;
  index_into(dir.str("db"), s_dir->str("in"), ShardBy::month);
  Result<CompactReport> r = compact_database(dir.str("db"), true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->shards_before, 30u);
  EXPECT_EQ(r->shards_after, 4u);  // 2019, 2020, 2021 (all closed years) and undated
  Result<std::vector<Shard>> shards = list_shards(dir.str("db"));
  ASSERT_TRUE(shards.ok());
  std::vector<std::string> names;
  for (const Shard& s : *shards) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"2019", "2020", "2021", "undated"}));
  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  Result<Searcher> compacted = Searcher::open(dir.str("db"));
  ASSERT_TRUE(single.ok() && compacted.ok());
  for (const std::string& q : k_queries) EXPECT_EQ(ranked_urls(*compacted, q), ranked_urls(*single, q)) << q;
  // An unsharded database stays one database.
  index_into(dir.str("one"), s_dir->str("in"), std::nullopt);
  r = compact_database(dir.str("one"), true);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->shards_after, 1u);
  Result<Searcher> one = Searcher::open(dir.str("one"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(ranked_urls(*one, "香港"), ranked_urls(*single, "香港"));
}

TEST_F(Shards, AnUpdateAfterMergeMonthsWritesClosedMonthsToTheirYearShard) {
  TempDir dir;
  fs::copy(s_dir->path() / "in", dir.path() / "in");
  // An article of the current month: its month stays a shard of its own after --merge-months.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  write_file(dir.path() / "in" / "open-1.md",
             article(now_ms - 2000, "香港 open", "https://example.org/open-1", "<p>香港 open</p>"));
  index_into(dir.str("db"), dir.str("in"), ShardBy::month);
  ASSERT_TRUE(compact_database(dir.str("db"), true).ok());
  // A new article of a closed month (2020-03, now in the shard 2020), and one more of this month.
  write_file(dir.path() / "in" / "closed.md",
             article(k_2020_01_01 + 70 * k_day, "香港 closed", "https://example.org/closed", "<p>香港 closed</p>"));
  write_file(dir.path() / "in" / "open.md",
             article(now_ms - 1000, "香港 open", "https://example.org/open", "<p>香港 open</p>"));
  index_into(dir.str("db"), dir.str("in"), std::nullopt);
  std::map<std::string, std::multiset<std::string>> by_shard = urls_by_shard(dir.str("db"));
  EXPECT_EQ(by_shard["2020"].count("https://example.org/closed"), 1u);
  EXPECT_EQ(by_shard.count("2020-03"), 0u);
  const std::string this_month = shard_period(now_ms - 1000, ShardBy::month);
  EXPECT_EQ(by_shard[this_month].count("https://example.org/open"), 1u);
  Result<Searcher> s = Searcher::open(dir.str("db"));
  ASSERT_TRUE(s.ok());
  Result<DatabaseStats> st = s->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->shards.size(), 5u);  // 2019, 2020, 2021, the current month, undated
  EXPECT_EQ(st->versions, 157u);     // 154 and the three new articles
}

// ---------------------------------------------------------------------------------------------
// Remote shards

/// An xapian-tcpsrv serving one database on 127.0.0.1, stopped at scope exit.
class TcpServer {
 public:
  TcpServer(const std::string& db, unsigned port) : m_port(port) {
    const std::string port_s = std::to_string(port);
    std::vector<const char*> argv = {"xapian-tcpsrv", "--interface", "127.0.0.1", "--port",
                                     port_s.c_str(),  db.c_str(),    nullptr};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    // Its own process group: on SIGTERM xapian-tcpsrv signals its whole group (its children).
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    if (posix_spawnp(&m_pid, "xapian-tcpsrv", &actions, &attr, const_cast<char**>(argv.data()), environ) != 0)
      m_pid = -1;
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
  }
  ~TcpServer() { stop(); }
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  /// Waits until the server accepts connections (up to 10 s).
  [[nodiscard]] bool ready() const {
    for (int i = 0; i < 100 && m_pid > 0; ++i) {
      try {
        Xapian::Remote::open("127.0.0.1", m_port, 1000, 1000);
        return true;
      } catch (const Xapian::Error&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    return false;
  }
  void stop() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      ::waitpid(m_pid, nullptr, 0);
      m_pid = -1;
    }
  }
  [[nodiscard]] std::string address() const { return fmt::format("127.0.0.1:{}", m_port); }

 private:
  pid_t m_pid = -1;
  unsigned m_port;
};

bool have_tcpsrv() { return std::system("command -v xapian-tcpsrv >/dev/null 2>&1") == 0; }

/// A port that is probably free: derived from the process id, away from common services.
unsigned test_port(unsigned k) { return 20000 + (static_cast<unsigned>(::getpid()) * 7 + k * 101) % 20000; }

TEST_F(Shards, RemoteShardsServedByXapianTcpsrvRankLikeOneDatabase) {
  if (!have_tcpsrv()) GTEST_SKIP() << "xapian-tcpsrv is not installed (Debian package xapian-tools)";
  // Copy the sharded database, then serve its 2020 and 2021 shards from two servers and name
  // them in the stub as `remote` lines, as docs/scaling.md describes.
  TempDir dir;
  fs::copy(s_dir->path() / "sharded", dir.path() / "db", fs::copy_options::recursive);
  Result<std::vector<Shard>> shards = list_shards(dir.str("db"));
  ASSERT_TRUE(shards.ok());
  std::vector<std::unique_ptr<TcpServer>> servers;
  std::string stub;
  for (const Shard& s : *shards) {
    if (s.name == "2020" || s.name == "2021") {
      servers.push_back(std::make_unique<TcpServer>(s.location, test_port(static_cast<unsigned>(servers.size()))));
      ASSERT_TRUE(servers.back()->ready()) << "xapian-tcpsrv did not start on " << servers.back()->address();
      stub += "remote " + servers.back()->address() + "\n";
    } else {
      stub += "glass " + fs::relative(s.location, dir.path() / "db").string() + "\n";
    }
  }
  write_file(dir.path() / "db" / "XAPIANDB", stub);

  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  Result<Searcher> mixed = Searcher::open(dir.str("db"));
  ASSERT_TRUE(single.ok() && mixed.ok()) << (mixed.ok() ? "" : mixed.error().message);
  for (const std::string& q : k_queries) EXPECT_EQ(ranked_urls(*mixed, q), ranked_urls(*single, q)) << q;
  SearchOptions top3;
  top3.limit = 3;
  Result<SearchResults> a = single->search("疫情 经济", top3);
  Result<SearchResults> b = mixed->search("疫情 经济", top3);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(b->hits.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(b->hits[i].article.url, a->hits[i].article.url);
  // Counts and facets verify on the client when a shard is remote.
  EXPECT_EQ(*mixed->count("\"国安法\"", {}), *single->count("\"国安法\"", {}));
  Result<std::vector<FacetCount>> fa = single->facet("香港", {}, FacetKind::year);
  Result<std::vector<FacetCount>> fb = mixed->facet("香港", {}, FacetKind::year);
  ASSERT_TRUE(fa.ok() && fb.ok());
  ASSERT_EQ(fb->size(), fa->size());
  for (size_t i = 0; i < fa->size(); ++i) EXPECT_EQ((*fb)[i].count, (*fa)[i].count) << (*fa)[i].value;
  // One remote shard alone, named on the command line.
  Result<Searcher> one = Searcher::open("tcp://" + servers[0]->address());
  ASSERT_TRUE(one.ok()) << one.error().message;
  EXPECT_GT(one->database().get_doccount(), 0u);
  // index does not write remote shards: it refuses to update, naming one, and changes nothing.
  Quiet quiet;
  const std::string stub_before = slurp(dir.path() / "db" / "XAPIANDB");
  Result<IndexReport> refused = index_paths(dir.str("db"), {s_dir->str("in")}, IndexOptions{}, quiet);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ExitCode::usage);
  EXPECT_NE(refused.error().message.find(servers[0]->address()), std::string::npos) << refused.error().message;
  EXPECT_EQ(slurp(dir.path() / "db" / "XAPIANDB"), stub_before);

  // A shard that is down: a clear error naming it, or with allow_partial the other shards' results.
  const std::string down = servers[1]->address();
  servers[1]->stop();
  Result<Searcher> failing = Searcher::open(dir.str("db"));
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(failing.error().code, ExitCode::unavailable);
  EXPECT_NE(failing.error().message.find(down), std::string::npos) << failing.error().message;
  OpenOptions partial;
  partial.allow_partial = true;
  Result<Searcher> rest = Searcher::open({dir.str("db")}, partial);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  ASSERT_EQ(rest->warnings().size(), 1u);
  EXPECT_NE(rest->warnings()[0].find(down), std::string::npos);
  const std::vector<std::string> all = ranked_urls(*single, "香港");
  const std::vector<std::string> some = ranked_urls(*rest, "香港");
  EXPECT_FALSE(some.empty());
  EXPECT_LT(some.size(), all.size());
}

TEST_F(Shards, ARemoteShardThatDoesNotAnswerTimesOutAndIsNamed) {
  // A socket that listens but never accepts: the kernel completes the TCP handshake, and the
  // server's greeting never comes, as with a hung or overloaded xapian-tcpsrv.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string silent = fmt::format("127.0.0.1:{}", ntohs(addr.sin_port));

  OpenOptions options;
  options.remote_timeout_ms = 300;
  const auto started = std::chrono::steady_clock::now();
  Result<Searcher> failing = Searcher::open({s_dir->str("single"), "tcp://" + silent}, options);
  ASSERT_FALSE(failing.ok());
  EXPECT_EQ(failing.error().code, ExitCode::unavailable);
  EXPECT_NE(failing.error().message.find(silent), std::string::npos) << failing.error().message;
  EXPECT_NE(failing.error().message.find("imeout"), std::string::npos) << failing.error().message;
  // The timeout bounds the wait (generously: this is not a timing test, it only rules out a hang).
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));

  options.allow_partial = true;
  Result<Searcher> rest = Searcher::open({s_dir->str("single"), "tcp://" + silent}, options);
  ASSERT_TRUE(rest.ok()) << rest.error().message;
  ASSERT_EQ(rest->warnings().size(), 1u);
  EXPECT_NE(rest->warnings()[0].find(silent), std::string::npos);
  Result<Searcher> single = Searcher::open(s_dir->str("single"));
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(ranked_urls(*rest, "香港"), ranked_urls(*single, "香港"));
  ::close(listener);
}

}  // namespace
