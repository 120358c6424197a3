// test_support.hpp — temporary folders and synthetic article files for tests.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

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
  [[nodiscard]] std::string str(const std::string& sub = "") const { return (sub.empty() ? m_path : m_path / sub).string(); }

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

}  // namespace newsidx::test
