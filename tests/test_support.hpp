// test_support.hpp — temporary folders and synthetic article files for tests.
#pragma once

#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace newsidx::test {

/// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "newsidx-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    m_path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
  [[nodiscard]] std::string str(const std::string& sub = "") const {
    return (sub.empty() ? m_path : m_path / sub).string();
  }

 private:
  std::filesystem::path m_path;
};

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

/// An article file in the feed-exported format.
inline std::string article(int64_t published_ms, const std::string& title, const std::string& url,
                           const std::string& body_html) {
  return "<!--" + std::to_string(published_ms) + "-->\n[" + title + "](" + url + ")\n------\n\n" + body_html + "\n";
}

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// What a run of the newsidx binary printed and returned.
struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the built newsidx (NEWSIDX_BIN) with `args` in folder `cwd`, without a terminal, with
/// NEWSIDX_DB, XDG_DATA_HOME and XDG_CONFIG_HOME unset, HOME=cwd, COLUMNS=80 and NO_COLOR set;
/// `env` is one more VAR=VALUE setting, or "".
inline CliRun run_cli(const TempDir& cwd, const std::vector<std::string>& args, const std::string& env = "") {
  std::string cmd = "cd " + shell_quote(cwd.str()) +
                    " && env -u NEWSIDX_DB -u XDG_DATA_HOME -u XDG_CONFIG_HOME HOME=" + shell_quote(cwd.str()) +
                    " COLUMNS=80 NO_COLOR=1 " + (env.empty() ? "" : shell_quote(env) + " ") + shell_quote(NEWSIDX_BIN);
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  cmd += " >" + shell_quote(cwd.str(".stdout")) + " 2>" + shell_quote(cwd.str(".stderr")) + " </dev/null";
  const int status = std::system(cmd.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(cwd.path() / ".stdout"), slurp(cwd.path() / ".stderr")};
}

}  // namespace newsidx::test
