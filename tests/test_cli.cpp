// test_cli.cpp — run the built newsidx binary: exit codes, streams, output formats.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support.hpp"

using newsidx::test::article;
using newsidx::test::CliRun;
using newsidx::test::TempDir;
using newsidx::test::write_file;

namespace {

CliRun run(const TempDir& cwd, const std::vector<std::string>& args) { return newsidx::test::run_cli(cwd, args); }

std::vector<nlohmann::json> json_lines(const std::string& s) {
  std::vector<nlohmann::json> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(m_dir.path() / "news" / "a 1.md",
               article(1593561600000, "特朗普访问北京", "https://www.voachinese.com/a/1.html",
                       "<p>美国总统特朗普今天抵达北京。</p>"));
    write_file(m_dir.path() / "news" / "2020" / "b.md",
               article(1593648000000, "習近平會見普京", "https://www.cna.com.tw/news/2.aspx",
                       "<p>中國國家主席習近平在北京會見俄羅斯總統普京。</p>"));
    write_file(m_dir.path() / "news" / "notes.txt", "shopping list\nno article here\n");
  }
  TempDir m_dir;
};

}  // namespace

TEST_F(Cli, HelpListsSubcommandsAndExitsZero) {
  CliRun r = run(m_dir, {"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("index"), std::string::npos);
  EXPECT_NE(r.out.find("search"), std::string::npos);
  CliRun s = run(m_dir, {"search", "--help"});
  EXPECT_EQ(s.exit_code, 0);
  EXPECT_NE(s.out.find("Examples"), std::string::npos);
}

TEST_F(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run(m_dir, {}).exit_code, 2);
  EXPECT_EQ(run(m_dir, {"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run(m_dir, {"search"}).exit_code, 2);
  EXPECT_EQ(run(m_dir, {"search", "--format", "xml", "x"}).exit_code, 2);
}

TEST_F(Cli, IndexReportsBadFilesAndASummaryOnStderr) {
  CliRun r = run(m_dir, {"--db", "db", "index", "news"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("news/notes.txt: skipped:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("indexed 2, unchanged 0, removed 0, skipped 1, failed 0"), std::string::npos) << r.err;
}

TEST_F(Cli, IndexOfAMissingPathFails) {
  CliRun r = run(m_dir, {"--db", "db", "index", "no-such-folder"});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_NE(r.err.find("no-such-folder"), std::string::npos);
}

TEST_F(Cli, SearchPrintsJsonLinesWithTheDocumentedKeys) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  CliRun r = run(m_dir, {"--db", "db", "search", "--format", "jsonl", "習近平"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = json_lines(r.out);
  ASSERT_EQ(lines.size(), 1u);
  const auto& j = lines[0];
  for (const char* key : {"rank", "score", "path", "url", "title", "date", "source", "snippet", "highlights"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["rank"], 1);
  EXPECT_EQ(j["path"], "news/2020/b.md");
  EXPECT_EQ(j["url"], "https://www.cna.com.tw/news/2.aspx");
  EXPECT_EQ(j["date"], "2020-07-02T00:00:00Z");
  EXPECT_EQ(j["source"], "www.cna.com.tw");
  EXPECT_NE(j["snippet"].get<std::string>().find("習近平"), std::string::npos);
}

TEST_F(Cli, TextOutputShowsRankDateSourceTitlePathAndSnippet) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  CliRun r = run(m_dir, {"--db", "db", "search", "特朗普"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1. 2020-07-01  www.voachinese.com  特朗普访问北京"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("news/a 1.md"), std::string::npos);
  EXPECT_EQ(r.out.find("\x1b["), std::string::npos) << "no colour when stdout is not a terminal";
}

TEST_F(Cli, NoResultsExitsOneAndBadQueryExitsTwo) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  CliRun none = run(m_dir, {"--db", "db", "search", "不存在的词语"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_TRUE(none.out.empty());
  CliRun bad = run(m_dir, {"--db", "db", "search", "(北京"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("newsidx:"), std::string::npos);
}

TEST_F(Cli, LimitZeroReturnsAllMatches) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  CliRun r = run(m_dir, {"--db", "db", "search", "--limit", "0", "--format", "jsonl", "北京"});
  EXPECT_EQ(json_lines(r.out).size(), 2u);
  CliRun one = run(m_dir, {"--db", "db", "search", "--limit", "1", "--format", "jsonl", "北京"});
  EXPECT_EQ(json_lines(one.out).size(), 1u);
}

TEST_F(Cli, MissingDatabaseExitsThree) {
  CliRun r = run(m_dir, {"--db", "nowhere", "search", "北京"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("nowhere"), std::string::npos);
}

TEST_F(Cli, DefaultDatabaseFollowsTheEnvironment) {
  ASSERT_EQ(run(m_dir, {"index", "news"}).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(m_dir.path() / ".local" / "share" / "newsidx"));
  EXPECT_EQ(run(m_dir, {"search", "北京"}).exit_code, 0);
}
