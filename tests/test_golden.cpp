// test_golden.cpp — runs the newsidx binary for every case in tests/golden/cases and compares
// its output with the recorded one, byte for byte.
//
// A case is NAME.args (first line "exit N", then one argument per line; "\n" and "\0" in an
// argument stand for a newline and a NUL byte), NAME.out (expected stdout) and optionally
// NAME.err (expected stderr; without it, stderr must be empty). The database is built once from
// tests/golden/articles plus two files made at run time whose names hold a space and a newline.
// Run the tests with NEWSIDX_UPDATE_GOLDEN=1 to record new outputs (then review the diff): it
// also deletes the .err file of a case whose stderr is now empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace fs = std::filesystem;
using newsidx::test::article;
using newsidx::test::CliRun;
using newsidx::test::run_cli;
using newsidx::test::slurp;
using newsidx::test::TempDir;
using newsidx::test::write_file;

namespace {

const fs::path k_golden = fs::path(NEWSIDX_FIXTURES).parent_path() / "golden";

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(k_golden / "cases")) {
    if (e.path().extension() == ".args") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == 'n' || s[i + 1] == '0')) {
      out += s[i + 1] == 'n' ? '\n' : '\0';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// Output that legitimately differs between runs or machines: database size on disk, the
/// generation folder (the number of builds before), and the ICU and Unicode versions.
std::string mask(std::string s) {
  s = std::regex_replace(s, std::regex(R"("disk_bytes":[0-9]+)"), R"("disk_bytes":N)");
  s = std::regex_replace(s, std::regex(R"(disk: +[0-9.]+ MB)"), "disk:       N MB");
  s = std::regex_replace(s, std::regex(R"(gen-[0-9]{6})"), "gen-N");
  return std::regex_replace(s, std::regex(R"(icu=[0-9.]+ unicode=[0-9.]+)"), "icu=N unicode=N");
}

class Golden : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<TempDir>();
    fs::copy(k_golden / "articles", s_dir->path() / "articles", fs::copy_options::recursive);
    const std::string body = "<p>The lighthouse keeper kept a diary.</p>";
    write_file(s_dir->path() / "articles" / "odd names" / "light house.md",
               article(1600000000000, "Lighthouse diary", "https://example.org/light-house", body));
    write_file(s_dir->path() / "articles" / "odd names" / "new\nline.md",
               article(1600000001000, "Lighthouse diary, part two", "https://example.org/new-line", body));
    // Ids depend on the shard count; `show` prints the first-indexed time, here 2026-01-01.
    const CliRun r =
        run_cli(*s_dir, {"--db", "db", "index", "-q", "--jobs", "2", "articles"}, "NEWSIDX_NOW_MS=1767225600000");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { s_dir.reset(); }
  static std::unique_ptr<TempDir> s_dir;
};

std::unique_ptr<TempDir> Golden::s_dir;

}  // namespace

TEST_P(Golden, OutputMatchesTheRecording) {
  const std::string name = GetParam();
  std::istringstream spec(slurp(k_golden / "cases" / (name + ".args")));
  std::string line;
  std::getline(spec, line);
  ASSERT_EQ(line.rfind("exit ", 0), 0u) << name << ".args must start with 'exit N'";
  const int want_exit = std::stoi(line.substr(5));
  std::vector<std::string> args = {"--db", "db"};
  while (std::getline(spec, line)) args.push_back(unescape(line));

  const CliRun r = run_cli(*s_dir, args);
  const fs::path out_file = k_golden / "cases" / (name + ".out");
  const fs::path err_file = k_golden / "cases" / (name + ".err");
  if (std::getenv("NEWSIDX_UPDATE_GOLDEN")) {
    write_file(out_file, mask(r.out));
    if (r.err.empty())
      fs::remove(err_file);
    else
      write_file(err_file, mask(r.err));
  }
  EXPECT_EQ(r.exit_code, want_exit) << r.err;
  EXPECT_EQ(mask(r.out), slurp(out_file)) << "stdout of " << name;
  EXPECT_EQ(mask(r.err), fs::exists(err_file) ? slurp(err_file) : "") << "stderr of " << name << " (no .err: empty)";
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
