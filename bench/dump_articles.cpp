// dump_articles.cpp — ground-truth text for the search-quality and recall scripts
// (bench/eval_quality.py, bench/recall_versions.py).
//
// usage: dump_articles ROOT...     walk ROOT(s) like `newsidx index` and print one JSON object per
//                                  article (URL): {"path","url","title","text","published_ms","folded"}
//        dump_articles --all-files ROOT...
//                                  the same walk, one JSON object per parsed file: every copy of
//                                  every version of each URL, with "abspath", "author", "version"
//                                  (16 hex digits of newsidx::version_hash(title, author, text):
//                                  files with equal values are one version, one Xapian document)
//                                  and "winner" (true on the file the default mode prints)
//        dump_articles --fold      fold each line of stdin (newsidx::fold) and print it
//
// Files are read like `newsidx index` reads them: folders walked recursively (entries whose name
// starts with '.' and symlinked folders skipped), files over IndexOptions::max_file_bytes refused,
// bytes decoded by newsidx::to_utf8, then newsidx::parse_article. Refused files are counted on
// stderr. The default mode keeps one article per URL, chosen by newsidx::copy_wins (the indexer's
// rule: newest publish time, then the absolute path that sorts last). `folded` is
// newsidx::fold(title + "\n" + text), so substring ground truth uses exactly newsidx's folding
// (NFKC_Casefold, then Traditional→Simplified). Output is in path order (of the kept files in the
// default mode).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "newsidx/article.hpp"
#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
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

/// One parsed file.
struct Parsed {
  newsidx::FileCopy copy;
  newsidx::Article article;
  uint64_t version = 0;  ///< newsidx::version_hash of the article
};

/// Prints one JSON line of `p`; with `all_files`, also its abspath, author, version and whether it
/// is its URL's winning copy.
void print(const Parsed& p, bool all_files, bool winner) {
  const newsidx::Article& a = p.article;
  nlohmann::json j = {{"path", a.path},
                      {"url", a.url},
                      {"title", a.title},
                      {"text", a.text},
                      {"published_ms", a.published_ms ? nlohmann::json(*a.published_ms) : nlohmann::json(nullptr)},
                      {"folded", newsidx::fold(a.title + "\n" + a.text)}};
  if (all_files) {
    j["abspath"] = p.copy.abspath;
    j["author"] = a.author;
    j["version"] = fmt::format("{:016x}", p.version);
    j["winner"] = winner;
  }
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

int dump(const std::vector<std::string>& roots, bool all_files) {
  std::vector<std::string> files;
  for (const std::string& root : roots) {
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      std::fprintf(stderr, "dump_articles: %s: no such file or directory\n", root.c_str());
      return 1;
    }
    std::vector<std::string> f = collect_files(root);
    files.insert(files.end(), f.begin(), f.end());
  }
  std::vector<Parsed> parsed;               // in the order of `files`
  std::map<std::string, size_t> winner_of;  // URL → index in `parsed` of its winning copy so far
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
    a->html = {};  // not printed: keep the memory of ~25k files low
    newsidx::FileCopy copy{path, fs::absolute(path).lexically_normal().string(), a->published_ms};
    auto [it, added] = winner_of.emplace(a->url, parsed.size());
    if (!added && newsidx::copy_wins(copy, parsed[it->second].copy)) it->second = parsed.size();
    const uint64_t version = newsidx::version_hash(a->title, a->author, a->text);
    parsed.push_back({std::move(copy), std::move(*a), version});
  }
  std::vector<bool> wins(parsed.size());
  for (const auto& [url, k] : winner_of) wins[k] = true;
  std::vector<size_t> order;
  for (size_t k = 0; k < parsed.size(); ++k) {
    if (all_files || wins[k]) order.push_back(k);
  }
  std::sort(order.begin(), order.end(),
            [&](size_t x, size_t y) { return parsed[x].article.path < parsed[y].article.path; });
  for (size_t k : order) print(parsed[k], all_files, wins[k]);
  std::set<std::pair<std::string_view, uint64_t>> versions;
  for (const Parsed& p : parsed) versions.emplace(p.article.url, p.version);
  std::fprintf(stderr,
               "dump_articles: %zu files, %zu not articles or unparsable, %zu parsed into %zu versions of %zu "
               "articles (unique URLs); printed %zu\n",
               files.size(), refused, parsed.size(), versions.size(), winner_of.size(), order.size());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && args[0] == "--fold") return fold_stdin();
  const bool all_files = !args.empty() && args[0] == "--all-files";
  const std::vector<std::string> roots(args.begin() + (all_files ? 1 : 0), args.end());
  if (roots.empty() || roots[0].starts_with("-")) {
    std::fprintf(stderr, "usage: dump_articles [--all-files] ROOT... | dump_articles --fold < lines\n");
    return 2;
  }
  return dump(roots, all_files);
}
