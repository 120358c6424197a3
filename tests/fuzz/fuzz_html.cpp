// fuzz_html.cpp — libFuzzer target: bytes of an article body → HTML to text (gumbo, block
// structure, author, entities) and entity decoding of a plain string (titles).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "newsidx/html_text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)newsidx::html_to_text(bytes);
  (void)newsidx::decode_entities(bytes);
  return 0;
}
