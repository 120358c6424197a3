// test_daily.cpp — what is new since a time (search --added-since, the first-indexed time an
// article keeps), and facet counts drawn as bars.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "newsidx/query.hpp"
#include "test_support.hpp"

using newsidx::parse_when;
using newsidx::test::article;
using newsidx::test::CliRun;
using newsidx::test::TempDir;
using newsidx::test::write_file;

namespace {

constexpr int64_t k_hour = 3600 * 1000;
constexpr int64_t k_t1 = 1767225600000;      // 2026-01-01T00:00:00Z: the first run
constexpr int64_t k_t2 = k_t1 + 3 * k_hour;  // 03:00Z: the second run
constexpr const char* k_between = "2026-01-01T02:00Z";

/// Sets TZ for the life of the object (parse_when reads local time).
class ZoneSetting {
 public:
  explicit ZoneSetting(const char* tz) {
    if (const char* old = std::getenv("TZ")) m_old = old;
    ::setenv("TZ", tz, 1);
    ::tzset();
  }
  ~ZoneSetting() {
    if (m_old)
      ::setenv("TZ", m_old->c_str(), 1);
    else
      ::unsetenv("TZ");
    ::tzset();
  }
  ZoneSetting(const ZoneSetting&) = delete;
  ZoneSetting& operator=(const ZoneSetting&) = delete;

 private:
  std::optional<std::string> m_old;
};

class AddedSince : public ::testing::Test {
 protected:
  /// Runs newsidx with the clock at `now_ms` (NEWSIDX_NOW_MS).
  CliRun at(int64_t now_ms, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", "db"});
    return newsidx::test::run_cli(m_dir, args, "NEWSIDX_NOW_MS=" + std::to_string(now_ms));
  }
  void put(const std::string& name, const std::string& url, const std::string& body) {
    write_file(m_dir.path() / "news" / name, article(1593561600000, name, url, "<p>" + body + "</p>"));
  }
  /// The URLs of the hits of a jsonl search.
  static std::set<std::string> urls(const CliRun& r) {
    std::set<std::string> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);)
      out.insert(nlohmann::json::parse(line).at("url").get<std::string>());
    return out;
  }
  /// The URLs that `search apple --added-since WHEN` finds at `now_ms`.
  std::set<std::string> added_since(const std::string& when, int64_t now_ms = k_t2) {
    return urls(at(now_ms, {"search", "apple", "--added-since", when, "--format", "jsonl", "--limit", "0"}));
  }
  TempDir m_dir;
};

}  // namespace

TEST(ParseWhen, DurationsCountBackFromNow) {
  const int64_t now = k_t1;
  EXPECT_EQ(parse_when("30m", now), now - 30 * 60000);
  EXPECT_EQ(parse_when("2h", now), now - 2 * k_hour);
  EXPECT_EQ(parse_when("3d", now), now - 72 * k_hour);
  EXPECT_EQ(parse_when("1w", now), now - 168 * k_hour);
}

TEST(ParseWhen, ATimeWithAZoneIsThatInstantAndOneWithoutIsLocal) {
  const ZoneSetting shanghai("Asia/Shanghai");  // UTC+8, no daylight saving time
  EXPECT_EQ(parse_when("2026-01-01T00:00Z", 0), k_t1);
  EXPECT_EQ(parse_when("2026-01-01T08:00+08:00", 0), k_t1);
  EXPECT_EQ(parse_when("2025-12-31 19:00:00-0500", 0), k_t1);
  EXPECT_EQ(parse_when("2026-01-01T08:00", 0), k_t1);
  EXPECT_EQ(parse_when("2026-01-01 08:00:30", 0), k_t1 + 30000);
  EXPECT_EQ(parse_when("2026-01-01T08:00:30.25", 0), k_t1 + 30250);
  EXPECT_EQ(parse_when("2026-01-01T00:00:00.123456789Z", 0), k_t1 + 123);
  EXPECT_EQ(parse_when("2026-01-01", 0), k_t1 - 8 * k_hour);  // local midnight
  const ZoneSetting utc("UTC");
  EXPECT_EQ(parse_when("2026-01-01T08:00", 0), k_t1 + 8 * k_hour);
}

TEST(ParseWhen, RefusesWhatNamesNoTime) {
  for (const char* bad : {"",
                          "yesterday",
                          "2h30m",
                          "1.5h",
                          "-2h",
                          "2H",
                          "h",
                          "1234567d",
                          "2026-02-30",
                          "2026-13-01",
                          "2026-1-01",
                          "2026-01-01T24:00",
                          "2026-01-01T08:60",
                          "2026-01-01T08",
                          "2026-01-01T08:00:61",
                          "2026-01-01T08:00+24:00",
                          "2026-01-01T08:00+0860",
                          "2026-01-01T08:00Zx",
                          "2026-01-01x",
                          "2026-01-01T08:00.5",
                          "2026-01-01T08:00:00.Z",
                          "2026-01-01T08:00:00.1234567890"}) {
    EXPECT_FALSE(parse_when(bad, k_t1)) << bad;
  }
}

TEST_F(AddedSince, AnIndexRunLaterFindsOnlyTheArticlesItAdded) {
  put("old1.md", "https://x.org/old1", "apple one");
  put("old2.md", "https://x.org/old2", "apple two");
  ASSERT_EQ(at(k_t1, {"index", "news"}).exit_code, 0);
  put("new1.md", "https://x.org/new1", "apple three");
  put("new2.md", "https://x.org/new2", "apple four");
  ASSERT_EQ(at(k_t2, {"index", "news"}).exit_code, 0);

  const std::set<std::string> second{"https://x.org/new1", "https://x.org/new2"};
  EXPECT_EQ(added_since(k_between), second);
  EXPECT_EQ(added_since("2h", k_t2 + k_hour), second);  // since 02:00Z
  EXPECT_EQ(added_since("4h", k_t2 + k_hour).size(), 4u);
  EXPECT_EQ(added_since("2026-01-01T03:00Z"), second);  // at or after
  // A time without a zone is local.
  const CliRun local = newsidx::test::run_cli(
      m_dir, {"--db", "db", "search", "apple", "--added-since", "2026-01-01T10:00", "--format", "jsonl"},
      "TZ=Asia/Shanghai");
  EXPECT_EQ(urls(local), second);
  // Every way of printing the matches applies it; an empty query lists what is new.
  EXPECT_EQ(at(k_t2, {"search", "apple", "--added-since", k_between, "--count"}).out, "2\n");
  EXPECT_EQ(at(k_t2, {"search", "--added-since", k_between, "--count"}).out, "2\n");
  EXPECT_EQ(at(k_t2, {"search", "apple", "--added-since", k_between, "--facet", "source"}).out, "2\tx.org\n");
  const CliRun tsv = at(k_t2, {"search", "apple", "--added-since", k_between, "--format", "tsv", "--fields", "path"});
  EXPECT_EQ(tsv.out, "path\nnews/new1.md\nnews/new2.md\n");
  write_file(m_dir.path() / "saved.txt", "one\nthree\n");
  const CliRun saved = at(k_t2, {"search", "--queries", "saved.txt", "--added-since", k_between, "--count"});
  EXPECT_EQ(saved.exit_code, 0);
  EXPECT_EQ(saved.out, "0\tone\n1\tthree\n");
  // Nothing new: exit status 1.
  const CliRun none = at(k_t2 + 2 * k_hour, {"search", "apple", "--added-since", "1h"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(at(k_t2, {"search", "--queries", "saved.txt", "--added-since", "2026-01-01T04:00Z"}).exit_code, 1);
}

TEST_F(AddedSince, AnArticleIndexedAgainKeepsItsFirstTime) {
  put("changed.md", "https://x.org/changed", "apple before");
  put("versions.md", "https://x.org/versions", "apple first version");
  ASSERT_EQ(at(k_t1, {"index", "news"}).exit_code, 0);
  // The second run: a file whose content changed, a new version of a URL, a new article.
  put("changed.md", "https://x.org/changed", "apple after, longer");
  put("versions-2.md", "https://x.org/versions", "apple second version");
  put("new.md", "https://x.org/new", "apple new");
  ASSERT_EQ(at(k_t2, {"index", "news"}).exit_code, 0);
  const std::set<std::string> only_new{"https://x.org/new"};
  EXPECT_EQ(added_since(k_between), only_new);
  const nlohmann::json shown =
      nlohmann::json::parse(at(k_t2, {"show", "https://x.org/changed", "--format", "json"}).out);
  EXPECT_EQ(shown.at("first_indexed"), "2026-01-01T00:00:00Z");
  EXPECT_EQ(shown.at("text"), "apple after, longer");
  // Rebuilds and compaction keep the times.
  ASSERT_EQ(at(k_t2 + k_hour, {"index", "--reindex", "news"}).exit_code, 0);
  EXPECT_EQ(added_since(k_between), only_new);
  ASSERT_EQ(at(k_t2 + k_hour, {"compact"}).exit_code, 0);
  EXPECT_EQ(added_since(k_between), only_new);
  ASSERT_EQ(at(k_t2 + k_hour, {"index", "--shard-by", "year", "--jobs", "2", "news"}).exit_code, 0);
  EXPECT_EQ(added_since(k_between), only_new);
  EXPECT_EQ(added_since("2026-01-01T00:00Z").size(), 3u);
}

TEST_F(AddedSince, ABadTimeIsAUsageErrorThatNamesIt) {
  put("a.md", "https://x.org/a", "apple");
  ASSERT_EQ(at(k_t1, {"index", "news"}).exit_code, 0);
  for (const char* bad : {"yesterday", "2026-02-30", "5y"}) {
    const CliRun r = at(k_t1, {"search", "apple", "--added-since", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find(std::string("--added-since: bad time '") + bad + "'"), std::string::npos) << r.err;
  }
  const CliRun clock =
      newsidx::test::run_cli(m_dir, {"--db", "db", "search", "apple", "--added-since", "1d"}, "NEWSIDX_NOW_MS=soon");
  EXPECT_EQ(clock.exit_code, 2);
  EXPECT_NE(clock.err.find("NEWSIDX_NOW_MS: not a time in epoch ms: 'soon'"), std::string::npos) << clock.err;
}

namespace {

class FacetBars : public ::testing::Test {
 protected:
  void SetUp() override {
    // Months 2020-01 (4 articles), 2020-03 (1), none in 2020-02; and 2018-06 (1), in no other year of 2018-2019.
    const std::vector<std::pair<std::string, int64_t>> dated = {{"a1", 1578000000000}, {"a2", 1578100000000},
                                                                {"a3", 1578200000000}, {"a4", 1578300000000},
                                                                {"c1", 1583500000000}, {"old", 1528000000000}};
    for (const auto& [name, ms] : dated) {
      write_file(m_dir.path() / "news" / (name + ".md"),
                 article(ms, name, "https://x.org/" + name, "<p>pear " + name + "</p>"));
    }
    EXPECT_EQ(run({"index", "news"}).exit_code, 0);
  }
  CliRun run(std::vector<std::string> args, const std::string& env = "") {
    args.insert(args.begin(), {"--db", "db"});
    return newsidx::test::run_cli(m_dir, args, env);
  }
  static std::string blocks(size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "█";
    return s;
  }
  TempDir m_dir;
};

}  // namespace

TEST_F(FacetBars, BarsAreInProportionToTheLargestWhichFillsTheWidthAndGapMonthsAreRows) {
  // COLUMNS=39: "2020-01  4 " leaves 39 - 11 - 1 spare = 27 columns to the largest bar; a count
  // of 1 gets 27 / 4 = 6.75 columns, which round to 6 and 6 eighths (▊).
  const CliRun r = run({"search", "pear", "--since", "2020", "--facet", "month", "--bars", "always"}, "COLUMNS=39");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "2020-01  4 " + blocks(27) + "\n2020-02  0\n2020-03  1 " + blocks(6) + "▊\n");
  const CliRun years = run({"search", "pear", "--facet", "year", "--bars", "always"}, "COLUMNS=30");
  EXPECT_EQ(years.out, "2018  1 " + blocks(4) + "▎\n2019  0\n2020  5 " + blocks(21) + "\n");  // 21 / 5 = 4 2/8
  // Sources have no gaps; several queries each get a heading.
  write_file(m_dir.path() / "saved.txt", "pear\na1\n");
  const CliRun many = run({"search", "--queries", "saved.txt", "--facet", "source", "--bars", "always"}, "COLUMNS=30");
  EXPECT_EQ(many.out, "== pear\nx.org  6 " + blocks(20) + "\n== a1\nx.org  1 " + blocks(20) + "\n");
}

TEST_F(FacetBars, PipedOutputAndJsonAreUnchanged) {
  const std::string lines = "4\t2020-01\n1\t2020-03\n";
  EXPECT_EQ(run({"search", "pear", "--since", "2020", "--facet", "month"}).out, lines);  // auto: not a terminal
  EXPECT_EQ(run({"search", "pear", "--since", "2020", "--facet", "month", "--bars", "never"}).out, lines);
  const CliRun json =
      run({"search", "pear", "--since", "2020", "--facet", "month", "--bars", "always", "--format", "json"});
  EXPECT_EQ(nlohmann::json::parse(json.out).at("counts").size(), 2u);
}
