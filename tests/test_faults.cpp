// test_faults.cpp — faults while indexing: an exception on any thread, a full disk, and builds
// that are interrupted (SIGINT) or killed (SIGKILL) and resumed.
#include <gtest/gtest.h>

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
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
constexpr int64_t k_day = 86400000;

class Silent : public IndexObserver {
 public:
  void on_file(const std::string&, FileOutcome, std::string_view) override {}
};

/// Threads of this process (the test runner's own, plus any an indexing run left behind).
size_t thread_count() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/task")) ++n;
  return n;
}

/// thread_count() once it is at most `n`, or after 2 s: a joined thread has finished, but the
/// kernel may list it in /proc/self/task a moment longer (seen once in CI: 2 against 1).
size_t thread_count_settled(size_t n) {
  for (int i = 0; i < 200 && thread_count() > n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return thread_count();
}

class Faults : public ::testing::Test {
 protected:
  std::string db() const { return m_dir.str("db"); }
  std::string in() const { return m_dir.str("in"); }

  /// `n` articles over two years; every third shares its URL with the one before (a copy
  /// published a day later, in another month now and then), so that copies meet in writers.
  void put_articles(size_t n, const std::string& folder = "in") {
    for (size_t i = 0; i < n; ++i) {
      const size_t url = i % 3 == 2 ? i - 1 : i;
      const int64_t ms = k_t0 + static_cast<int64_t>(i) * 13 * k_day;
      write_file(m_dir.path() / folder / ("a" + std::to_string(1000 + i) + ".md"),
                 article(ms, "标题" + std::to_string(i), "https://x.org/" + std::to_string(url),
                         "<p>内容" + std::to_string(i) + " 香港</p>"));
    }
  }

  Result<IndexReport> index(const IndexOptions& o, const std::string& db_path = "") {
    return index_paths(db_path.empty() ? db() : db_path, {in()}, o, m_silent);
  }

  /// Version id (Q term) → the full document data, for comparing two databases, but for the
  /// first-indexed time (runs at different times record different ones).
  static std::map<std::string, std::string> documents(const std::string& path) {
    std::map<std::string, std::string> out;
    Xapian::Database d(path);
    for (auto it = d.postlist_begin(""); it != d.postlist_end(""); ++it) {
      StoredArticle a = from_document_data(d.get_document(*it).get_data());
      a.first_indexed_ms.reset();
      out[version_term(a.url, version_hash(a.title, a.author, a.text))] = to_document_data(a);
    }
    return out;
  }

  /// The documents of an uninterrupted build of the same folder.
  std::map<std::string, std::string> clean(IndexOptions o = {}) {
    o.fault_hook = nullptr;
    o.stop = nullptr;
    EXPECT_TRUE(index(o, m_dir.str("clean.db")).ok());
    return documents(m_dir.str("clean.db"));
  }

  TempDir m_dir;
  Silent m_silent;
};

/// A hook that throws `error` at `step` of the file whose name ends in `suffix`.
template <class E>
std::function<void(std::string_view, const std::string&)> throw_at(std::string step, std::string suffix, E error) {
  return [=](std::string_view s, const std::string& path) {
    if (s == step && path.ends_with(suffix)) throw error;
  };
}

}  // namespace

TEST_F(Faults, AThrowOnAWorkerThreadEndsTheRunWithTheFileAndNoThreadLeft) {
  put_articles(40);
  const size_t threads_before = thread_count();
  for (const bool first_build : {true, false}) {
    if (!first_build) ASSERT_TRUE(index({}).ok());  // then the run below updates in place
    IndexOptions o;
    o.jobs = 2;
    o.retry_failed = true;
    o.fault_hook = throw_at("read", "a1017.md", std::runtime_error("injected"));
    if (!first_build) fs::last_write_time(m_dir.path() / "in" / "a1017.md", fs::file_time_type::clock::now());
    const Result<IndexReport> r = index(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::internal);
    EXPECT_NE(r.error().message.find("injected"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("while reading " + in() + "/a1017.md"), std::string::npos) << r.error().message;
    EXPECT_EQ(thread_count_settled(threads_before), threads_before);
    EXPECT_TRUE(Searcher::open(db()).ok());
  }
}

TEST_F(Faults, AThrowInTheWriterEndsTheRunWithTheFileAndNoThreadLeft) {
  put_articles(40);
  const size_t threads_before = thread_count();
  for (const bool first_build : {true, false}) {
    if (!first_build) ASSERT_TRUE(index({}).ok());
    IndexOptions o;
    o.jobs = 2;
    o.fault_hook = throw_at("write", "a1030.md", std::runtime_error("injected"));
    if (!first_build) fs::last_write_time(m_dir.path() / "in" / "a1030.md", fs::file_time_type::clock::now());
    const Result<IndexReport> r = index(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::internal);
    EXPECT_NE(r.error().message.find("injected (while writing " + in() + "/a1030.md)"), std::string::npos)
        << r.error().message;
    EXPECT_EQ(thread_count_settled(threads_before), threads_before);
    EXPECT_TRUE(Searcher::open(db()).ok());
  }
}

TEST_F(Faults, DiskFullKeepsTheCommittedWorkAndTheNextRunCompletesIt) {
  put_articles(60);
  const std::map<std::string, std::string> want = clean();
  for (const bool first_build : {true, false}) {
    fs::remove_all(db());
    if (!first_build) {  // one article, so that the run below updates in place
      write_file(m_dir.path() / "one" / "x.md", article(k_t0, "一", "https://x.org/x", "<p>一</p>"));
      ASSERT_TRUE(index_paths(db(), {m_dir.str("one")}, {}, m_silent).ok());
    }
    IndexOptions o;
    o.jobs = 2;
    o.commit_every = 4;
    o.fault_hook = throw_at("write", "a1045.md", Xapian::DatabaseError("Error writing block", ENOSPC));
    const Result<IndexReport> r = index(o);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ExitCode::write_failed);
    EXPECT_EQ(r.error().message, db() + ": no space left on device (while writing " + in() + "/a1045.md)");
    // The database opens and holds what was committed before the failure.
    Result<Searcher> s = Searcher::open(db());
    ASSERT_TRUE(s.ok()) << s.error().message;
    const size_t kept = s->database().get_doccount() - (first_build ? 0 : 1);
    EXPECT_GT(kept, 4u);
    EXPECT_LT(kept, want.size());
    s = Result<Searcher>(Error{});
    // Space freed: the same command completes the database.
    o.fault_hook = nullptr;
    const Result<IndexReport> again = index(o);
    ASSERT_TRUE(again.ok()) << again.error().message;
    std::map<std::string, std::string> got = documents(db());
    if (!first_build) got.erase(version_term("https://x.org/x", version_hash("一", "", "一")));
    EXPECT_EQ(got, want);
  }
}

TEST_F(Faults, ADiskFullThatXapianReportsOnlyInItsMessageIsADiskFull) {
  // Xapian's rollback after a failed commit can fail too; its error has no errno, only the text.
  put_articles(20);
  IndexOptions o;
  o.jobs = 2;
  o.fault_hook = throw_at("write", "a1010.md",
                          Xapian::DatabaseError("Modifications failed (DatabaseError: Error writing block 50 (No "
                                                "space left on device)), and couldn't open at the old revision: "
                                                "Error writing to file"));
  const Result<IndexReport> r = index(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::write_failed);
  EXPECT_EQ(r.error().message, db() + ": no space left on device (while writing " + in() + "/a1010.md)");
}

TEST_F(Faults, AFaultInTheDeletionSweepKeepsTheRemovalsCommittedBeforeIt) {
  put_articles(30);
  IndexOptions o;
  o.commit_every = 4;
  ASSERT_TRUE(index(o).ok());
  std::vector<fs::path> gone;
  for (size_t i = 0; i < 12; ++i) gone.push_back(m_dir.path() / "in" / ("a" + std::to_string(1000 + i) + ".md"));
  for (const fs::path& f : gone) fs::remove(f);
  size_t removals = 0;
  o.fault_hook = [&](std::string_view step, const std::string&) {
    if (step == "remove" && ++removals == 10) throw Xapian::DatabaseError("Error writing block", ENOSPC);
  };
  const Result<IndexReport> r = index(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::write_failed);
  {
    // Two batches of 4 were committed: 8 files are gone from the database, the other 4 not yet.
    Result<Searcher> s = Searcher::open(db());
    ASSERT_TRUE(s.ok()) << s.error().message;
    EXPECT_EQ(std::count_if(gone.begin(), gone.end(), [&](const fs::path& f) { return s->resolve(f.string()).ok(); }),
              4);
  }
  o.fault_hook = nullptr;
  const Result<IndexReport> again = index(o);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->removed, 4u);
  EXPECT_EQ(documents(db()), clean(o));
}

[[noreturn]] void throw_disk_full() { throw Xapian::DatabaseError("Error writing block", ENOSPC); }
// A write error that leaves a noexcept function, as one leaves ~ValueUpdater in Xapian 1.4.22.
void disk_full_in_a_destructor() noexcept { throw_disk_full(); }

TEST_F(Faults, ADiskFullThatReachesStdTerminateExitsWithStatus74AndTheNextRunCompletes) {
  put_articles(60);
  IndexOptions o;
  o.jobs = 2;
  o.commit_every = 4;
  const std::map<std::string, std::string> want = clean(o);
  o.fault_hook = [](std::string_view step, const std::string& path) {
    if (step == "write" && path.ends_with("a1045.md")) disk_full_in_a_destructor();
  };
  EXPECT_EXIT(
      {
        Silent silent;
        (void)index_paths(db(), {in()}, o, silent);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(74), "newsidx: .*/db: no space left on device\nhint: free some space");
  Result<Searcher> s = Searcher::open(db());
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_LT(s->database().get_doccount(), want.size());
  s = Result<Searcher>(Error{});
  o.fault_hook = nullptr;
  const Result<IndexReport> again = index(o);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(documents(db()), want);
}

TEST_F(Faults, StdTerminateWithoutAnExceptionAbortsUnlessTheDiskIsFull) {
  put_articles(20);
  IndexOptions o;
  o.jobs = 2;
  // Xapian built by GCC 12 calls std::terminate with no current exception (GCC bug 97720).
  o.fault_hook = [](std::string_view step, const std::string& path) {
    if (step == "write" && path.ends_with("a1010.md")) std::terminate();
  };
  const auto index_then_exit_99 = [&](const std::string& db_path) {
    Silent silent;
    (void)index_paths(db_path, {in()}, o, silent);
    std::_Exit(99);
  };
  EXPECT_EXIT(index_then_exit_99(db()), ::testing::KilledBySignal(SIGABRT), "");  // a bug stays a crash
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  const fs::path tiny = m_dir.path() / "tiny";
  fs::create_directories(tiny);
  if (::mount("tmpfs", tiny.c_str(), "tmpfs", 0, "size=1m") != 0) GTEST_SKIP() << "mount: " << std::strerror(errno);
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{tiny};
  const std::string tiny_db = (tiny / "db").string();
  ASSERT_TRUE(index_paths(tiny_db, {(m_dir.path() / "in" / "a1000.md").string()}, {}, m_silent).ok());
  {
    std::ofstream fill(tiny / "fill", std::ios::binary);
    const std::string block(4096, 'x');
    while (fill.write(block.data(), block.size())) {
    }
  }
  EXPECT_EXIT(index_then_exit_99(tiny_db), ::testing::ExitedWithCode(74), "no space left on device");
}

TEST_F(Faults, AKilledFirstBuildKeepsItsCommitsAndIsResumedToTheCleanResult) {
  for (const ShardBy by : {ShardBy::none, ShardBy::month}) {
    fs::remove_all(m_dir.path() / "in");
    fs::remove_all(db());
    fs::remove_all(m_dir.path() / "clean.db");
    put_articles(90);
    IndexOptions o;
    o.jobs = 2;
    o.commit_every = 6;
    o.shard_by = by;
    const std::map<std::string, std::string> want = clean(o);
    // A child process indexes and is killed (SIGKILL, nothing unwinds) before file 60 is written.
    o.fault_hook = [](std::string_view step, const std::string& path) {
      if (step == "write" && path.ends_with("a1060.md")) ::kill(::getpid(), SIGKILL);
    };
    EXPECT_EXIT(
        {
          Silent silent;
          (void)index_paths(db(), {in()}, o, silent);
          std::_Exit(0);
        },
        ::testing::KilledBySignal(SIGKILL), "");
    // What the killed build committed is live and searchable.
    Result<Searcher> s = Searcher::open(db());
    ASSERT_TRUE(s.ok()) << s.error().message;
    const size_t kept = s->database().get_doccount();
    EXPECT_GT(kept, 10u);
    EXPECT_LT(kept, want.size());
    s = Result<Searcher>(Error{});
    // Meanwhile one finished file changed, one was deleted and one was added.
    write_file(m_dir.path() / "in" / "a1003.md", article(k_t0 + k_day, "改", "https://x.org/3", "<p>改过</p>"));
    fs::last_write_time(m_dir.path() / "in" / "a1003.md", fs::file_time_type::clock::now() + std::chrono::seconds(5));
    fs::remove(m_dir.path() / "in" / "a1000.md");
    write_file(m_dir.path() / "in" / "a2000.md", article(k_t0, "新", "https://x.org/new", "<p>新</p>"));
    fs::remove_all(m_dir.path() / "clean.db");
    const std::map<std::string, std::string> want_now = clean(o);
    o.fault_hook = nullptr;
    const Result<IndexReport> resumed = index(o);
    ASSERT_TRUE(resumed.ok()) << resumed.error().message;
    EXPECT_GT(resumed->resumed, 10u);
    EXPECT_EQ(resumed->indexed + resumed->resumed, 90u);  // 90 files now: one gone, one added
    EXPECT_EQ(documents(db()), want_now);
    EXPECT_FALSE(unfinished_build(db()));
  }
}

TEST_F(Faults, AnInterruptedReindexIsKeptAndTheNextReindexResumesIt) {
  put_articles(30);
  ASSERT_TRUE(index({}).ok());
  put_articles(80);
  const std::map<std::string, std::string> want = clean();
  std::atomic<bool> stop{false};
  IndexOptions o;
  o.rebuild = true;
  o.jobs = 2;
  o.commit_every = 4;
  o.stop = &stop;
  o.fault_hook = [&](std::string_view step, const std::string& path) {
    if (step == "read" && path.ends_with("a1040.md")) stop.store(true);
  };
  const Result<IndexReport> first = index(o);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->interrupted);
  EXPECT_TRUE(first->rebuild_kept);
  EXPECT_EQ(documents(db()).size(), 30u);  // the old database serves (30 files, 30 versions)
  ASSERT_TRUE(unfinished_build(db()));
  // A plain run would discard it; the next --reindex resumes it.
  o.stop = nullptr;
  o.fault_hook = nullptr;
  const Result<IndexReport> second = index(o);
  ASSERT_TRUE(second.ok());
  EXPECT_GT(second->resumed, 4u);
  EXPECT_EQ(second->indexed + second->resumed, 80u);
  EXPECT_EQ(documents(db()), want);
}

TEST_F(Faults, AnUnfinishedReindexIsDiscardedByAPlainRun) {
  put_articles(30);
  ASSERT_TRUE(index({}).ok());
  std::atomic<bool> stop{false};
  IndexOptions o;
  o.rebuild = true;
  o.commit_every = 2;
  o.stop = &stop;
  o.fault_hook = [&](std::string_view, const std::string& path) {
    if (path.ends_with("a1010.md")) stop.store(true);
  };
  ASSERT_TRUE(index(o).ok());
  ASSERT_TRUE(unfinished_build(db()));
  ASSERT_TRUE(index({}).ok());
  EXPECT_FALSE(unfinished_build(db()));
  size_t generations = 0;
  for (const auto& e : fs::directory_iterator(db())) generations += e.path().filename().string().starts_with("gen-");
  EXPECT_EQ(generations, 1u);
}

// Runs the real binary into a 1 MiB tmpfs: only as root (mount), skipped otherwise.
TEST_F(Faults, IndexingIntoAFullTmpfsFailsCleanlyAndTheDatabaseStillAnswers) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a tmpfs";
  const fs::path tiny = m_dir.path() / "tiny";
  fs::create_directories(tiny);
  if (::mount("tmpfs", tiny.c_str(), "tmpfs", 0, "size=1m") != 0) GTEST_SKIP() << "mount: " << std::strerror(errno);
  struct Unmount {
    fs::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{tiny};
  // About 3 MB of text with its terms: far more than fits.
  for (size_t i = 0; i < 300; ++i) {
    std::string body;
    for (size_t k = 0; k < 40; ++k)
      body += "<p>香港" + std::to_string(i * 100 + k) + "新闻报道第" + std::to_string(k) + "段 word" +
              std::to_string(i * 97 + k) + "</p>";
    write_file(m_dir.path() / "in" / ("t" + std::to_string(i) + ".md"),
               article(k_t0 + static_cast<int64_t>(i) * k_day, "标题" + std::to_string(i),
                       "https://x.org/t" + std::to_string(i), body));
  }
  const std::string tiny_db = (tiny / "db").string();
  for (const bool first_build : {true, false}) {
    if (!first_build) {  // a small database first, then an update that does not fit
      fs::remove_all(tiny_db);
      const test::CliRun small =
          test::run_cli(m_dir, {"--db", tiny_db, "index", "-q", (m_dir.path() / "in" / "t1.md").string()});
      ASSERT_EQ(small.exit_code, 0) << small.err;
    }
    const test::CliRun r = test::run_cli(m_dir, {"--db", tiny_db, "index", "-q", in()});
    EXPECT_EQ(r.exit_code, 74) << r.err;
    EXPECT_NE(r.err.find("newsidx: " + tiny_db + ": no space left on device"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("terminate"), std::string::npos) << r.err;
    const test::CliRun s = test::run_cli(m_dir, {"--db", tiny_db, "search", "-c", "香港"});
    EXPECT_TRUE(s.exit_code == 0 || s.exit_code == 1) << s.err;
    if (!first_build) EXPECT_EQ(s.exit_code, 0) << s.err;  // t1.md, committed before, is still found
  }
}
