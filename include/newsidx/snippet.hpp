// snippet.hpp — one-line passages around query matches, sized in terminal columns.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "newsidx/query.hpp"
#include "newsidx/text.hpp"

namespace newsidx {

/// A highlighted span: [begin, end) byte offsets into Snippet::text.
struct Highlight {
  uint32_t begin = 0;
  uint32_t end = 0;
};

struct Snippet {
  std::string text;                   ///< one line: paragraph breaks become spaces; "…" marks cuts
  std::vector<Highlight> highlights;  ///< sorted, non-overlapping
};

/// Picks the passage of `text` (tokenized as `tokens`, with source offsets) that holds the most
/// matches within `columns` display columns (CJK counts 2), and marks the matched strings whole.
/// With no matches, returns the start of the text.
Snippet make_snippet(std::string_view text, const TokenStream& tokens, const std::vector<TokenRange>& matches,
                     size_t columns);

}  // namespace newsidx
