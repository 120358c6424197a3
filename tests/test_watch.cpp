// test_watch.cpp — `index --watch`: a child newsidx follows a temporary folder while searches
// (other processes, as a user runs them) see each change; SIGINT/SIGTERM end it cleanly.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "newsidx/store.hpp"
#include "test_support.hpp"

extern char** environ;

using newsidx::test::article;
using newsidx::test::CliRun;
using newsidx::test::run_cli;
using newsidx::test::slurp;
using newsidx::test::TempDir;
using newsidx::test::write_file;
namespace fs = std::filesystem;

namespace {

std::string story(int n, const std::string& title, const std::string& body) {
  return article(1593561600000 + n * 1000, title, "https://example.com/watch/" + std::to_string(n) + ".html",
                 "<p>" + body + "</p>");
}

/// Polls `holds` every 20 ms until it is true or 10 s have passed; returns its last value.
bool eventually(const std::function<bool()>& holds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!holds()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

class Watch : public ::testing::Test {
 protected:
  void SetUp() override { write_file(in() / "first.md", story(1, "First story", "alpha 起初")); }
  void TearDown() override {
    if (m_pid > 0) {
      kill(m_pid, SIGKILL);
      waitpid(m_pid, nullptr, 0);
    }
  }

  [[nodiscard]] fs::path in() const { return m_dir.path() / "in"; }
  [[nodiscard]] std::string db() const { return m_dir.str("db"); }
  [[nodiscard]] std::string err() const { return slurp(m_dir.path() / "watch.err"); }

  /// Starts `newsidx --db DB index --watch --watch-delay 100 [EXTRA...] IN` (stderr to
  /// watch.err) and waits until its first run is done and it watches.
  void start(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {NEWSIDX_BIN, "--db", db(), "index", "--watch", "--watch-delay", "100"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(in().string());
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, "/dev/null", O_WRONLY, 0);
    const std::string err_path = m_dir.str("watch.err");
    posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_EQ(posix_spawn(&m_pid, NEWSIDX_BIN, &files, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&files);
    ASSERT_TRUE(eventually([&] { return err().find("watching") != std::string::npos; })) << err();
  }

  /// The number of articles `search -c QUERY` counts (a reader beside the running watcher), or
  /// -1 if the search fails.
  int count(const std::string& query) {
    const CliRun r = run_cli(m_dir, {"--db", db(), "search", "-c", query});
    if (r.exit_code != 0 && r.exit_code != 1) return -1;
    return std::stoi(r.out);
  }

  /// Sends `sig` and returns the exit status (128 + N for death by signal N), or -1 if the
  /// watcher has not ended 10 s later.
  int stop(int sig) {
    kill(m_pid, sig);
    int status = 0;
    if (!eventually([&] { return waitpid(m_pid, &status, WNOHANG) == m_pid; })) return -1;
    m_pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  TempDir m_dir;
  pid_t m_pid = -1;
};

}  // namespace

TEST_F(Watch, FollowsFilesAndFoldersAddedEditedMovedAndDeleted) {
  start();
  EXPECT_EQ(count("alpha"), 1);

  write_file(in() / "second.md", story(2, "Second story", "beta 贝塔"));
  EXPECT_TRUE(eventually([&] { return count("beta") == 1; })) << err();

  write_file(in() / "second.md", story(2, "Second story", "gamma 伽马"));  // edited in place
  EXPECT_TRUE(eventually([&] { return count("gamma") == 1 && count("beta") == 0; })) << err();

  // A new folder and, at once, a file in it (written before its watch may exist), and a folder
  // inside that.
  write_file(in() / "sub" / "deeper" / "third.md", story(3, "Third story", "delta 德尔塔"));
  EXPECT_TRUE(eventually([&] { return count("delta") == 1; })) << err();
  write_file(in() / "sub" / "deeper" / "fourth.md", story(4, "Fourth story", "epsilon"));  // watched now
  EXPECT_TRUE(eventually([&] { return count("epsilon") == 1; })) << err();

  fs::rename(in() / "second.md", m_dir.path() / "second.md");  // moved out of the tree
  EXPECT_TRUE(eventually([&] { return count("gamma") == 0; })) << err();
  fs::rename(m_dir.path() / "second.md", in() / "sub" / "back.md");  // and in again
  EXPECT_TRUE(eventually([&] { return count("gamma") == 1; })) << err();

  fs::remove(in() / "sub" / "deeper" / "third.md");
  EXPECT_TRUE(eventually([&] { return count("delta") == 0; })) << err();

  // A folder moved out takes its articles; one moved in brings them, and is watched.
  fs::rename(in() / "sub", m_dir.path() / "sub");
  EXPECT_TRUE(eventually([&] { return count("epsilon") == 0 && count("gamma") == 0; })) << err();
  fs::rename(m_dir.path() / "sub", in() / "moved");
  EXPECT_TRUE(eventually([&] { return count("epsilon") == 1 && count("gamma") == 1; })) << err();
  write_file(in() / "moved" / "deeper" / "fifth.md", story(5, "Fifth story", "zeta"));
  EXPECT_TRUE(eventually([&] { return count("zeta") == 1; })) << err();
  EXPECT_NE(err().find("added 1, updated 0, removed 0"), std::string::npos) << err();  // one line per batch

  EXPECT_EQ(stop(SIGTERM), 0) << err();
  // The database opens, and holds what the folder holds: a plain run finds nothing to do.
  const CliRun again = run_cli(m_dir, {"--db", db(), "index", in().string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("indexed 0, unchanged 4, removed 0"), std::string::npos) << again.err;
  EXPECT_EQ(count("alpha"), 1);
}

TEST_F(Watch, SigintBetweenBatchesExitsZero) {
  start();
  EXPECT_EQ(stop(SIGINT), 0) << err();
  EXPECT_EQ(count("alpha"), 1);
}

// Another writer (here the test, holding the database's lock) makes a batch wait, not fail.
TEST_F(Watch, ABatchWaitsWhileAnotherWriterHoldsTheLock) {
  start();
  {
    newsidx::Result<newsidx::WriteLock> lock = newsidx::WriteLock::acquire(db());
    ASSERT_TRUE(lock.ok());
    write_file(in() / "second.md", story(2, "Second story", "beta"));
    EXPECT_TRUE(eventually([&] { return err().find("locked") != std::string::npos; })) << err();
    EXPECT_EQ(count("beta"), 0);
  }
  EXPECT_TRUE(eventually([&] { return count("beta") == 1; })) << err();
  EXPECT_EQ(stop(SIGTERM), 0) << err();
}

// Events lost to a full inotify queue are made up for by a rescan: the watcher is stopped while
// more events than the queue holds happen (on a hidden file, which is not indexed), then a file
// is written whose event is dropped.
TEST_F(Watch, QueueOverflowRescansTheFolders) {
  size_t max_events = 0;
  std::ifstream("/proc/sys/fs/inotify/max_queued_events") >> max_events;
  if (max_events == 0 || max_events > 1000000) GTEST_SKIP() << "max_queued_events is " << max_events;
  start();
  kill(m_pid, SIGSTOP);
  write_file(in() / ".a", "");
  write_file(in() / ".b", "");
  for (size_t i = 0; i < max_events + 10; ++i) {
    const int fd = ::open((in() / (i % 2 ? ".a" : ".b")).c_str(), O_WRONLY);  // alternate: no coalescing
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  write_file(in() / "lost.md", story(6, "Lost event", "omega"));
  kill(m_pid, SIGCONT);
  EXPECT_TRUE(eventually([&] { return count("omega") == 1; })) << err();
  EXPECT_NE(err().find("rescan"), std::string::npos) << err();
  EXPECT_EQ(stop(SIGTERM), 0) << err();
}

TEST_F(Watch, ARootThatGoesAwayEndsTheWatchNamingIt) {
  start();
  fs::rename(in(), m_dir.path() / "elsewhere");
  int status = 0;
  ASSERT_TRUE(eventually([&] { return waitpid(m_pid, &status, WNOHANG) == m_pid; })) << err();
  m_pid = -1;
  EXPECT_EQ(WEXITSTATUS(status), 7) << err();
  EXPECT_NE(err().find(in().string() + ": cannot watch the folder"), std::string::npos) << err();
  EXPECT_EQ(count("alpha"), 1);  // articles are kept
}

// In a user namespace of its own (unshare -r), the watcher gets a limit of 3 inotify watches,
// and the tree has 5 folders.
TEST_F(Watch, RunningOutOfWatchesNamesTheFolderAndTheSysctl) {
  for (const char* sub : {"a", "b", "c", "d"}) fs::create_directories(in() / sub);
  const std::string limit = "/proc/sys/user/max_inotify_watches";
  if (std::system(("unshare -r sh -c 'echo 3 > " + limit + "' 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "no user namespace with its own inotify limit";
  }
  const std::string cmd = "unshare -r sh -c " +
                          newsidx::test::shell_quote("echo 3 > " + limit + " && exec " + NEWSIDX_BIN + " --db " + db() +
                                                     " index --watch " + in().string()) +
                          " 2>" + m_dir.str("watch.err") + " </dev/null";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 7) << err();
  const std::string e = err();
  EXPECT_EQ(e.find("newsidx: " + in().string() + "/"), 0u) << e;  // the folder (of a to d) it failed on
  EXPECT_NE(e.find(": cannot watch the folder: the inotify watches are exhausted after 3 "), std::string::npos) << e;
  EXPECT_NE(err().find("sysctl fs.inotify.max_user_watches="), std::string::npos) << err();
}

TEST_F(Watch, FollowsADateShardedDatabase) {
  start({"--shard-by", "year"});
  EXPECT_EQ(count("alpha"), 1);
  // An article of a year with no shard yet, then the 2020 one deleted.
  write_file(in() / "later.md",
             article(1640995200000, "Later story", "https://example.com/watch/2022.html", "<p>zeta 泽塔</p>"));
  EXPECT_TRUE(eventually([&] { return count("zeta") == 1; })) << err();
  fs::remove(in() / "first.md");
  EXPECT_TRUE(eventually([&] { return count("alpha") == 0; })) << err();
  EXPECT_EQ(stop(SIGTERM), 0) << err();
  const newsidx::Result<std::vector<newsidx::Shard>> shards = newsidx::list_shards(db());
  ASSERT_TRUE(shards.ok());
  ASSERT_EQ(shards->size(), 2u);
  EXPECT_EQ((*shards)[1].name, "2022");
}

TEST_F(Watch, RefusesFiles) {
  const CliRun file = run_cli(m_dir, {"--db", db(), "index", "--watch", (in() / "first.md").string()});
  EXPECT_EQ(file.exit_code, 7);
  EXPECT_NE(file.err.find("first.md: not a folder"), std::string::npos) << file.err;
  EXPECT_EQ(run_cli(m_dir, {"--db", db(), "index", "--watch-delay", "5", in().string()}).exit_code,
            2);  // needs --watch
}
