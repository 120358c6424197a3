// dump_articles.cpp — ground-truth text for the search-quality evaluation (bench/eval_quality.py).
//
// usage: dump_articles ROOT...     walk ROOT(s) like `newsidx index` and print one JSON object per
//                                  article: {"path","url","title","text","published_ms","folded"}
//        dump_articles --fold      fold each line of stdin (newsidx::fold) and print it
//
// Files are collected like the indexer does: folders walked recursively, entries whose name
// starts with '.' skipped, each root's files in sorted path order. Files that parse_article
// refuses are skipped (counted on stderr). One article is kept per URL: the one whose path comes
// last, the rule `newsidx index` applies when several files share a URL. `folded` is
// newsidx::fold(title + "\n" + text), so substring ground truth uses exactly newsidx's folding
// (NFKC_Casefold, then Traditional→Simplified). Output is in the order of the kept files' paths.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "newsidx/article.hpp"
#include "newsidx/text.hpp"

namespace fs = std::filesystem;

namespace {

/// Regular files under `root` (or `root` itself if it is a file), sorted by path string.
std::vector<std::string> collect_files(const std::string& root) {
  if (!fs::is_directory(root)) return {root};
  std::vector<std::string> found;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    std::error_code type_ec;
    if (!it->is_directory(type_ec)) found.push_back(it->path().string());
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

int fold_stdin() {
  std::string line;
  while (std::getline(std::cin, line)) std::cout << newsidx::fold(line) << '\n';
  return 0;
}

int dump(const std::vector<std::string>& roots) {
  std::vector<std::string> files;
  for (const std::string& root : roots) {
    std::vector<std::string> f = collect_files(root);
    files.insert(files.end(), f.begin(), f.end());
  }
  // URL → parsed article; a later file replaces an earlier one, like replace_document(Q<url>).
  std::map<std::string, newsidx::Article> by_url;
  size_t refused = 0;
  for (const std::string& path : files) {
    newsidx::Result<newsidx::Article> a = newsidx::parse_article(read_all(path), path);
    if (!a) {
      ++refused;
      continue;
    }
    by_url.insert_or_assign(a->url, std::move(*a));
  }
  std::vector<const newsidx::Article*> kept;
  for (const auto& [url, a] : by_url) kept.push_back(&a);
  std::sort(kept.begin(), kept.end(), [](const auto* x, const auto* y) { return x->path < y->path; });
  for (const newsidx::Article* a : kept) {
    const nlohmann::json j = {
        {"path", a->path},
        {"url", a->url},
        {"title", a->title},
        {"text", a->text},
        {"published_ms", a->published_ms ? nlohmann::json(*a->published_ms) : nlohmann::json(nullptr)},
        {"folded", newsidx::fold(a->title + "\n" + a->text)}};
    std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
  std::fprintf(stderr, "dump_articles: %zu files, %zu not articles or unparsable, %zu articles (unique URLs)\n",
               files.size(), refused, kept.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--fold") return fold_stdin();
  if (args.empty() || args[0].starts_with("-")) {
    std::fprintf(stderr, "usage: dump_articles ROOT... | dump_articles --fold < lines\n");
    return 2;
  }
  return dump(args);
}
