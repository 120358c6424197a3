// test_incremental.cpp — keeping the index in step with folders: changes, deletions, duplicate
// URLs, bad input, interruption, locking, rebuilds.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/search.hpp"
#include "newsidx/store.hpp"
#include "test_support.hpp"

using namespace newsidx;
using newsidx::test::article;
using newsidx::test::TempDir;
using newsidx::test::write_file;
namespace fs = std::filesystem;

namespace {

constexpr int64_t k_t0 = 1593561600000;  // 2020-07-01T00:00:00Z

/// Records every event; can ask the run to stop after `stop_after` files.
class Recorder : public IndexObserver {
 public:
  void on_file(const std::string& path, FileOutcome outcome, std::string_view note) override {
    notes[fs::path(path).filename().string()] = std::string(note);
    outcomes[fs::path(path).filename().string()] = outcome;
    if (stop_after && ++seen >= stop_after) stop.store(true);
  }
  std::map<std::string, std::string> notes;
  std::map<std::string, FileOutcome> outcomes;
  std::atomic<bool> stop{false};
  size_t stop_after = 0;
  size_t seen = 0;
};

class Incremental : public ::testing::Test {
 protected:
  std::string db() const { return m_dir.str("db"); }
  fs::path in(const std::string& name) const { return m_dir.path() / "in" / name; }

  void put(const std::string& name, int64_t ms, const std::string& title, const std::string& url,
           const std::string& body) {
    write_file(in(name), article(ms, title, url, "<p>" + body + "</p>"));
  }

  IndexReport run(IndexOptions options = {}, std::vector<std::string> roots = {}) {
    if (roots.empty()) roots = {m_dir.str("in")};
    Result<IndexReport> r = index_paths(db(), roots, options, m_rec);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : IndexReport{};
  }

  /// url → file name of its winning copy (over all its versions), read straight from the database.
  std::map<std::string, std::string> documents() {
    std::map<std::string, FileCopy> best;
    Xapian::Database d(db());
    for (auto it = d.postlist_begin(""); it != d.postlist_end(""); ++it) {
      StoredArticle a = from_document_data(d.get_document(*it).get_data());
      auto [at, first] = best.try_emplace(a.url, a.files.at(0));
      if (!first && copy_wins(a.files.at(0), at->second)) at->second = a.files[0];
    }
    std::map<std::string, std::string> out;
    for (const auto& [url, copy] : best) out[url] = fs::path(copy.path).filename().string();
    return out;
  }

  /// The versions (documents) of `url`: their files' names, each version's winning copy first.
  std::set<std::vector<std::string>> versions(const std::string& url) {
    std::set<std::vector<std::string>> out;
    Xapian::Database d(db());
    const std::string term = url_term(url);
    for (auto it = d.postlist_begin(term); it != d.postlist_end(term); ++it) {
      const Xapian::Document doc = d.get_document(*it);
      std::vector<std::string> names;
      for (const FileCopy& f : from_document_data(doc.get_data()).files)
        names.push_back(fs::path(f.path).filename().string());
      out.insert(names);
      // XV marks every version while the URL has more than one.
      Xapian::TermIterator t = doc.termlist_begin();
      t.skip_to(std::string(k_term_versions));
      EXPECT_EQ(t != doc.termlist_end() && *t == k_term_versions, d.get_termfreq(term) > 1) << url;
    }
    return out;
  }

  /// The hits of `q`: url → file name shown (path) and the other files listed (duplicates).
  std::map<std::string, std::vector<std::string>> hits(const std::string& q) {
    Result<Searcher> s = Searcher::open(db());
    EXPECT_TRUE(s.ok());
    SearchOptions o;
    o.limit = 0;
    Result<SearchResults> r = s->search(q, o);
    std::map<std::string, std::vector<std::string>> out;
    if (!r) return out;
    for (const Hit& h : r->hits) {
      EXPECT_TRUE(out.find(h.article.url) == out.end()) << "one hit per URL: " << h.article.url;
      std::vector<std::string>& names = out[h.article.url];
      names.push_back(fs::path(h.article.path).filename().string());
      for (size_t i = 1; i < h.article.files.size(); ++i)
        names.push_back(fs::path(h.article.files[i].path).filename().string());
    }
    return out;
  }

  std::set<std::string> urls_matching(const std::string& q) {
    Result<Searcher> s = Searcher::open(db());
    EXPECT_TRUE(s.ok());
    SearchOptions o;
    o.limit = 0;
    Result<SearchResults> r = s->search(q, o);
    std::set<std::string> out;
    if (r) {
      for (const Hit& h : r->hits) out.insert(h.article.url);
    }
    return out;
  }

  /// Moves a file's mtime forward so that a same-second rewrite is seen as a change.
  void bump_mtime(const fs::path& p, int seconds = 10) {
    fs::last_write_time(p, fs::last_write_time(p) + std::chrono::seconds(seconds));
  }

  TempDir m_dir;
  Recorder m_rec;
};

}  // namespace

TEST_F(Incremental, UnchangedFilesAreNotReadAgain) {
  put("a.md", k_t0, "甲", "https://x.org/a", "第一篇");
  put("b.md", k_t0, "乙", "https://x.org/b", "第二篇");
  EXPECT_EQ(run().indexed, 2u);
  const IndexReport again = run();
  EXPECT_EQ(again.indexed, 0u);
  EXPECT_EQ(again.unchanged, 2u);
  EXPECT_EQ(again.removed, 0u);
}

TEST_F(Incremental, TouchedButIdenticalFilesAreUnchanged) {
  put("a.md", k_t0, "甲", "https://x.org/a", "第一篇");
  run();
  bump_mtime(in("a.md"));
  const IndexReport again = run();
  EXPECT_EQ(again.indexed, 0u);
  EXPECT_EQ(again.unchanged, 1u);
}

TEST_F(Incremental, ChangedFilesAreReindexed) {
  put("a.md", k_t0, "甲", "https://x.org/a", "旧的内容");
  run();
  put("a.md", k_t0, "甲", "https://x.org/a", "新的内容");
  bump_mtime(in("a.md"));
  EXPECT_EQ(run().indexed, 1u);
  EXPECT_TRUE(urls_matching("旧的").empty());
  EXPECT_EQ(urls_matching("新的"), std::set<std::string>{"https://x.org/a"});
}

TEST_F(Incremental, AFileThatChangesItsUrlMovesItsArticle) {
  put("a.md", k_t0, "甲", "https://x.org/old", "内容");
  run();
  put("a.md", k_t0, "甲", "https://x.org/new", "内容");
  bump_mtime(in("a.md"));
  run();
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/new", "a.md"}}));
}

TEST_F(Incremental, DeletedFilesAreRemovedUnlessNoDelete) {
  put("a.md", k_t0, "甲", "https://x.org/a", "第一篇");
  put("b.md", k_t0, "乙", "https://x.org/b", "第二篇");
  run();
  fs::remove(in("b.md"));
  IndexOptions keep;
  keep.delete_missing = false;
  EXPECT_EQ(run(keep).removed, 0u);
  EXPECT_EQ(documents().size(), 2u);
  const IndexReport r = run();
  EXPECT_EQ(r.removed, 1u);
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/a", "a.md"}}));
  EXPECT_EQ(m_rec.outcomes["b.md"], FileOutcome::removed);
}

// --watch names the paths that changed, some of them gone: a gone file or folder is swept, the
// rest is left alone, and a changed file is indexed again (counted as updated).
TEST_F(Incremental, GoneInputsAreSweptWhenAllowed) {
  put("a.md", k_t0, "甲", "https://x.org/a", "第一篇");
  put("b.md", k_t0, "乙", "https://x.org/b", "第二篇");
  put("sub/c.md", k_t0, "丙", "https://x.org/c", "第三篇");
  put("sub/deeper/d.md", k_t0, "丁", "https://x.org/d", "第四篇");
  run();
  IndexOptions gone_ok;
  gone_ok.gone_inputs_ok = true;
  fs::remove(in("a.md"));
  Result<IndexReport> refused = index_paths(db(), {in("a.md").string()}, {}, m_rec);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ExitCode::io_error);
  EXPECT_EQ(run(gone_ok, {in("a.md").string()}).removed, 1u);  // a gone file: its record looked up
  EXPECT_EQ(documents().size(), 3u);
  put("b.md", k_t0, "乙", "https://x.org/b", "第二篇，改过");
  const IndexReport changed = run(gone_ok, {in("b.md").string(), in("never-there.md").string()});
  EXPECT_EQ(changed.indexed, 1u);
  EXPECT_EQ(changed.updated, 1u);
  EXPECT_EQ(changed.removed, 0u);
  fs::remove_all(in("sub"));
  EXPECT_EQ(run(gone_ok, {in("sub").string()}).removed, 0u);        // a gone file, as far as it says
  EXPECT_EQ(run(gone_ok, {in("sub").string() + "/"}).removed, 2u);  // a gone folder: every file in it
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/b", "b.md"}}));
}

TEST_F(Incremental, TheDeletionSweepStaysInsideTheRootsBeingIndexed) {
  write_file(m_dir.path() / "one" / "a.md", article(k_t0, "甲", "https://x.org/a", "<p>一</p>"));
  write_file(m_dir.path() / "two" / "b.md", article(k_t0, "乙", "https://x.org/b", "<p>二</p>"));
  run({}, {m_dir.str("one"), m_dir.str("two")});
  fs::remove(m_dir.path() / "one" / "a.md");
  EXPECT_EQ(run({}, {m_dir.str("two")}).removed, 0u);  // "one" was not named: its article stays
  EXPECT_EQ(documents().size(), 2u);
  EXPECT_EQ(run({}, {m_dir.str("one")}).removed, 1u);
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/b", "b.md"}}));
}

TEST_F(Incremental, EveryVersionOfAUrlIsSearchableAndAUrlIsOneResult) {
  put("old.md", k_t0, "甲", "https://x.org/same", "旧版本");
  put("new.md", k_t0 + 3600000, "甲", "https://x.org/same", "新版本");
  put("copy.md", k_t0, "甲", "https://x.org/same", "旧版本");  // the old version again
  const IndexReport r = run();
  EXPECT_EQ(r.merged_files, 2u);
  EXPECT_EQ(r.merged_versions, 1u);
  EXPECT_EQ(r.merged_urls, 1u);
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/same", "new.md"}}));
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"new.md"}, {"old.md", "copy.md"}}));
  // The version that matched is the one shown; the other files are listed with it.
  using Hits = std::map<std::string, std::vector<std::string>>;
  EXPECT_EQ(hits("新版本"), (Hits{{"https://x.org/same", {"new.md", "old.md", "copy.md"}}}));
  EXPECT_EQ(hits("旧版本"), (Hits{{"https://x.org/same", {"old.md", "copy.md", "new.md"}}}));
  EXPECT_EQ(hits("版本").size(), 1u);
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  // Counts, facets and stats count articles, not versions.
  EXPECT_EQ(*s->count("版本", {}), 1u);
  EXPECT_EQ(*s->count("甲 -新版本", {}), 1u);     // the old version holds 甲 without 新版本
  EXPECT_EQ(*s->count("旧版本 新版本", {}), 0u);  // no version holds both
  const Result<std::vector<FacetCount>> months = s->facet("版本", {}, FacetKind::month);
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->size(), 1u);
  EXPECT_EQ((*months)[0].count, 1u);
  const Result<DatabaseStats> st = s->stats();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->articles, 1u);
  EXPECT_EQ(st->versions, 2u);
  // `show URL` shows the winning copy; `show PATH` the version of that file.
  const Result<Xapian::docid> by_url = s->resolve("https://x.org/same");
  const Result<Xapian::docid> by_path = s->resolve(in("copy.md").string());
  ASSERT_TRUE(by_url.ok() && by_path.ok());
  EXPECT_EQ(s->article(*by_url)->text, "新版本");
  EXPECT_EQ(s->article(*by_path)->text, "旧版本");
}

TEST_F(Incremental, VersionsDoNotDependOnOrderOrRuns) {
  // The older copy sorts last: indexing it alone first, then the newer one, must end the same.
  put("z-old.md", k_t0, "甲", "https://x.org/same", "旧版本");
  run();
  put("a-new.md", k_t0 + 3600000, "甲", "https://x.org/same", "新版本");
  put("b-old.md", k_t0 + 7200000, "甲", "https://x.org/same", "旧版本");
  run();
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/same", "b-old.md"}}));
  EXPECT_EQ(versions("https://x.org/same"),
            (std::set<std::vector<std::string>>{{"a-new.md"}, {"b-old.md", "z-old.md"}}));
}

TEST_F(Incremental, AFileThatChangesMovesToItsNewVersion) {
  put("a.md", k_t0, "甲", "https://x.org/same", "第一稿");
  put("b.md", k_t0, "甲", "https://x.org/same", "第一稿");
  run();
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"b.md", "a.md"}}));
  put("a.md", k_t0, "甲", "https://x.org/same", "第二稿");
  bump_mtime(in("a.md"));
  run();
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"a.md"}, {"b.md"}}));
  put("a.md", k_t0, "甲", "https://x.org/same", "第一稿");
  bump_mtime(in("a.md"), 20);
  run();
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"b.md", "a.md"}}));
  EXPECT_TRUE(urls_matching("第二稿").empty());
}

TEST_F(Incremental, DeletingAFileRemovesOnlyItsCopy) {
  put("old.md", k_t0, "甲", "https://x.org/same", "旧版本");
  put("new.md", k_t0 + 3600000, "甲", "https://x.org/same", "新版本");
  put("newer.md", k_t0 + 7200000, "甲", "https://x.org/same", "新版本");
  run();
  fs::remove(in("newer.md"));  // the winning copy of its version: the other copy takes its place
  run();
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"new.md"}, {"old.md"}}));
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/same", "new.md"}}));
  // Its publish time moved with it: the version is in the hour of new.md now.
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->article(*s->resolve("https://x.org/same"))->published_ms, k_t0 + 3600000);
  fs::remove(in("new.md"));
  run();
  EXPECT_EQ(versions("https://x.org/same"), (std::set<std::vector<std::string>>{{"old.md"}}));
  EXPECT_TRUE(urls_matching("新版本").empty());
  EXPECT_EQ(urls_matching("旧版本").size(), 1u);
  fs::remove(in("old.md"));
  run();
  EXPECT_TRUE(documents().empty());
}

TEST_F(Incremental, BadFilesEachGetAReasonAndTheRunGoesOn) {
  const fs::path bad = fs::path(NEWSIDX_FIXTURES) / "bad";
  fs::create_directories(m_dir.path() / "in");
  for (const auto& e : fs::directory_iterator(bad)) fs::copy_file(e.path(), in(e.path().filename().string()));
  // Made at run time: too big, a FIFO, a device, a symlink loop.
  write_file(in("huge.md"), article(k_t0, "大", "https://x.org/huge", "<p>" + std::string(20u << 20, 'x') + "</p>"));
  ASSERT_EQ(::mkfifo(in("fifo.md").c_str(), 0644), 0);
  fs::create_symlink("/dev/null", in("device.md"));
  fs::create_symlink("loop2.md", in("loop1.md"));
  fs::create_symlink("loop1.md", in("loop2.md"));
  put("good.md", k_t0, "好", "https://x.org/good", "正常的文章");
  // Mostly not text: 400 bytes of invalid UTF-8 (0xFF is no GB18030 or Big5 byte) in ~460.
  std::string junk;
  for (int i = 0; i < 200; ++i) junk += "\xff\xfe";
  write_file(in("mostly-invalid.md"), article(k_t0, "坏", "https://x.org/junk", "<p>" + junk + "</p>"));

  const IndexReport r = run();
  EXPECT_EQ(m_rec.notes["empty.md"], "empty file");
  EXPECT_EQ(m_rec.notes["binary.md"], "binary file");
  EXPECT_NE(m_rec.notes["mostly-invalid.md"].find("invalid UTF-8: 400 of "), std::string::npos)
      << m_rec.notes["mostly-invalid.md"];
  EXPECT_NE(m_rec.notes["nul-bytes.md"].find("NUL"), std::string::npos);
  EXPECT_NE(m_rec.notes["huge.md"].find("too large"), std::string::npos);
  EXPECT_NE(m_rec.notes["truncated.md"].find("truncated"), std::string::npos);
  EXPECT_NE(m_rec.notes["truncated-no-body.md"].find("truncated"), std::string::npos);
  EXPECT_NE(m_rec.notes["fifo.md"].find("FIFO"), std::string::npos);
  EXPECT_NE(m_rec.notes["device.md"].find("device"), std::string::npos);
  EXPECT_NE(m_rec.notes["loop1.md"].find("symbolic links"), std::string::npos);
  EXPECT_EQ(m_rec.outcomes["no-header.md"], FileOutcome::skipped);
  // Legacy charsets are converted and indexed; a missing publish time is a warning.
  EXPECT_EQ(m_rec.outcomes["gbk.md"], FileOutcome::indexed);
  EXPECT_EQ(m_rec.notes["gbk.md"], "decoded from GB18030");
  EXPECT_EQ(m_rec.notes["big5.md"], "decoded from Big5");
  EXPECT_EQ(m_rec.outcomes["nan-timestamp.md"], FileOutcome::indexed);
  EXPECT_EQ(m_rec.notes["nan-timestamp.md"], "no publish time");
  // A few bad bytes in UTF-8 text: each maximal subpart becomes U+FFFD, and the rest is found.
  EXPECT_EQ(m_rec.outcomes["invalid-utf8.md"], FileOutcome::indexed);
  EXPECT_EQ(m_rec.notes["invalid-utf8.md"], "5 invalid UTF-8 bytes replaced");
  EXPECT_EQ(urls_matching("broken"), std::set<std::string>{"https://www.example.com/bad/1.html"});
  EXPECT_EQ(r.failed, 11u);
  EXPECT_EQ(r.skipped, 1u);
  EXPECT_EQ(r.indexed, 5u);  // good, gbk, big5, nan, invalid-utf8
  EXPECT_EQ(urls_matching("国内生产总值"), std::set<std::string>{"https://www.example.com/gbk/1.html"});
  EXPECT_EQ(urls_matching("国内生产毛额"), std::set<std::string>{"https://www.example.com/big5/1.html"});
}

TEST_F(Incremental, UnreadableFilesFail) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  put("secret.md", k_t0, "密", "https://x.org/s", "内容");
  fs::permissions(in("secret.md"), fs::perms::none);
  EXPECT_EQ(run().failed, 1u);
  EXPECT_NE(m_rec.notes["secret.md"].find("Permission denied"), std::string::npos);
}

TEST_F(Incremental, FailedFilesAreRememberedAndRetriedWhenChangedOrAsked) {
  write_file(in("bad.md"), "<!--1593561600000-->\n[broken](https://x.org/b");
  EXPECT_EQ(run().failed, 1u);
  const IndexReport again = run();
  EXPECT_EQ(again.failed, 0u);
  EXPECT_EQ(again.failed_earlier, 1u);
  IndexOptions retry;
  retry.retry_failed = true;
  EXPECT_EQ(run(retry).failed, 1u);
  put("bad.md", k_t0, "修好", "https://x.org/b", "修好了");
  bump_mtime(in("bad.md"));
  EXPECT_EQ(run().indexed, 1u);
}

TEST_F(Incremental, AnInterruptedRunCommitsItsWorkAndARerunCompletesIt) {
  for (int i = 0; i < 30; ++i) {
    put("f" + std::to_string(100 + i) + ".md", k_t0 + i, "标题", "https://x.org/" + std::to_string(i),
        "内容" + std::to_string(i));
  }
  m_rec.stop_after = 10;
  IndexOptions o;
  o.stop = &m_rec.stop;
  o.commit_every = 4;
  o.jobs = 2;
  const IndexReport first = run(o);
  EXPECT_TRUE(first.interrupted);
  const size_t partial = documents().size();
  EXPECT_GE(partial, 10u);
  EXPECT_LT(partial, 30u);
  m_rec.stop_after = 0;
  const IndexReport second = run();
  EXPECT_FALSE(second.interrupted);
  EXPECT_EQ(second.indexed, 30u - partial);
  EXPECT_EQ(documents().size(), 30u);
}

TEST_F(Incremental, ASecondWriterIsRefusedAtOnce) {
  put("a.md", k_t0, "甲", "https://x.org/a", "内容");
  Result<WriteLock> held = WriteLock::acquire(db());
  ASSERT_TRUE(held.ok());
  Result<IndexReport> r = index_paths(db(), {m_dir.str("in")}, {}, m_rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::db_locked);
  EXPECT_NE(r.error().message.find("locked by another newsidx index"), std::string::npos);
}

TEST_F(Incremental, AFolderThatIsNotANewsidxDatabaseIsNeverWritten) {
  put("a.md", k_t0, "甲", "https://x.org/a", "内容");
  write_file(m_dir.path() / "db" / "thesis.txt", "precious");
  Result<IndexReport> r = index_paths(db(), {m_dir.str("in")}, {}, m_rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::db_invalid);
  EXPECT_EQ(std::distance(fs::directory_iterator(db()), fs::directory_iterator()), 1);
}

TEST_F(Incremental, ACorruptDatabaseIsReportedNotOverwritten) {
  put("a.md", k_t0, "甲", "https://x.org/a", "内容");
  run();
  // Damage every table of the live generation.
  for (const auto& e : fs::recursive_directory_iterator(db())) {
    if (e.path().extension() == ".glass") write_file(e.path(), std::string(8192, '\xAB'));
  }
  Result<IndexReport> r = index_paths(db(), {m_dir.str("in")}, {}, m_rec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::db_invalid);
  Result<Searcher> s = Searcher::open(db());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ExitCode::db_invalid);
}

TEST_F(Incremental, ReindexRebuildsIntoANewGenerationAndSwapsIt) {
  put("a.md", k_t0, "甲", "https://x.org/a", "内容");
  run();
  Result<Searcher> before = Searcher::open(db());
  ASSERT_TRUE(before.ok());
  put("b.md", k_t0, "乙", "https://x.org/b", "内容");
  IndexOptions rebuild;
  rebuild.rebuild = true;
  EXPECT_EQ(run(rebuild).indexed, 2u);
  EXPECT_EQ(documents().size(), 2u);
  size_t generations = 0;
  for (const auto& e : fs::directory_iterator(db())) generations += e.path().filename().string().starts_with("gen-");
  EXPECT_EQ(generations, 1u);
  // A searcher opened before the swap still answers from the old generation.
  Result<SearchResults> old = before->search("内容", {});
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->hits.size(), 1u);
}

TEST_F(Incremental, AnInterruptedReindexLeavesTheOldDatabase) {
  put("a.md", k_t0, "甲", "https://x.org/a", "内容");
  run();
  for (int i = 0; i < 10; ++i)
    put("n" + std::to_string(i) + ".md", k_t0, "新", "https://x.org/n" + std::to_string(i), "新");
  m_rec.stop_after = 3;
  IndexOptions o;
  o.rebuild = true;
  o.stop = &m_rec.stop;
  EXPECT_TRUE(run(o).interrupted);
  EXPECT_EQ(documents(), (std::map<std::string, std::string>{{"https://x.org/a", "a.md"}}));
}

TEST_F(Incremental, SearchSurvivesConcurrentCommits) {
  // Articles of about 10 KB, 40 of them: the document-data and posting tables then have leaf
  // blocks below their roots, which a searcher reads from disk when it needs them. Each round
  // rewrites every article over several commits; glass reuses the blocks a commit frees two
  // commits later, so the blocks of the revision the searcher opened are overwritten, and its
  // next read of them throws Xapian::DatabaseModifiedError.
  constexpr int k_files = 40;
  const auto write = [&](int round) {
    for (int i = 0; i < k_files; ++i) {
      std::string body;
      for (int k = 0; k < 300; ++k) body += fmt::format("第{}轮第{}篇内容{}。", round, i, k);
      put(fmt::format("f{}.md", i), k_t0 + i, "标题", fmt::format("https://x.org/{}", i), body);
      bump_mtime(in(fmt::format("f{}.md", i)), round);
    }
  };
  write(0);
  run();
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok());
  IndexOptions o;
  o.commit_every = 3;
  for (int round = 1; round <= 3; ++round) write(round), run(o);
  SearchOptions all;
  all.limit = 0;
  Result<SearchResults> r = s->search("内容", all);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GE(s->retries(), 1u) << "the search never read a recycled block: the test no longer tests the retry";
  ASSERT_EQ(r->hits.size(), static_cast<size_t>(k_files));
  for (const Hit& h : r->hits) EXPECT_TRUE(h.article.text.starts_with("第3轮")) << h.article.text.substr(0, 30);
}
