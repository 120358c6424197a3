// snippet.cpp — passage selection and highlighting for search results.
#include "newsidx/snippet.hpp"

#include <unicode/utf8.h>

#include <algorithm>

namespace newsidx {
namespace {

/// Byte offset reached from `from` moving forward until `columns` are used (or text ends).
size_t advance_columns(std::string_view text, size_t from, size_t columns) {
  size_t used = 0;
  size_t i = from;
  while (i < text.size()) {
    size_t j = i;
    U8_FWD_1(reinterpret_cast<const uint8_t*>(text.data()), j, text.size());
    const size_t w = display_width(text.substr(i, j - i));
    if (used + w > columns) break;
    used += w;
    i = j;
  }
  return i;
}

/// Byte offset reached from `from` moving backward until `columns` are used; stops at a '\n'.
size_t retreat_columns(std::string_view text, size_t from, size_t columns) {
  size_t used = 0;
  size_t i = from;
  while (i > 0) {
    size_t j = i;
    U8_BACK_1(reinterpret_cast<const uint8_t*>(text.data()), 0, j);
    if (text[j] == '\n') break;
    const size_t w = display_width(text.substr(j, i - j));
    if (used + w > columns) break;
    used += w;
    i = j;
  }
  return i;
}

}  // namespace

Snippet make_snippet(std::string_view text, const TokenStream& tokens, const std::vector<TokenRange>& matches,
                     size_t columns) {
  constexpr std::string_view k_ellipsis = "…";
  if (columns < 8) columns = 8;
  // Source byte ranges of the matches, merged where they overlap.
  std::vector<std::pair<size_t, size_t>> spans;
  for (const TokenRange& m : matches) {
    if (m.first >= m.last || m.last > tokens.tokens.size()) continue;
    const size_t b = tokens.tokens[m.first].src_begin;
    const size_t e = tokens.tokens[m.last - 1].src_end;
    if (!spans.empty() && b <= spans.back().second) {
      spans.back().second = std::max(spans.back().second, e);
    } else {
      spans.emplace_back(b, e);
    }
  }
  const size_t budget = columns - 2;  // room for the ellipses
  size_t start = 0;
  if (!spans.empty()) {
    // The window starting at the match that covers the most matches wins; earliest on ties.
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < spans.size(); ++i) {
      const size_t limit = advance_columns(text, spans[i].first, budget);
      size_t count = 0;
      for (size_t k = i; k < spans.size() && spans[k].second <= limit; ++k) ++count;
      if (count > best_count) best = i, best_count = count;
    }
    // Give the first match some leading context (a quarter of the width) within its paragraph.
    start = retreat_columns(text, spans[best].first, budget / 4);
  }
  const size_t end = advance_columns(text, start, budget);

  Snippet s;
  if (start > 0) s.text += k_ellipsis;
  const size_t base = s.text.size();
  for (size_t i = start; i < end; ++i) s.text += (text[i] == '\n' || text[i] == '\r' || text[i] == '\t') ? ' ' : text[i];
  if (end < text.size()) s.text += k_ellipsis;
  for (const auto& [b, e] : spans) {
    if (e <= start || b >= end) continue;
    s.highlights.push_back({static_cast<uint32_t>(base + std::max(b, start) - start),
                            static_cast<uint32_t>(base + std::min(e, end) - start)});
  }
  return s;
}

}  // namespace newsidx
