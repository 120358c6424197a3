// text.hpp — text normalisation and segmentation, used identically at index and query time.
//
// Pipeline (the order Typesense uses for Chinese): NFKC_Casefold (ICU) → Traditional→Simplified
// per code point (table generated at build time from ICU's "Traditional-Simplified"
// transliterator) → ICU word BreakIterator. Every ideograph or kana becomes its own token, so
// that n-gram terms and substring matching never depend on ICU's dictionary; ICU's dictionary
// words are kept as a side channel (Token::word_len) for ranking terms. The only ICU user is
// src/text.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "newsidx/error.hpp"

namespace newsidx {

/// Version of normalisation + segmentation. Bump it on any change that alters tokens; it is
/// stored in the database (see schema.hpp) and a mismatch asks the user to reindex.
inline constexpr int k_tokenizer_version = 3;

/// "tokenizer=1 icu=72.1 unicode=15.0": everything that decides which terms a text gets.
std::string tokenizer_fingerprint();

enum class TokenKind : uint8_t {
  cjk,     ///< one Han ideograph or kana (after folding)
  word,    ///< letters (and digits), e.g. "trump", "covid19": an ICU word cut at punctuation
  number,  ///< digits only, e.g. "2020" ("3.5" is 3, brk, 5)
};

/// What separates a token from the one before it. Canonical, so that two token sequences are
/// adjacent in the same way exactly when their gaps are equal:
/// - `joined`: nothing (CJK–CJK), or only whitespace between a CJK and a non-CJK token
///   ("G7 峰会" and "G7峰会" are the same);
/// - `space`: whitespace between two non-CJK tokens ("hong kong");
/// - `brk`: punctuation, a symbol, a paragraph break ('\n', U+2028, U+2029), whitespace between
///   two CJK tokens, or the start of the text. A phrase never matches across a `brk` unless the
///   query has a `brk` at the same place.
enum class Gap : uint8_t { joined, space, brk };

/// One token. Offsets are byte offsets: [begin, end) into TokenStream::folded and, when
/// requested, [src_begin, src_end) into the original text that was tokenized.
struct Token {
  uint32_t begin = 0;
  uint32_t end = 0;
  uint32_t src_begin = 0;
  uint32_t src_end = 0;
  TokenKind kind = TokenKind::word;
  Gap gap = Gap::brk;
  /// CJK only, with Segmenter::k_dictionary_words: on the first character of an ICU dictionary
  /// word, its length in characters; 0 elsewhere. Words of length ≥ 2 become ranking terms.
  uint16_t word_len = 0;
};

/// The folded text and its tokens.
struct TokenStream {
  std::string folded;
  std::vector<Token> tokens;

  [[nodiscard]] std::string_view text(const Token& t) const {
    return std::string_view(folded).substr(t.begin, t.end - t.begin);
  }
  void clear() {
    folded.clear();
    tokens.clear();
  }
};

/// The code point at byte `i` (< s.size()) of UTF-8 `s`, or -1 for an ill-formed sequence,
/// which is skipped as ICU's U8_NEXT skips it; `*next` is set to the byte after it. The other
/// modules walk UTF-8 with these, so that ICU stays inside text.cpp.
int32_t code_point_at(std::string_view s, size_t i, size_t* next);
/// The byte offset after the code point at byte `i` (U8_FWD_1), or before it (U8_BACK_1).
size_t next_code_point(std::string_view s, size_t i);
size_t previous_code_point(std::string_view s, size_t i);

/// Folds UTF-8 text: NFKC_Casefold, then Traditional→Simplified (unless `simplify` is false:
/// ranking compares the script a query was typed in with a document's). Idempotent.
/// Invalid UTF-8 sequences become U+FFFD.
std::string fold(std::string_view utf8, bool simplify = true);

/// Tokenizer with its own ICU BreakIterator. Not thread-safe: create one per thread
/// (creation costs ~1 ms; reuse it).
class Segmenter {
 public:
  Segmenter();  ///< throws std::runtime_error if ICU data is missing
  ~Segmenter();
  Segmenter(const Segmenter&) = delete;
  Segmenter& operator=(const Segmenter&) = delete;

  /// Flags for tokenize().
  static constexpr unsigned k_source_offsets = 1;    ///< fill Token::src_begin/src_end (one uint32 per byte)
  static constexpr unsigned k_dictionary_words = 2;  ///< fill Token::word_len (ICU's CJK dictionary: ~3× slower)

  /// Folds `utf8` and splits it into tokens, replacing the contents of `out`. Han ideographs and
  /// kana are one token each; every other run goes through ICU's word BreakIterator. Tokens and
  /// gaps never depend on the flags.
  void tokenize(std::string_view utf8, TokenStream& out, unsigned flags = 0);

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// True if tokens [i, i+n) of `doc` equal the whole of `phrase`: same texts, and the same
/// gaps between consecutive tokens (the gap before the first token is not compared).
bool phrase_at(const TokenStream& doc, size_t i, const TokenStream& phrase);

/// Index of the first token in `doc` at or after `from` where `phrase` occurs, or
/// doc.tokens.size() if none. An empty phrase never occurs.
size_t find_phrase(const TokenStream& doc, const TokenStream& phrase, size_t from = 0);

/// Text decoded to UTF-8, and the charset it was found in.
struct DecodedText {
  std::string text;
  std::string charset;  ///< "UTF-8", or the legacy charset it was converted from ("GB18030", "Big5")
  /// UTF-8 only: bytes of invalid sequences, each maximal subpart of which became one U+FFFD.
  size_t replaced_bytes = 0;
};

/// to_utf8 fails a file that is not GB18030 or Big5 when more than this percentage of its
/// bytes are invalid UTF-8: it is mostly not text.
inline constexpr size_t k_max_invalid_utf8_percent = 10;

/// Returns `bytes` as UTF-8. Valid UTF-8 passes through (a leading BOM is removed). Otherwise
/// ICU's charset detector is asked: when it ranks GB18030 (which covers GBK and GB2312) or Big5
/// above UTF-8, on some evidence (a confidence above 10: more than 10 double-byte characters),
/// the text is converted. Else the bytes are read as UTF-8 with each invalid
/// sequence replaced by one U+FFFD, by the maximal-subpart rule of Unicode §3.9 and the WHATWG
/// Encoding Standard (ICU's U8_NEXT), and replaced_bytes counts the bytes replaced.
/// Errors (ExitCode::some_failed): "binary file", "contains NUL bytes (first at byte N)",
/// "invalid UTF-8: N of M bytes (more than 10 %; first at byte K), and not GB18030 or Big5 text".
Result<DecodedText> to_utf8(std::string_view bytes);

/// True if `bytes` is well-formed UTF-8.
bool is_valid_utf8(std::string_view bytes);

/// How printable() writes a backslash.
enum class Escape : uint8_t {
  text,  ///< as is: text for people, not meant to be parsed back
  tsv,   ///< as \\, so that every escape in a TSV field reads back unambiguously
};

/// `bytes` made safe to write to a terminal, for every printer that writes for a person (text,
/// TSV, `show`, `stats`, facets, diagnostics on stderr): anything that a terminal would act on
/// is replaced by a visible escape, the way `ls -b` and git's quoted paths show odd names.
/// - tab, newline, carriage return: \t \n \r;
/// - the other C0 controls and DEL: \xNN (ESC is \x1b, DEL \x7f);
/// - C1 controls (U+0080..U+009F) and the bidirectional embeddings, overrides and isolates
///   (U+202A..U+202E, U+2066..U+2069; the "Trojan Source" set): \uNNNN (\u009b, \u202e);
/// - each byte of an invalid UTF-8 sequence (a file name that is not UTF-8): \xNN.
/// Everything else (CJK, emoji, combining marks, U+FFFD) passes through unchanged. Cleaning
/// works code point by code point, so cleaning the pieces of a string split at code point
/// boundaries and joining them gives the cleaning of the whole (the text printer highlights
/// this way). JSON output is exact instead, and `--format paths` writes the raw bytes.
std::string printable(std::string_view bytes, Escape mode = Escape::text);

/// Display width of UTF-8 text in terminal columns: East Asian Wide and Fullwidth characters
/// count 2, combining marks and zero-width characters 0, others 1.
size_t display_width(std::string_view utf8);

}  // namespace newsidx
