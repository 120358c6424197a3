// text.cpp — folding (NFKC_Casefold + Traditional→Simplified) and ICU word segmentation.
#include "newsidx/text.hpp"

#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ucsdet.h>
#include <unicode/unistr.h>
#include <unicode/uscript.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace newsidx {
namespace {

struct T2SEntry {
  uint32_t cp;
  const char* utf8;
};

constexpr T2SEntry k_t2s_table[] = {
#include "t2s_table.inc"
};

/// Dense index over the BMP: entry index + 1, or 0 when the code point is not Traditional.
/// 128 KiB, built once on first use.
const std::vector<uint16_t>& t2s_bmp_index() {
  static const std::vector<uint16_t> index = [] {
    std::vector<uint16_t> v(0x10000, 0);
    for (size_t i = 0; i < std::size(k_t2s_table); ++i) {
      if (k_t2s_table[i].cp < 0x10000) v[k_t2s_table[i].cp] = static_cast<uint16_t>(i + 1);
    }
    return v;
  }();
  return index;
}

/// Simplified form of one code point, or nullptr if it has none.
const char* t2s_lookup(UChar32 c) {
  if (c < 0x10000) {
    uint16_t i = t2s_bmp_index()[static_cast<size_t>(c)];
    return i ? k_t2s_table[i - 1].utf8 : nullptr;
  }
  auto it = std::lower_bound(std::begin(k_t2s_table), std::end(k_t2s_table), static_cast<uint32_t>(c),
                             [](const T2SEntry& e, uint32_t v) { return e.cp < v; });
  return (it != std::end(k_t2s_table) && it->cp == static_cast<uint32_t>(c)) ? it->utf8 : nullptr;
}

const icu::Normalizer2& nfkc_casefold() {
  static const icu::Normalizer2* n = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* p = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || p == nullptr) throw std::runtime_error("ICU NFKC_Casefold data missing");
    return p;
  }();
  return *n;
}

void append_utf8(std::string& out, UChar32 c) {
  char buf[U8_MAX_LENGTH];
  int32_t len = 0;
  U8_APPEND_UNSAFE(buf, len, c);
  out.append(buf, static_cast<size_t>(len));
}

/// Appends the Simplified form of already-normalised code point c.
void append_simplified(std::string& out, UChar32 c) {
  if (const char* s = t2s_lookup(c)) {
    out += s;
  } else {
    append_utf8(out, c);
  }
}

// CJK Unified Ideographs (U+4E00..U+9FFF) have no decomposition and no case: NFKC_Casefold
// leaves them alone, which lets the hot path skip ICU.
bool is_unified_ideograph(UChar32 c) { return c >= 0x4E00 && c <= 0x9FFF; }

// Every code point below U+0300 starts a normalisation segment (combining marks begin there),
// and so does every unified ideograph (no decomposition, combining class 0, never the second
// half of a composition). Both tests skip ICU on the hot path.
bool has_boundary_before(const icu::Normalizer2& n, UChar32 c) {
  return c < 0x300 || is_unified_ideograph(c) || n.hasBoundaryBefore(c);
}

/// Folds `src` into `out`. If `map` is non-null, map->at(k) is the source byte offset of the
/// normalisation segment that produced folded byte k, with one final entry for the end.
void fold_into(std::string_view src, std::string& out, std::vector<uint32_t>* map, bool simplify = true) {
  const icu::Normalizer2& n = nfkc_casefold();
  out.clear();
  out.reserve(src.size());
  if (map) {
    map->clear();
    map->reserve(src.size() + 1);
  }
  const auto* s = reinterpret_cast<const uint8_t*>(src.data());
  const auto len = static_cast<int32_t>(src.size());
  int32_t i = 0;
  while (i < len) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) c = 0xFFFD;
    // Extend to the end of the normalisation segment (combining marks that follow).
    int32_t seg_end = i;
    bool multi = false;
    while (seg_end < len) {
      int32_t j = seg_end;
      UChar32 c2;
      U8_NEXT(s, j, len, c2);
      if (c2 < 0 || has_boundary_before(n, c2)) break;
      seg_end = j;
      multi = true;
    }
    const size_t before = out.size();
    if (!multi && c < 0x80) {
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    } else if (!multi && is_unified_ideograph(c)) {
      const char* simplified = simplify ? t2s_lookup(c) : nullptr;
      if (simplified)
        out += simplified;
      else
        out.append(src.data() + start, static_cast<size_t>(i - start));  // already UTF-8
    } else if (!multi && n.isInert(c)) {
      if (simplify)
        append_simplified(out, c);
      else
        append_utf8(out, c);
    } else {
      UErrorCode status = U_ZERO_ERROR;
      icu::UnicodeString seg = icu::UnicodeString::fromUTF8(icu::StringPiece(src.data() + start, seg_end - start));
      icu::UnicodeString normalized = n.normalize(seg, status);
      if (U_FAILURE(status)) normalized = seg;
      for (int32_t k = 0; k < normalized.length();) {
        UChar32 d = normalized.char32At(k);
        if (simplify)
          append_simplified(out, d);
        else
          append_utf8(out, d);
        k += U16_LENGTH(d);
      }
    }
    if (map) map->insert(map->end(), out.size() - before, static_cast<uint32_t>(start));
    i = seg_end;
  }
  if (map) map->push_back(static_cast<uint32_t>(src.size()));
}

bool is_paragraph_break(UChar32 c) { return c == '\n' || c == 0x2028 || c == 0x2029; }

/// Gap implied by a run of non-word text (ICU UBRK_WORD_NONE) between two tokens.
Gap gap_of_separator(std::string_view sep) {
  const auto* s = reinterpret_cast<const uint8_t*>(sep.data());
  const auto len = static_cast<int32_t>(sep.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0 || is_paragraph_break(c) || !u_isUWhiteSpace(c)) return Gap::brk;
  }
  return Gap::space;
}

/// Canonical gap between a token of kind `prev` and one of kind `cur` (see Gap).
Gap canonical_gap(Gap raw, TokenKind prev, TokenKind cur) {
  if (raw != Gap::space) return raw;
  const bool prev_cjk = prev == TokenKind::cjk;
  const bool cur_cjk = cur == TokenKind::cjk;
  if (prev_cjk && cur_cjk) return Gap::brk;
  if (prev_cjk || cur_cjk) return Gap::joined;
  return Gap::space;
}

}  // namespace

std::string tokenizer_fingerprint() {
  return std::string("tokenizer=") + std::to_string(k_tokenizer_version) + " icu=" + U_ICU_VERSION +
         " unicode=" + U_UNICODE_VERSION;
}

int32_t code_point_at(std::string_view s, size_t i, size_t* next) {
  auto k = static_cast<int32_t>(i);
  UChar32 c = 0;
  U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), k, static_cast<int32_t>(s.size()), c);
  *next = static_cast<size_t>(k);
  return c;
}

size_t next_code_point(std::string_view s, size_t i) {
  U8_FWD_1(reinterpret_cast<const uint8_t*>(s.data()), i, s.size());
  return i;
}

size_t previous_code_point(std::string_view s, size_t i) {
  U8_BACK_1(reinterpret_cast<const uint8_t*>(s.data()), 0, i);
  return i;
}

std::string fold(std::string_view utf8, bool simplify) {
  std::string out;
  fold_into(utf8, out, nullptr, simplify);
  return out;
}

struct Segmenter::Impl {
  std::unique_ptr<icu::BreakIterator> words;
  UText* utext = nullptr;
  std::vector<uint32_t> map;

  Impl() {
    UErrorCode status = U_ZERO_ERROR;
    // The root locale's word rules include the CJK dictionary; no locale-specific tailoring.
    words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !words) throw std::runtime_error("ICU word BreakIterator unavailable");
  }
  ~Impl() {
    if (utext) utext_close(utext);
  }
};

Segmenter::Segmenter() : m_impl(std::make_unique<Impl>()) {}
Segmenter::~Segmenter() = default;

namespace {

/// Characters that are tokens on their own: Han ideographs and kana. Deciding this here, not by
/// ICU's rule status, makes the tokens independent of ICU's dictionary: only word lengths are.
bool is_cjk(UChar32 c) {
  if (c >= 0x4E00 && c <= 0x9FFF) return true;
  if (c < 0x2E80) return false;
  if (u_hasBinaryProperty(c, UCHAR_IDEOGRAPHIC)) return true;
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(c, &status);
  return script == USCRIPT_HIRAGANA || script == USCRIPT_KATAKANA || c == 0x30FC;  // ー: kana length mark
}

/// Letters, digits and combining marks: what a word or number token is made of.
bool is_word_char(UChar32 c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  if (u_isalnum(c)) return true;
  const int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

bool has_alnum(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto len = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c >= 0 && (u_isalnum(c) || u_hasBinaryProperty(c, UCHAR_ALPHABETIC))) return true;
  }
  return false;
}

}  // namespace

void Segmenter::tokenize(std::string_view utf8, TokenStream& out, unsigned flags) {
  const bool with_source_offsets = (flags & k_source_offsets) != 0;
  const bool dictionary_words = (flags & k_dictionary_words) != 0;
  out.tokens.clear();
  fold_into(utf8, out.folded, with_source_offsets ? &m_impl->map : nullptr);
  const std::string& f = out.folded;
  const auto* s = reinterpret_cast<const uint8_t*>(f.data());
  const auto len = static_cast<int32_t>(f.size());

  Gap pending = Gap::brk;
  TokenKind prev_kind = TokenKind::word;
  auto emit = [&](int32_t b, int32_t e, TokenKind kind, uint16_t word_len) {
    Token t;
    t.begin = static_cast<uint32_t>(b);
    t.end = static_cast<uint32_t>(e);
    t.kind = kind;
    t.gap = out.tokens.empty() ? Gap::brk : canonical_gap(pending, prev_kind, kind);
    t.word_len = word_len;
    if (with_source_offsets) {
      t.src_begin = m_impl->map[t.begin];
      t.src_end = m_impl->map[t.end];
    }
    out.tokens.push_back(t);
    pending = Gap::joined;
    prev_kind = kind;
  };
  // Runs ICU's word BreakIterator over f[b, e) and calls visit(start, end, rule status).
  auto icu_segments = [&](int32_t b, int32_t e, auto&& visit) {
    UErrorCode status = U_ZERO_ERROR;
    m_impl->utext = utext_openUTF8(m_impl->utext, f.data() + b, e - b, &status);
    icu::BreakIterator& bi = *m_impl->words;
    bi.setText(m_impl->utext, status);
    if (U_FAILURE(status)) throw std::runtime_error("ICU BreakIterator::setText failed");
    int32_t start = bi.first();
    for (int32_t end = bi.next(); end != icu::BreakIterator::DONE; start = end, end = bi.next()) {
      visit(b + start, b + end, bi.getRuleStatus());
    }
  };

  // The folded text alternates CJK runs (each character a token) and other runs (ICU words and
  // numbers, and the separators that decide the gaps).
  for (int32_t i = 0; i < len;) {
    const int32_t run_start = i;
    UChar32 c;
    U8_NEXT(s, i, len, c);
    const bool cjk = c >= 0 && is_cjk(c);
    int32_t run_end = i;
    while (run_end < len) {
      int32_t j = run_end;
      UChar32 d;
      U8_NEXT(s, j, len, d);
      if ((d >= 0 && is_cjk(d)) != cjk) break;
      run_end = j;
    }
    i = run_end;
    if (cjk) {
      const size_t first = out.tokens.size();
      for (int32_t k = run_start; k < run_end;) {
        const int32_t b = k;
        U8_FWD_1(s, k, run_end);
        emit(b, k, TokenKind::cjk, 0);
      }
      if (dictionary_words) {
        // ICU's dictionary words inside the run: their lengths, on their first characters.
        size_t t = first;
        icu_segments(run_start, run_end, [&](int32_t b, int32_t e, int32_t) {
          uint16_t n = 0;
          for (int32_t k = b; k < e; ++n) U8_FWD_1(s, k, e);
          if (t < out.tokens.size()) out.tokens[t].word_len = n;
          t += n;
        });
      }
      continue;
    }
    const std::string_view run = std::string_view(f).substr(run_start, run_end - run_start);
    if (!has_alnum(run)) {
      const Gap g = gap_of_separator(run);
      if (g > pending) pending = g;
      continue;
    }
    icu_segments(run_start, run_end, [&](int32_t b, int32_t e, int32_t rule) {
      if (rule < UBRK_WORD_NUMBER) {
        const Gap g = gap_of_separator(std::string_view(f).substr(b, e - b));
        if (g > pending) pending = g;
        return;
      }
      // ICU keeps punctuation inside words and numbers ("u.s", "19.5", "don't", "@terry",
      // "matters.news"); a token is only ever letters, digits and marks, so that "terry",
      // "19" and "news" are found there too. The punctuation becomes a `brk` gap, which a
      // query that types it ("u.s.", "19.5") requires in turn.
      for (int32_t k = b; k < e;) {
        const int32_t piece = k;
        bool digits_only = true;
        while (k < e) {
          int32_t next = k;
          UChar32 d;
          U8_NEXT(s, next, e, d);
          if (d < 0 || !is_word_char(d)) break;
          digits_only = digits_only && u_isdigit(d);
          k = next;
        }
        if (k > piece) emit(piece, k, digits_only ? TokenKind::number : TokenKind::word, 0);
        const int32_t sep = k;
        while (k < e) {
          int32_t next = k;
          UChar32 d;
          U8_NEXT(s, next, e, d);
          if (d >= 0 && is_word_char(d)) break;
          k = next;
        }
        if (k > sep) pending = Gap::brk;
      }
    });
  }
}

bool phrase_at(const TokenStream& doc, size_t i, const TokenStream& phrase) {
  const size_t n = phrase.tokens.size();
  if (n == 0 || i + n > doc.tokens.size()) return false;
  for (size_t k = 0; k < n; ++k) {
    const Token& d = doc.tokens[i + k];
    const Token& p = phrase.tokens[k];
    if (k > 0 && d.gap != p.gap) return false;
    if (doc.text(d) != phrase.text(p)) return false;
  }
  return true;
}

size_t find_phrase(const TokenStream& doc, const TokenStream& phrase, size_t from) {
  if (phrase.tokens.empty()) return doc.tokens.size();
  const std::string_view first = phrase.text(phrase.tokens[0]);
  for (size_t i = from; i < doc.tokens.size(); ++i) {
    if (doc.text(doc.tokens[i]) == first && phrase_at(doc, i, phrase)) return i;
  }
  return doc.tokens.size();
}

namespace {

/// The invalid sequences of a UTF-8 string (maximal subparts, as ICU's U8_NEXT reads them).
struct Utf8Errors {
  size_t first = std::string_view::npos;  ///< byte offset of the first, or npos
  size_t bytes = 0;                       ///< bytes in all of them
};

/// Calls on_valid(begin, end) for each valid sequence and on_invalid(begin, end) for each
/// maximal subpart of an invalid one (byte offsets into s).
template <class Valid, class Invalid>
void for_each_utf8(std::string_view s, Valid&& on_valid, Invalid&& on_invalid) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto len = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < len;) {
    const int32_t at = i;
    if (p[i] < 0x80) {
      ++i;
      on_valid(at, i, static_cast<UChar32>(p[at]));
      continue;
    }
    UChar32 c;
    U8_NEXT(p, i, len, c);
    if (c < 0) {
      on_invalid(at, i);
    } else {
      on_valid(at, i, c);
    }
  }
}

Utf8Errors utf8_errors(std::string_view s) {
  Utf8Errors e;
  for_each_utf8(
      s, [](int32_t, int32_t, UChar32) {},
      [&](int32_t begin, int32_t end) {
        if (e.first == std::string_view::npos) e.first = static_cast<size_t>(begin);
        e.bytes += static_cast<size_t>(end - begin);
      });
  return e;
}

/// `s` with each maximal subpart of an invalid sequence replaced by U+FFFD.
std::string replace_invalid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_utf8(
      s, [&](int32_t begin, int32_t end, UChar32) { out.append(s.data() + begin, static_cast<size_t>(end - begin)); },
      [&](int32_t, int32_t) { out += "\xEF\xBF\xBD"; });
  return out;
}

/// ICU's multi-byte recognizers give this confidence to text with at most 10 double-byte
/// characters and none invalid: no evidence either way (ASCII with a few stray bytes).
constexpr int32_t k_no_evidence = 10;

/// The legacy charset ICU's detector ranks above UTF-8 on some evidence, or "" (GB18030 covers
/// GBK and GB2312).
std::string detect_legacy_charset(std::string_view bytes) {
  UErrorCode status = U_ZERO_ERROR;
  UCharsetDetector* detector = ucsdet_open(&status);
  std::string charset;
  if (U_SUCCESS(status)) {
    ucsdet_setText(detector, bytes.data(), static_cast<int32_t>(bytes.size()), &status);
    int32_t n = 0;
    const UCharsetMatch** matches = ucsdet_detectAll(detector, &n, &status);  // best first
    for (int32_t i = 0; U_SUCCESS(status) && i < n; ++i) {
      const std::string name = ucsdet_getName(matches[i], &status);
      if (name == "UTF-8") break;  // a few bad bytes in UTF-8 text: not a legacy charset
      if (ucsdet_getConfidence(matches[i], &status) <= k_no_evidence) break;
      if (name == "GB18030" || name == "Big5") {
        charset = name;
        break;
      }
    }
  }
  ucsdet_close(detector);
  return charset;
}

/// Text files have few control bytes; a file where over 10% of the first 4 KiB are control
/// bytes (other than tab, newline, carriage return, form feed, escape) is binary.
bool looks_binary(std::string_view s) {
  const size_t n = std::min<size_t>(s.size(), 4096);
  size_t control = 0;
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ++control;
  }
  return control * 10 > n;
}

}  // namespace

Result<DecodedText> to_utf8(std::string_view bytes) {
  if (looks_binary(bytes)) return Error{ExitCode::some_failed, "binary file", ""};
  if (const size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    return Error{ExitCode::some_failed, fmt::format("contains NUL bytes (first at byte {})", nul), ""};
  }
  constexpr std::string_view k_bom = "\xEF\xBB\xBF";
  if (bytes.starts_with(k_bom)) bytes.remove_prefix(k_bom.size());
  const Utf8Errors bad = utf8_errors(bytes);
  if (bad.bytes == 0) return DecodedText{std::string(bytes), "UTF-8"};

  if (const std::string charset = detect_legacy_charset(bytes); !charset.empty()) {
    const icu::UnicodeString u(bytes.data(), static_cast<int32_t>(bytes.size()), charset.c_str());
    // Conversion substitutes U+FFFD (or SUB) for bytes it cannot map; more than a few means the
    // guess was wrong.
    int32_t replaced = 0;
    for (int32_t i = 0; i < u.length(); ++i) replaced += (u.charAt(i) == 0xFFFD || u.charAt(i) == 0x1A);
    if (!u.isBogus() && replaced * 100 <= u.length()) {
      DecodedText out;
      u.toUTF8String(out.text);
      out.charset = charset;
      return out;
    }
  }
  if (bad.bytes * 100 > bytes.size() * k_max_invalid_utf8_percent) {
    return Error{
        ExitCode::some_failed,
        fmt::format("invalid UTF-8: {} of {} bytes (more than {} %; first at byte {}), and not GB18030 or Big5 text",
                    bad.bytes, bytes.size(), k_max_invalid_utf8_percent, bad.first),
        ""};
  }
  return DecodedText{replace_invalid_utf8(bytes), "UTF-8", bad.bytes};
}

bool is_valid_utf8(std::string_view bytes) { return utf8_errors(bytes).bytes == 0; }

std::string printable(std::string_view bytes, Escape mode) {
  const auto plain = [&](unsigned char c) { return c >= 0x20 && c < 0x7F && !(c == '\\' && mode == Escape::tsv); };
  if (std::all_of(bytes.begin(), bytes.end(), [&](char c) { return plain(static_cast<unsigned char>(c)); })) {
    return std::string(bytes);  // the common case: printable ASCII
  }
  std::string out;
  out.reserve(bytes.size() + 8);
  const auto hex_bytes = [&](int32_t begin, int32_t end) {
    for (int32_t k = begin; k < end; ++k) out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[k]));
  };
  for_each_utf8(
      bytes,
      [&](int32_t begin, int32_t end, UChar32 c) {
        if (const char* named = c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr) {
          out += named;
        } else if (c < 0x20 || c == 0x7F) {
          hex_bytes(begin, end);
        } else if ((c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
          out += fmt::format("\\u{:04x}", static_cast<uint32_t>(c));
        } else if (c == '\\' && mode == Escape::tsv) {
          out += "\\\\";
        } else {
          out.append(bytes.data() + begin, static_cast<size_t>(end - begin));
        }
      },
      hex_bytes);
  return out;
}

size_t display_width(std::string_view utf8) {
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto len = static_cast<int32_t>(utf8.size());
  size_t width = 0;
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U8_NEXT(s, i, len, c);
    if (c < 0) {
      width += 1;
      continue;
    }
    const int8_t cat = u_charType(c);
    if (cat == U_NON_SPACING_MARK || cat == U_ENCLOSING_MARK || cat == U_FORMAT_CHAR || c == 0x200B) continue;
    const int ea = u_getIntPropertyValue(c, UCHAR_EAST_ASIAN_WIDTH);
    width += (ea == U_EA_WIDE || ea == U_EA_FULLWIDTH) ? 2 : 1;
  }
  return width;
}

}  // namespace newsidx
