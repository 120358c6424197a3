// dump_articles.cpp — ground-truth text for the search-quality evaluation (bench/eval_quality.py).
//
// usage: dump_articles ROOT...     walk ROOT(s) like `newsidx index` and print one JSON object per
//                                  article: {"path","url","title","text","published_ms","folded"}
//        dump_articles --fold      fold each line of stdin (newsidx::fold) and print it
//
// Files are read like `newsidx index` reads them: folders walked recursively (entries whose name
// starts with '.' and symlinked folders skipped), files over IndexOptions::max_file_bytes refused,
// bytes decoded by newsidx::to_utf8, then newsidx::parse_article. Refused files are counted on
// stderr. One article is kept per URL, chosen by newsidx::copy_wins (the indexer's rule: newest
// publish time, then the absolute path that sorts last). `folded` is
// newsidx::fold(title + "\n" + text), so substring ground truth uses exactly newsidx's folding
// (NFKC_Casefold, then Traditional→Simplified). Output is in the order of the kept files' paths.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "newsidx/article.hpp"
#include "newsidx/index.hpp"
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
    std::error_code type_ec;
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) it.disable_recursion_pending();
      continue;
    }
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
  // URL → the winning copy so far and its article.
  std::map<std::string, std::pair<newsidx::FileCopy, newsidx::Article>> by_url;
  const size_t max_bytes = newsidx::IndexOptions{}.max_file_bytes;
  size_t refused = 0;
  for (const std::string& path : files) {
    std::error_code ec;
    if (fs::file_size(path, ec) > max_bytes || ec) {
      ++refused;
      continue;
    }
    newsidx::Result<newsidx::DecodedText> text = newsidx::to_utf8(read_all(path));
    newsidx::Result<newsidx::Article> a = text ? newsidx::parse_article(text->text, path) : text.error();
    if (!a) {
      ++refused;
      continue;
    }
    newsidx::FileCopy copy{path, fs::absolute(path).lexically_normal().string(), a->published_ms};
    const std::string url = a->url;
    auto it = by_url.find(url);
    if (it == by_url.end()) {
      by_url.emplace(url, std::pair{std::move(copy), std::move(*a)});
    } else if (newsidx::copy_wins(copy, it->second.first)) {
      it->second = {std::move(copy), std::move(*a)};
    }
  }
  std::vector<const newsidx::Article*> kept;
  for (const auto& [url, winner] : by_url) kept.push_back(&winner.second);
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
