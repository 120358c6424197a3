// snippet.cpp — passage selection and highlighting for search results.
#include "newsidx/snippet.hpp"

#include <algorithm>

namespace newsidx {
namespace {

/// Byte offset reached from `from` moving forward until `columns` are used (or text ends).
size_t advance_columns(std::string_view text, size_t from, size_t columns) {
  size_t used = 0;
  size_t i = from;
  while (i < text.size()) {
    const size_t j = next_code_point(text, i);
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
    const size_t j = previous_code_point(text, i);
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
  // Source byte ranges of the matches (with the query term each matched), merged where they
  // overlap for highlighting.
  struct Span {
    size_t begin, end, term;
  };
  std::vector<Span> found;
  for (const TokenRange& m : matches) {
    if (m.first >= m.last || m.last > tokens.tokens.size()) continue;
    found.push_back({tokens.tokens[m.first].src_begin, tokens.tokens[m.last - 1].src_end, m.term});
  }
  std::sort(found.begin(), found.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<std::pair<size_t, size_t>> spans;
  for (const Span& f : found) {
    if (!spans.empty() && f.begin <= spans.back().second) {
      spans.back().second = std::max(spans.back().second, f.end);
    } else {
      spans.emplace_back(f.begin, f.end);
    }
  }
  const size_t budget = columns - 2;  // room for the ellipses
  size_t start = 0;
  if (!found.empty()) {
    // Best passage: the window starting at a match that shows the most distinct query terms,
    // then the most matches; the earliest wins ties.
    size_t best = 0, best_terms = 0, best_count = 0;
    size_t max_term = 0;
    for (const Span& f : found) max_term = std::max(max_term, f.term);
    std::vector<size_t> counted_in(max_term + 1, SIZE_MAX);  // per term: the last window that counted it
    for (size_t i = 0; i < found.size(); ++i) {
      const size_t limit = advance_columns(text, found[i].begin, budget);
      size_t terms = 0, count = 0;
      for (size_t k = i; k < found.size() && found[k].end <= limit; ++k, ++count) {
        if (counted_in[found[k].term] != i) counted_in[found[k].term] = i, ++terms;
      }
      if (terms > best_terms || (terms == best_terms && count > best_count))
        best = i, best_terms = terms, best_count = count;
    }
    // Give the first match some leading context (a quarter of the width) within its paragraph.
    start = retreat_columns(text, found[best].begin, budget / 4);
  }
  const size_t end = advance_columns(text, start, budget);

  Snippet s;
  if (start > 0) s.text += k_ellipsis;
  const size_t base = s.text.size();
  for (size_t i = start; i < end; ++i)
    s.text += (text[i] == '\n' || text[i] == '\r' || text[i] == '\t') ? ' ' : text[i];
  if (end < text.size()) s.text += k_ellipsis;
  for (const auto& [b, e] : spans) {
    if (e <= start || b >= end) continue;
    s.highlights.push_back({static_cast<uint32_t>(base + std::max(b, start) - start),
                            static_cast<uint32_t>(base + std::min(e, end) - start)});
  }
  return s;
}

}  // namespace newsidx
