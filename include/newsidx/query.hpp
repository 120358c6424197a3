// query.hpp — user query string → Xapian candidate query + exact verifier.
//
// Syntax: words are AND-ed; "quoted phrases" (also “…”); OR, AND, NOT (upper case only);
// -word; parentheses; fields title:, author:, source: (host or parent domain), date:
// (2024, 2020-07, 2020-07-01, ranges a..b, a.., ..b; UTC); Latin prefix wildcards (trump*).
//
// Literals: an unquoted whitespace-separated chunk is split where punctuation touches CJK text,
// and each piece is a literal; a quoted phrase is one literal. A literal matches a document
// exactly when its token sequence (folded and segmented as in text.hpp) occurs there with the
// same gaps — grep on folded text, never across a sentence end or paragraph break. A single
// unquoted Latin word also matches its inflections (English stem).
//
// Evaluation is filter-and-verify: the Xapian query uses positionless n-gram and word terms
// (schema.hpp) and matches a superset; when any literal needs it, a Xapian::MatchDecider
// evaluates the whole boolean query exactly on each candidate's stored text (a run of CJK
// characters as a substring of the folded text, any other literal on its re-tokenized text).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/dates.hpp"
#include "newsidx/document.hpp"
#include "newsidx/error.hpp"
#include "newsidx/text.hpp"
#include "newsidx/variants.hpp"

namespace newsidx {

/// A token range [first, last) in a TokenStream that a query literal matched.
struct TokenRange {
  size_t first = 0;
  size_t last = 0;
  size_t term = 0;  ///< which positive query term matched (0-based), to count distinct terms
};

/// What command-line flags add to the query string: restrictions, and the regional vocabulary
/// its literals are expanded with.
struct QueryFilters {
  std::optional<int64_t> since_ms;   ///< published at or after (epoch ms UTC)
  std::optional<int64_t> until_ms;   ///< published before (epoch ms UTC, exclusive)
  std::vector<std::string> sources;  ///< any of these hosts (or parent domains)
  /// First indexed at or after (epoch ms UTC; k_slot_first_indexed): an article whose time is
  /// unknown never matches.
  std::optional<int64_t> added_since_ms;
  /// Query expansion (see compile_query): in an unquoted literal, a form of one of these classes
  /// also matches the other forms of its class. nullptr: every literal matches only what was
  /// typed (the command line's --verbatim).
  std::shared_ptr<const VariantTable> variants;
  /// True if the filters restrict the matches (dates, sources, first-indexed time): then an
  /// empty query matches every article they let through.
  [[nodiscard]] bool restricts() const { return since_ms || until_ms || !sources.empty() || added_since_ms; }
};

/// Limits of one query, which bound the work of every step after parsing: the parser and the
/// verifier recurse once per level of nesting, and the candidate query, the verifier and the
/// highlights grow with the number of terms. compile_query refuses a query past them with
/// ExitCode::usage and a message naming the limit and the token where it was passed.
///
/// Nesting: each '(', NOT or '-' enclosing a term is one level. Elasticsearch refuses bool
/// queries nested deeper than 20 (indices.query.bool.max_nested_depth) for the same reason (the
/// stack); 100 leaves room for any query a person or a script writes.
inline constexpr size_t k_max_query_depth = 100;
/// Terms: each literal (an unquoted chunk splits into several where punctuation touches CJK
/// text), wildcard, date: and source: counts, repeated ones too. Lucene and Elasticsearch (7.x)
/// cap a boolean query at 1,024 clauses; a literal here may also be verified on each candidate.
inline constexpr size_t k_max_query_terms = 256;
/// Words that the wildcards of one query may match, shared equally: with N wildcards, each may
/// match k_max_wildcard_expansion / N words (Xapian's OP_WILDCARD with WILDCARD_LIMIT_ERROR; a
/// search past it fails with wildcard_error). Xapian's QueryParser sets no limit on wildcards
/// (and expands a partial term to its 100 most frequent words, which would lose matches); each
/// word is a posting list to merge. `a*` matches 3,851 words of the 24,000-article corpus.
inline constexpr size_t k_max_wildcard_expansion = 4096;

/// Alternatives of one unquoted chunk of the query that query expansion may add, the typed one
/// included: with several variant forms in one chunk, the first ones are expanded while the
/// product of their class sizes stays within it.
inline constexpr size_t k_max_variant_alternatives = 16;
/// Literals that query expansion may add to one query (beyond k_max_query_terms typed ones);
/// past it, the remaining chunks match only what was typed.
inline constexpr size_t k_max_variant_literals = 256;

/// Weight of the typed-form bonus (see CompiledQuery::typed_form_bonus); chosen so that a
/// same-script copy outranks a translated near-duplicate.
inline constexpr double k_typed_form_bonus = 0.25;
/// Literals of a query that typed_form_bonus looks for.
inline constexpr size_t k_typed_form_literals = 16;

class CompiledQuery {
 public:
  CompiledQuery();
  ~CompiledQuery();
  CompiledQuery(CompiledQuery&&) noexcept;
  CompiledQuery& operator=(CompiledQuery&&) noexcept;

  /// The candidate query: matches every true match (and, when verifier() is set, maybe more).
  [[nodiscard]] const Xapian::Query& xapian_query() const;
  /// Exact check of a candidate document, or nullptr when xapian_query() is already exact.
  /// Not thread-safe (owns a Segmenter).
  [[nodiscard]] Xapian::MatchDecider* verifier() const;
  /// Ranges of `body` (tokens of a document's text) that positive literals of the query match;
  /// sorted, possibly overlapping. Used for snippets.
  [[nodiscard]] std::vector<TokenRange> highlights(const TokenStream& body) const;
  /// Ranking factor in [1, 1 + k_typed_form_bonus]: the share of the query's literals (the first
  /// k_typed_form_literals outside NOT) that occur in `a` in the form they were typed (case and
  /// width folded, but not Traditional→Simplified). A query typed in Traditional Chinese thus
  /// prefers Traditional articles among otherwise similar matches, and a Simplified one
  /// Simplified articles; the variants that query expansion adds are not typed forms, so an
  /// article in the typed vocabulary (特朗普) ranks before one in the other (川普).
  [[nodiscard]] double typed_form_bonus(const StoredArticle& a) const;
  /// True if the verifier excludes documents that the candidate query cannot rule out (a NOT
  /// of an inexact literal): such a query rejects many candidates, so they are fetched in
  /// larger batches.
  [[nodiscard]] bool verifies_exclusions() const;
  /// Human-readable account of normalisation, segmentation and the Xapian query (--explain).
  [[nodiscard]] std::string explain() const;

  struct Impl;

 private:
  friend Result<CompiledQuery> compile_query(std::string_view, const QueryFilters&);
  std::unique_ptr<Impl> m_impl;
};

/// Parses and compiles a query.
///
/// Query expansion (when filters.variants is set): each unquoted chunk (a whitespace-separated
/// piece of the query outside quotes, field date: and source: and wildcards aside) is folded
/// and searched for forms of the table (VariantTable::find_all; leftmost-longest, non-
/// overlapping; a form that starts or ends inside a Latin word is ignored). The chunk then
/// matches any of its alternatives: the text as typed, and the text with each form found
/// replaced by each other form of its class (at most k_max_variant_alternatives). The
/// alternatives are one OP_SYNONYM in the candidate query (ranked as one term) and each is
/// verified like any literal, so `特朗普政府` matches exactly the articles that hold 特朗普政府,
/// 川普政府, … A quoted chunk is never expanded.
///
/// Errors: ExitCode::usage with a message saying what is wrong,
/// naming the token it stopped at (quoted, invisible characters as <U+200B>) and its byte
/// offset (1-based): "unbalanced '(' at byte 3", "unexpected '-' at byte 2", "unterminated
/// quote ...", "bad date ...", "query nests deeper than 100 levels (the limit): '(' at byte
/// 101", "query has more than 256 terms (the limit): ..."; or "empty query".
Result<CompiledQuery> compile_query(std::string_view query, const QueryFilters& filters = {});

/// The usage error (ExitCode::usage) for a search whose wildcard matched more than its share of
/// k_max_wildcard_expansion words: "wildcard 'a*' matches more than 2048 words (the limit: ...)".
Error wildcard_error(const Xapian::WildcardError& e);

}  // namespace newsidx
