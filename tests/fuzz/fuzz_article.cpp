// fuzz_article.cpp — libFuzzer target: bytes of a file → charset decoding → article parser
// (header, front matter, dates, HTML to text) → document builder (folding, segmentation, terms).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "newsidx/article.hpp"
#include "newsidx/index.hpp"
#include "newsidx/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static newsidx::DocumentBuilder builder;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  newsidx::Result<newsidx::DecodedText> text = newsidx::to_utf8(bytes);
  if (!text) return 0;
  newsidx::Result<newsidx::Article> article = newsidx::parse_article(text->text, "fuzz.md");
  if (article) builder.build(*article, {});
  return 0;
}
