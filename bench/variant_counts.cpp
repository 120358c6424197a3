// variant_counts.cpp — corpus document frequencies of variant forms: the corpus rules (C1, C2) of
// tools/gen_variants.py read them (docs/variants.md).
//
// usage: variant_counts ARTICLES.jsonl [CLASSES]
//        variant_counts --words < FORMS    for each line, "FORM<TAB>1" if ICU's dictionary reads the
//                                          whole line as one word (a common word), else "FORM<TAB>0"
//   ARTICLES.jsonl  build/bench/dump_articles output (one article per line, "url" and "folded")
//   CLASSES         a file of classes in the variants format (one class per line); without it,
//                   the built-in table
// Output, one line per (form, host) with at least one article, sorted:
//   FORM<TAB>HOST<TAB>ARTICLES<TAB>FREE
// ARTICLES: articles of HOST whose folded title and text hold FORM (VariantTable::find_all, so
// name dots match as in a query); FREE: those where FORM occurs at least once outside every
// longer form of another class, or as a whole "·"-separated part of it (纳德 inside 伯纳德 is not
// free; 特朗普 inside 唐纳德·特朗普 is).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "newsidx/text.hpp"
#include "newsidx/variants.hpp"

namespace {

/// Whether `text` has a name dot just before (`before`) or at byte `pos`.
bool dot_at(std::string_view text, size_t pos, bool before) {
  if (before) {
    if (pos == 0) return false;
    do --pos;
    while (pos > 0 && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80);
  }
  return newsidx::VariantTable::canonical(text.substr(pos, 3)).starts_with("\u00B7");
}

/// Whether matches[i] (sorted as find_all returns them) is free: not inside a longer match of
/// another class, unless it is a whole "·"-separated part of it, or the longer one is a parallel
/// compound: it is P + F + S and P + F' + S is in its class for another form F' of F's class
/// (宾夕法尼亚 in 宾夕法尼亚州, when 宾夕凡尼亚州 is a form of the class of 宾夕法尼亚州).
bool occurs_free(const newsidx::VariantTable& table, std::string_view text,
                 const std::vector<newsidx::VariantMatch>& matches, size_t i) {
  constexpr size_t k_window = 256;  // bytes; longer than any form
  const newsidx::VariantMatch& m = matches[i];
  const std::string form = newsidx::VariantTable::canonical(text.substr(m.begin, m.end - m.begin));
  const auto inside = [&](const newsidx::VariantMatch& o) {
    if (o.class_id == m.class_id || o.begin > m.begin || o.end < m.end || o.end - o.begin <= m.end - m.begin) {
      return false;
    }
    if ((o.begin == m.begin || dot_at(text, m.begin, true)) && (o.end == m.end || dot_at(text, m.end, false))) {
      return false;
    }
    const std::string prefix = newsidx::VariantTable::canonical(text.substr(o.begin, m.begin - o.begin));
    const std::string suffix = newsidx::VariantTable::canonical(text.substr(m.end, o.end - m.end));
    for (const newsidx::VariantForm& other : table.forms(m.class_id)) {
      if (other.text != form && table.find_class(prefix + std::string(other.text) + suffix) == o.class_id) {
        return false;
      }
    }
    return true;
  };
  for (size_t j = i; j-- > 0 && matches[j].begin + k_window > m.begin;) {
    if (inside(matches[j])) return false;
  }
  for (size_t j = i + 1; j < matches.size() && matches[j].begin == m.begin; ++j) {
    if (inside(matches[j])) return false;
  }
  return true;
}

int print_words() {
  newsidx::Segmenter seg;
  newsidx::TokenStream ts;
  std::string line;
  while (std::getline(std::cin, line)) {
    seg.tokenize(line, ts, newsidx::Segmenter::k_dictionary_words);
    const bool word = !ts.tokens.empty() && ts.tokens[0].word_len == ts.tokens.size();
    std::cout << line << '\t' << (word ? 1 : 0) << '\n';
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::string_view(argv[1]) == "--words") return print_words();
  if (argc != 2 && argc != 3) {
    std::fprintf(stderr, "usage: variant_counts ARTICLES.jsonl [CLASSES]\n");
    return 2;
  }
  newsidx::VariantTable table = newsidx::VariantTable::builtin();
  if (argc == 3) {
    std::ifstream in(argv[2], std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    table = newsidx::VariantTable();
    auto merged = table.merge(text, argv[2]);
    if (!merged) {
      std::fprintf(stderr, "variant_counts: %s\n", merged.error().message.c_str());
      return 2;
    }
  }
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> df;  // (form, host) → counts
  std::ifstream in(argv[1], std::ios::binary);
  std::string line;
  size_t articles = 0;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    const std::string url = j.at("url").get<std::string>();
    const size_t host_begin = url.find("//") == std::string::npos ? 0 : url.find("//") + 2;
    const std::string host = url.substr(host_begin, url.find('/', host_begin) - host_begin);
    const std::string folded = j.at("folded").get<std::string>();
    const std::vector<newsidx::VariantMatch> matches = table.find_all(folded);
    std::map<std::string, bool> seen;  // form → occurs free
    for (size_t i = 0; i < matches.size(); ++i) {
      const newsidx::VariantMatch& m = matches[i];
      const bool free = occurs_free(table, folded, matches, i);
      bool& f = seen[newsidx::VariantTable::canonical(folded.substr(m.begin, m.end - m.begin))];
      f = f || free;
    }
    for (const auto& [form, free] : seen) {
      auto& [n, n_free] = df[{form, host}];
      ++n;
      n_free += free ? 1 : 0;
    }
    ++articles;
  }
  for (const auto& [key, n] : df) {
    std::cout << key.first << '\t' << key.second << '\t' << n.first << '\t' << n.second << '\n';
  }
  std::fprintf(stderr, "variant_counts: %zu articles, %zu classes\n", articles, table.class_count());
  return 0;
}
