// fuzz_query.cpp — libFuzzer target: query string → lexer, parser, folding, candidate query,
// explain, and highlights against a fixed text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "newsidx/query.hpp"
#include "newsidx/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static newsidx::Segmenter segmenter;
  static newsidx::TokenStream body = [] {
    newsidx::TokenStream ts;
    segmenter.tokenize("特朗普说，Hong Kong 2020年新冠疫情。習近平 covid-19 elections", ts, newsidx::Segmenter::k_source_offsets);
    return ts;
  }();
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  newsidx::Result<newsidx::CompiledQuery> q = newsidx::compile_query(query);
  if (!q) return 0;
  (void)q->xapian_query().get_description();
  (void)q->explain();
  (void)q->highlights(body);
  return 0;
}
