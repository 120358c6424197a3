// fuzz_query.cpp — libFuzzer target: query string → lexer, parser, folding, candidate query,
// explain, the verifier on a document, and highlights against a fixed text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <xapian.h>

#include "newsidx/index.hpp"
#include "newsidx/query.hpp"
#include "newsidx/text.hpp"

namespace {

constexpr std::string_view k_text =
    "特朗普说，Hong Kong 2020年新冠疫情。習近平 covid-19 elections\n第二段 The U.S. trump's";

/// A stored document (as the index writes it) holding the fixed text, and the query itself as a
/// second paragraph when it is UTF-8, so that the verifier confirms some literals and rejects others.
Xapian::Document document(std::string_view query) {
  newsidx::StoredArticle a;
  a.path = "fuzz.md";
  a.url = "https://example.com/fuzz";
  a.title = "習近平會見普京 Title";
  a.published_ms = 1593561600000;
  a.source = "example.com";
  a.author = "Pierson";
  a.text = k_text;
  newsidx::Result<newsidx::DecodedText> utf8 = newsidx::to_utf8(query);
  if (utf8 && utf8->charset == "UTF-8") a.text += "\n" + utf8->text;
  Xapian::Document doc;
  doc.set_data(newsidx::to_document_data(a));
  return doc;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static newsidx::Segmenter segmenter;
  static newsidx::TokenStream body = [] {
    newsidx::TokenStream ts;
    segmenter.tokenize(k_text, ts, newsidx::Segmenter::k_source_offsets);
    return ts;
  }();
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  newsidx::Result<newsidx::CompiledQuery> q = newsidx::compile_query(query);
  if (!q) return 0;
  (void)q->xapian_query().get_description();
  (void)q->explain();
  (void)q->highlights(body);
  if (Xapian::MatchDecider* verifier = q->verifier()) (void)(*verifier)(document(query));
  return 0;
}
