// test_cli.cpp — run the built newsidx binary: exit codes, streams, output formats.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_bytes.hpp"
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

/// The first terminal control in `s` that came from an article or a file name (ESC, BEL, DEL,
/// the C1 CSI U+009B, the bidi override U+202E and isolate U+2066), or "" if none. The text
/// printer's own colour escapes are removed first.
std::string raw_control(std::string s) {
  for (const char* ours : {"\x1b[1;31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"}) {
    for (size_t at; (at = s.find(ours)) != std::string::npos;) s.erase(at, std::string_view(ours).size());
  }
  for (const char* raw : {"\x1b", "\x07", "\x7f", "\xc2\x9b", "\u202e", "\u2066"}) {
    if (s.find(raw) != std::string::npos) return raw;
  }
  return "";
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
  // A negative count is refused, not read as 2^64 - 1.
  for (const char* option : {"--limit", "--offset"}) {
    const CliRun negative = run(m_dir, {"search", option, "-1", "x"});
    EXPECT_EQ(negative.exit_code, 2) << option;
    EXPECT_NE(negative.err.find(std::string(option) + ": a count cannot be negative: -1"), std::string::npos)
        << negative.err;
  }
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

TEST_F(Cli, QueriesPastTheLimitsExitTwoAndSayWhichLimit) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  CliRun at = run(m_dir, {"--db", "db", "search", "-c", std::string(100, '(') + "北京" + std::string(100, ')')});
  EXPECT_EQ(at.exit_code, 0) << at.err;
  EXPECT_EQ(at.out, "2\n");
  CliRun deep = run(m_dir, {"--db", "db", "search", std::string(20000, '(') + "北京" + std::string(20000, ')')});
  EXPECT_EQ(deep.exit_code, 2);
  EXPECT_TRUE(deep.out.empty());
  EXPECT_NE(deep.err.find("query nests deeper than 100 levels (the limit): '(' at byte 101"), std::string::npos)
      << deep.err;
  std::string many;
  for (int i = 0; i < 300; ++i) many += "北京 OR ";
  CliRun terms = run(m_dir, {"--db", "db", "search", many + "北京"});
  EXPECT_EQ(terms.exit_code, 2);
  EXPECT_NE(terms.err.find("query has more than 256 terms (the limit): '北京'"), std::string::npos) << terms.err;
}

TEST_F(Cli, RegionalVariantsExpandUnlessQuotedOrVerbatimAndTheUsersFileAddsAndRemovesClasses) {
  write_file(
      m_dir.path() / "news" / "c.md",
      article(1593734400000, "川普抵達台北", "https://www.cna.com.tw/news/3.aspx", "<p>美國總統川普抵達台北。</p>"));
  write_file(m_dir.path() / "news" / "d.md",
             article(1593734400000, "武汉肺炎疫情", "https://x.org/4", "<p>武汉肺炎疫情扩散。</p>"));
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  const auto count = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", "db", "search", "-c"});
    const CliRun r = run(m_dir, args);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return r.out;
  };
  EXPECT_EQ(count({"特朗普"}), "2\n");  // the built-in table: 特朗普 = 川普
  EXPECT_EQ(count({"川普"}), "2\n");
  EXPECT_EQ(count({"\"特朗普\""}), "1\n");
  EXPECT_EQ(count({"--verbatim", "特朗普"}), "1\n");
  EXPECT_EQ(count({"新冠肺炎"}), "0\n");
  // The user's file ($XDG_CONFIG_HOME/newsidx/variants): a class added, a built-in one removed.
  write_file(m_dir.path() / "config" / "newsidx" / "variants", "# topic synonyms\n新冠肺炎 武汉肺炎 COVID-19\n-川普\n");
  const std::string config = "XDG_CONFIG_HOME=" + m_dir.str("config");
  const auto count_with = [&](const std::string& env, const std::string& query) {
    const CliRun r = newsidx::test::run_cli(m_dir, {"--db", "db", "search", "-c", query}, env);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    return r.out;
  };
  EXPECT_EQ(count_with(config, "新冠肺炎"), "1\n");
  EXPECT_EQ(count_with(config, "covid-19"), "1\n");
  EXPECT_EQ(count_with(config, "特朗普"), "1\n");
  // --variants FILE instead of the config file; a bad line names the file and line.
  write_file(m_dir.path() / "mine", "特朗普 川普 -x\n- 川普 特朗普\n");
  CliRun bad = run(m_dir, {"--db", "db", "search", "--variants", "mine", "特朗普"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("mine:2:"), std::string::npos) << bad.err;
  CliRun missing = run(m_dir, {"--db", "db", "search", "--variants", "absent", "特朗普"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("absent"), std::string::npos) << missing.err;
  // `--explain` lists the variants used.
  CliRun explain = run(m_dir, {"--db", "db", "search", "--explain", "特朗普"});
  EXPECT_NE(explain.err.find("variants: 特朗普 → "), std::string::npos) << explain.err;
  EXPECT_NE(explain.err.find("川普"), std::string::npos) << explain.err;
}

TEST_F(Cli, VariantsShowsTheClassOfAWordAndWhereEachFormComesFrom) {
  CliRun text = run(m_dir, {"variants", "川普"});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("  特朗普  cgroup:"), std::string::npos) << text.out;
  CliRun json = run(m_dir, {"variants", "特朗普政府", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["classes"].size(), 1u);
  EXPECT_EQ(j["classes"][0]["form"], "特朗普");
  bool chuanpu = false;
  for (const auto& f : j["classes"][0]["forms"]) chuanpu |= f["form"] == "川普" && !f["sources"].empty();
  EXPECT_TRUE(chuanpu) << json.out;
  write_file(m_dir.path() / "mine", "新冠肺炎 武汉肺炎\n");
  CliRun user = run(m_dir, {"variants", "--variants", "mine", "武漢肺炎"});
  EXPECT_EQ(user.exit_code, 0);
  EXPECT_NE(user.out.find("user:mine:1"), std::string::npos) << user.out;
  CliRun none = run(m_dir, {"variants", "你好"});
  EXPECT_EQ(none.exit_code, 1);
}

TEST_F(Cli, QueriesFromAFileRunInOneProcessAndEachRowNamesItsQuery) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  write_file(m_dir.path() / "queries", "北京\n\n普京\n不存在的词语\n");
  CliRun counts = run(m_dir, {"--db", "db", "search", "--queries", "queries", "-c"});
  EXPECT_EQ(counts.exit_code, 0) << counts.err;
  EXPECT_EQ(counts.out, "2\t北京\n1\t普京\n0\t不存在的词语\n");
  CliRun lines = run(m_dir, {"--db", "db", "search", "--queries", "queries", "-f", "jsonl", "--fields", "url"});
  ASSERT_EQ(lines.exit_code, 0) << lines.err;
  const std::vector<nlohmann::json> hits = json_lines(lines.out);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0]["query"], "北京");
  EXPECT_EQ(hits[2]["query"], "普京");
  EXPECT_EQ(hits[2]["url"], "https://www.cna.com.tw/news/2.aspx");
  CliRun tsv = run(m_dir, {"--db", "db", "search", "--queries", "queries", "-f", "tsv", "--fields", "rank"});
  EXPECT_EQ(tsv.out, "query\trank\n北京\t1\n北京\t2\n普京\t1\n");
  CliRun facets = run(m_dir, {"--db", "db", "search", "--queries", "queries", "--facet", "year"});
  EXPECT_EQ(facets.out, "北京\t2\t2020\n普京\t1\t2020\n");
  // No query matches: 1. A bad line is reported with its line number, the others still run: 2.
  write_file(m_dir.path() / "none", "不存在的词语\n");
  EXPECT_EQ(run(m_dir, {"--db", "db", "search", "--queries", "none"}).exit_code, 1);
  write_file(m_dir.path() / "bad", "北京\n(普京\n");
  CliRun bad = run(m_dir, {"--db", "db", "search", "--queries", "bad", "-c"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "2\t北京\n");
  EXPECT_NE(bad.err.find("bad:2: unbalanced '('"), std::string::npos) << bad.err;
  EXPECT_EQ(run(m_dir, {"--db", "db", "search", "--queries", "queries", "北京"}).exit_code, 2);
}

TEST_F(Cli, QueriesAnsweredByManyThreadsArePrintedInTheirOrder) {
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "news"}).exit_code, 0);
  std::string many;
  for (int i = 0; i < 60; ++i)
    many += std::vector<std::string>{"北京", "普京", "不存在的词语", "香港 OR 北京", "访问"}[i % 5] + "\n";
  write_file(m_dir.path() / "many", many);
  for (std::vector<std::string> mode : {std::vector<std::string>{"-c"}, {"-f", "jsonl"}, {"--facet", "month"}}) {
    std::vector<std::string> args = {"--db", "db", "search", "--queries", "many", "-j", "1"};
    args.insert(args.end(), mode.begin(), mode.end());
    const CliRun one = run(m_dir, args);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    for (const char* jobs : {"3", "8"}) {
      args[6] = jobs;
      const CliRun threads = run(m_dir, args);
      EXPECT_EQ(threads.exit_code, 0) << threads.err;
      EXPECT_EQ(threads.out, one.out) << mode[0] << " -j " << jobs;
    }
  }
  // Each row in the order of the file, whatever thread answered it.
  const CliRun counts = run(m_dir, {"--db", "db", "search", "--queries", "many", "-c", "-j", "4"});
  std::istringstream rows(counts.out);
  size_t i = 0;
  for (std::string row; std::getline(rows, row); ++i) {
    EXPECT_EQ(row.substr(row.find('\t') + 1),
              std::vector<std::string>({"北京", "普京", "不存在的词语", "香港 OR 北京", "访问"})[i % 5]);
  }
  EXPECT_EQ(i, 60u);
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

TEST_F(Cli, NothingFromAnArticleOrAFileNameReachesTheTerminal) {
  const std::string title =
      "恶意标题\x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\xc2\x9b"
      "31m\u202e反转\u2066隔离";
  const std::string name = "evil\x1b[31m\u202e\x7f.md";
  write_file(m_dir.path() / "news" / name, article(1593561600000, title, "https://evil\x1b[2J.example/1",
                                                   "<p>北京新闻\x1b[5m内容\xc2\x9b"
                                                   "31m\u202e后文</p>"));
  // An article with the same words, so that `similar seed.md` lists the hostile one.
  write_file(m_dir.path() / "news" / "seed.md",
             article(1593561600000, "种子", "https://x.org/seed", "<p>北京新闻内容后文</p>"));
  CliRun index = run(m_dir, {"--db", "db", "index", "-v", "news"});
  ASSERT_EQ(index.exit_code, 0) << index.err;
  EXPECT_EQ(raw_control(index.err), "") << index.err;
  EXPECT_NE(index.err.find("news/evil\\x1b[31m\\u202e\\x7f.md: indexed"), std::string::npos) << index.err;

  CliRun json = run(m_dir, {"--db", "db", "search", "--format", "jsonl", "恶意标题"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json hit = json_lines(json.out).at(0);
  EXPECT_EQ(hit["title"], title);  // JSON is exact
  EXPECT_EQ(hit["path"], "news/" + name);
  const std::string id = std::to_string(hit["id"].get<int>());

  const std::vector<std::vector<std::string>> for_people = {
      {"search", "恶意标题"},
      {"search", "--color", "always", "北京新闻"},
      {"search", "--format", "tsv", "--fields", "title,path,source,url,author,duplicates,snippet", "恶意标题"},
      {"search", "--facet", "source", "恶意标题"},
      {"show", id},
      {"show", "news/" + name},
      {"show", "--html", id},
      {"similar", "news/seed.md"},
      {"stats"}};
  for (const auto& args : for_people) {
    std::vector<std::string> full = {"--db", "db"};
    full.insert(full.end(), args.begin(), args.end());
    CliRun r = run(m_dir, full);
    std::string cmd;
    for (const std::string& a : args) cmd += a + " ";
    EXPECT_EQ(r.exit_code, 0) << cmd << r.err;
    EXPECT_EQ(raw_control(r.out), "") << cmd << "\n" << r.out;
    EXPECT_EQ(raw_control(r.err), "") << r.err;
  }
  CliRun text = run(m_dir, {"--db", "db", "search", "恶意标题"});
  EXPECT_NE(text.out.find("恶意标题\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x07\\u009b31m\\u202e反转\\u2066隔离"),
            std::string::npos)
      << text.out;
  // A diagnostic that echoes a path.
  CliRun missing = run(m_dir, {"--db", "db", "show", "news/" + name + ".gone"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(raw_control(missing.err), "") << missing.err;
  EXPECT_NE(missing.err.find("\\x1b[31m"), std::string::npos) << missing.err;
}

TEST_F(Cli, AFileNameThatIsNotUtf8IsFoundGivenBackExactlyAndSweptWhenGone) {
  const std::string name = "raw/\xff\xfe名.md";  // made here: no such name is committed
  write_file(m_dir.path() / name, article(1593561600000, "非UTF8文件名", "https://x.org/raw", "<p>独特内容甲乙丙</p>"));
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "raw"}).exit_code, 0);

  CliRun paths = run(m_dir, {"--db", "db", "search", "--format", "paths", "-0", "独特内容"});
  ASSERT_EQ(paths.exit_code, 0) << paths.err;
  EXPECT_EQ(paths.out, name + std::string(1, '\0'));
  CliRun json = run(m_dir, {"--db", "db", "search", "--format", "jsonl", "独特内容"});
  const nlohmann::json hit = json_lines(json.out).at(0);
  EXPECT_EQ(hit["path"], "raw/\uFFFD\uFFFD名.md");
  EXPECT_EQ(newsidx::base64_decode(hit.at("path_bytes").get<std::string>()), name);
  EXPECT_NE(run(m_dir, {"--db", "db", "search", "独特内容"}).out.find("raw/\\xff\\xfe名.md"), std::string::npos);
  CliRun tsv = run(m_dir, {"--db", "db", "search", "--format", "tsv", "--fields", "path", "独特内容"});
  EXPECT_EQ(tsv.out, "path\nraw/\\xff\\xfe名.md\n");
  CliRun show = run(m_dir, {"--db", "db", "show", "--format", "json", name});  // found by its path
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(newsidx::base64_decode(nlohmann::json::parse(show.out).at("path_bytes").get<std::string>()), name);

  std::filesystem::remove(m_dir.path() / name);
  CliRun again = run(m_dir, {"--db", "db", "index", "raw"});
  EXPECT_NE(again.err.find("removed 1"), std::string::npos) << again.err;
  EXPECT_EQ(run(m_dir, {"--db", "db", "search", "独特内容"}).exit_code, 1);
}

TEST_F(Cli, ADuplicateWhoseNameIsNotUtf8IsPromotedWhenTheIndexedCopyGoes) {
  const std::string older = "dup/a\xff.md", newer = "dup/b\xfe.md";
  write_file(m_dir.path() / older, article(1593561600000, "副本", "https://x.org/dup", "<p>旧版本的正文</p>"));
  write_file(m_dir.path() / newer, article(1593565200000, "副本", "https://x.org/dup", "<p>新版本的正文</p>"));
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "dup"}).exit_code, 0);
  const nlohmann::json hit = json_lines(run(m_dir, {"--db", "db", "search", "--format", "jsonl", "副本"}).out).at(0);
  EXPECT_EQ(newsidx::base64_decode(hit.at("path_bytes").get<std::string>()), newer);
  ASSERT_EQ(hit.at("duplicates_bytes").size(), 1u);
  EXPECT_EQ(newsidx::base64_decode(hit.at("duplicates_bytes")[0].get<std::string>()), older);

  std::filesystem::remove(m_dir.path() / newer);
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "dup"}).exit_code, 0);
  // The older copy is what is left of the URL, and its exact name is given back.
  EXPECT_EQ(run(m_dir, {"--db", "db", "search", "--format", "paths", "-0", "旧版本"}).out,
            older + std::string(1, '\0'));
  std::filesystem::remove(m_dir.path() / older);
  ASSERT_EQ(run(m_dir, {"--db", "db", "index", "dup"}).exit_code, 0);
  EXPECT_EQ(run(m_dir, {"--db", "db", "search", "副本"}).exit_code, 1);
}

TEST_F(Cli, AFewInvalidUtf8BytesAreReplacedWithAWarning) {
  write_file(m_dir.path() / "bad" / "latin1.md",
             article(1593561600000, "Caf\xe9 news", "https://x.org/latin1", "<p>The caf\xe9 reopened on Monday.</p>"));
  CliRun index = run(m_dir, {"--db", "db", "index", "bad"});
  EXPECT_EQ(index.exit_code, 0) << index.err;
  EXPECT_NE(index.err.find("bad/latin1.md: warning: 2 invalid UTF-8 bytes replaced"), std::string::npos) << index.err;
  CliRun json = run(m_dir, {"--db", "db", "search", "--format", "jsonl", "reopened"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(json_lines(json.out).at(0)["title"], "Caf\uFFFD news");
}
