// parse_report.cpp — what the parser makes of each file, to compare two builds on the corpus.
//
// usage: find ROOT -type f -print0 | sort -z | parse_report > report.tsv
//
// Reads NUL-separated paths on stdin and parses each file as `newsidx index` does (bytes decoded
// by newsidx::to_utf8, then newsidx::parse_article; no size limit). Prints one TSV line per
// file: outcome (`indexed`, `skipped` or `failed`, as the indexer decides with
// newsidx::is_not_article), text length in bytes, URL, author, title, reason ("" when indexed),
// path. Tabs and newlines inside fields become spaces. Run it with the binaries of two commits
// and join the reports on the path to see which files changed outcome or text length.
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "newsidx/article.hpp"
#include "newsidx/index.hpp"

namespace {

std::string field(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  std::string path;
  while (std::getline(std::cin, path, '\0')) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    newsidx::Result<newsidx::DecodedText> text = newsidx::to_utf8(bytes);
    newsidx::Result<newsidx::Article> a = text ? newsidx::parse_article(text->text, path) : text.error();
    if (a) {
      std::cout << "indexed\t" << a->text.size() << '\t' << field(a->url) << '\t' << field(a->author) << '\t'
                << field(a->title) << "\t\t" << field(path) << '\n';
    } else {
      std::cout << (newsidx::is_not_article(a.error()) ? "skipped" : "failed") << "\t0\t\t\t\t"
                << field(a.error().message) << '\t' << field(path) << '\n';
    }
  }
  return 0;
}
