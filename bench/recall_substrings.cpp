// recall_substrings.cpp — grep-level recall check for Chinese substrings.
//
// Cuts N random 2–6-character substrings of CJK text from random indexed articles, finds every
// indexed article whose folded title+text contains the substring (plain substring search: the
// ground truth, independent of terms and tokens), runs `newsidx search --limit 0 --format jsonl`
// for each, and reports recall and precision over all queries.
//
// usage: recall_substrings NEWSIDX_BIN DB [N=100] [SEED=1] [MIN_LEN=2] [MAX_LEN=6]
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <xapian.h>
#include <nlohmann/json.hpp>

#include "newsidx/index.hpp"
#include "newsidx/text.hpp"

namespace {

bool is_cjk(UChar32 c) { return u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC); }

/// Code point start offsets of `s`.
std::vector<size_t> code_point_offsets(const std::string& s) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size();) {
    out.push_back(i);
    U8_FWD_1(reinterpret_cast<const uint8_t*>(s.data()), i, s.size());
  }
  out.push_back(s.size());
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: recall_substrings NEWSIDX_BIN DB [N] [SEED] [MIN_LEN] [MAX_LEN]\n");
    return 2;
  }
  const std::string bin = argv[1];
  const std::string db_path = argv[2];
  const int n_queries = argc > 3 ? std::stoi(argv[3]) : 100;
  const unsigned seed = argc > 4 ? static_cast<unsigned>(std::stoul(argv[4])) : 1;
  const int min_len = argc > 5 ? std::stoi(argv[5]) : 2;
  const int max_len = argc > 6 ? std::stoi(argv[6]) : 6;

  // Folded texts of every indexed article, keyed by URL (one document per URL).
  Xapian::Database db(db_path);
  std::vector<std::string> urls, texts;
  for (auto it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
    const newsidx::StoredArticle a = newsidx::from_document_data(db.get_document(*it).get_data());
    urls.push_back(a.url);
    texts.push_back(newsidx::fold(a.title + "\n" + a.text));
  }
  std::mt19937_64 rng(seed);
  size_t truth_total = 0, found_total = 0, returned_total = 0, correct_total = 0;
  int perfect = 0;
  for (int q = 0; q < n_queries;) {
    const std::string& text = texts[rng() % texts.size()];
    const std::vector<size_t> cps = code_point_offsets(text);
    if (cps.size() < 3) continue;
    const int len = min_len + static_cast<int>(rng() % static_cast<unsigned>(max_len - min_len + 1));
    const size_t start = rng() % (cps.size() - 1);
    if (start + static_cast<size_t>(len) >= cps.size()) continue;
    bool all_cjk = true;
    for (size_t k = start; k < start + static_cast<size_t>(len) && all_cjk; ++k) {
      UChar32 c;
      U8_GET(reinterpret_cast<const uint8_t*>(text.data()), 0, cps[k], text.size(), c);
      all_cjk = is_cjk(c);
    }
    if (!all_cjk) continue;
    const std::string needle = text.substr(cps[start], cps[start + len] - cps[start]);
    ++q;
    std::set<std::string> truth;
    for (size_t d = 0; d < texts.size(); ++d) {
      if (texts[d].find(needle) != std::string::npos) truth.insert(urls[d]);
    }
    std::set<std::string> got;
    const std::string cmd = fmt::format("{} --db {} search --limit 0 --format jsonl {}", shell_quote(bin),
                                        shell_quote(db_path), shell_quote(needle));
    FILE* p = popen(cmd.c_str(), "r");
    char* line = nullptr;
    size_t cap = 0;
    while (getline(&line, &cap, p) > 0) got.insert(nlohmann::json::parse(line).at("url").get<std::string>());
    free(line);
    const int rc = pclose(p);
    size_t hit = 0;
    for (const std::string& u : got) hit += truth.count(u);
    truth_total += truth.size();
    found_total += hit;
    returned_total += got.size();
    correct_total += hit;
    const bool ok = hit == truth.size() && got.size() == truth.size();
    perfect += ok;
    if (!ok) {
      std::printf("MISMATCH %s: truth %zu, returned %zu, correct %zu (exit %d)\n", needle.c_str(), truth.size(),
                  got.size(), hit, WEXITSTATUS(rc));
    }
  }
  std::printf("queries %d (%d-%d CJK characters, seed %u), articles %zu\n", n_queries, min_len, max_len, seed,
              texts.size());
  std::printf("recall %.4f (%zu of %zu relevant articles found)\n",
              truth_total ? static_cast<double>(found_total) / static_cast<double>(truth_total) : 1.0, found_total,
              truth_total);
  std::printf("precision %.4f (%zu of %zu returned articles contain the substring)\n",
              returned_total ? static_cast<double>(correct_total) / static_cast<double>(returned_total) : 1.0,
              correct_total, returned_total);
  std::printf("queries with exactly the right set: %d of %d\n", perfect, n_queries);
  return found_total == truth_total ? 0 : 1;
}
