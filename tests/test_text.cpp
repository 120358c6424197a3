// test_text.cpp — folding and segmentation behaviour (text.hpp).
#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "newsidx/text.hpp"

using namespace newsidx;

namespace {

std::vector<std::string> texts(const TokenStream& ts) {
  std::vector<std::string> out;
  for (const Token& t : ts.tokens) out.emplace_back(ts.text(t));
  return out;
}

TokenStream tok(std::string_view s, unsigned flags = 0) {
  Segmenter seg;
  TokenStream ts;
  seg.tokenize(s, ts, flags);
  return ts;
}

}  // namespace

TEST(Fold, FullWidthLatinAndDigitsBecomeAsciiLowerCase) {
  EXPECT_EQ(fold("Ｔｒｕｍｐ ２０２０"), "trump 2020");
  EXPECT_EQ(fold("HONG Kong"), "hong kong");
}

TEST(Fold, TraditionalBecomesSimplified) {
  EXPECT_EQ(fold("習近平會見普京"), "习近平会见普京");
  EXPECT_EQ(fold("中國國家主席"), "中国国家主席");
  EXPECT_EQ(fold("臺灣"), fold("台湾"));
}

TEST(Fold, IsIdempotent) {
  for (const char* s : {"習近平 Ｔｒｕｍｐ ﬁ Straße ①", "Ça va? 東京 ＡＢＣ", "e\u0301te\u0301"}) {
    const std::string once = fold(s);
    EXPECT_EQ(fold(once), once) << s;
  }
}

// fold() skips ICU for ASCII and unified ideographs and starts a new normalisation segment
// before them; without the Traditional-to-Simplified step it must still equal ICU's
// NFKC_Casefold on every BMP code point, wherever it stands next to those fast-path characters.
TEST(Fold, WithoutSimplificationItIsIcuNfkcCasefold) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCCasefoldInstance(status);
  ASSERT_TRUE(U_SUCCESS(status));
  size_t mismatches = 0;
  for (UChar32 c = 1; c < 0x10000; ++c) {
    if (U_IS_SURROGATE(c)) continue;
    icu::UnicodeString text;
    text.append(static_cast<UChar32>(0x4E2D)).append(c).append(c).append(static_cast<UChar32>('A')).append(c);
    std::string utf8, expected;
    text.toUTF8String(utf8);
    nfkc->normalize(text, status).toUTF8String(expected);
    ASSERT_TRUE(U_SUCCESS(status));
    if (fold(utf8, false) != expected && ++mismatches <= 5) ADD_FAILURE() << "U+" << std::hex << c;
  }
  EXPECT_EQ(mismatches, 0u);
}

TEST(Fold, ComposesCombiningMarksLikePrecomposedText) { EXPECT_EQ(fold("e\u0301"), fold("\u00e9")); }

TEST(Fold, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(fold("a\xff"
                 "b"),
            "a\xef\xbf\xbd"
            "b");
}

TEST(Fold, DropsZeroWidthNoBreakSpace) { EXPECT_EQ(fold("新\xEF\xBB\xBF冠"), "新冠"); }

TEST(Segmenter, EveryChineseCharacterIsATokenWhateverTheDictionarySays) {
  const TokenStream ts = tok("特朗普访问北京");
  EXPECT_EQ(texts(ts), (std::vector<std::string>{"特", "朗", "普", "访", "问", "北", "京"}));
  for (size_t i = 1; i < ts.tokens.size(); ++i) EXPECT_EQ(ts.tokens[i].gap, Gap::joined);
  for (const Token& t : ts.tokens) EXPECT_EQ(t.kind, TokenKind::cjk);
}

TEST(Segmenter, IcuDictionaryWordsAreMarkedOnTheirFirstCharacter) {
  const TokenStream ts = tok("中华人民共和国国务院", Segmenter::k_dictionary_words);
  size_t covered = 0;
  bool has_multi_char_word = false;
  for (size_t i = 0; i < ts.tokens.size(); i += ts.tokens[i].word_len) {
    ASSERT_GT(ts.tokens[i].word_len, 0) << "token " << i << " does not start a word";
    covered += ts.tokens[i].word_len;
    has_multi_char_word |= ts.tokens[i].word_len >= 2;
  }
  EXPECT_EQ(covered, ts.tokens.size());
  EXPECT_TRUE(has_multi_char_word);
}

TEST(Segmenter, LatinWordsAndNumbers) {
  const TokenStream ts = tok("Trump won 306 votes in 2020.");
  EXPECT_EQ(texts(ts), (std::vector<std::string>{"trump", "won", "306", "votes", "in", "2020"}));
  EXPECT_EQ(ts.tokens[0].kind, TokenKind::word);
  EXPECT_EQ(ts.tokens[2].kind, TokenKind::number);
  EXPECT_EQ(ts.tokens[1].gap, Gap::space);
}

TEST(Segmenter, GapsSeparateSentencesParagraphsAndSpacedChinese) {
  EXPECT_EQ(tok("你好。世界").tokens[2].gap, Gap::brk);
  EXPECT_EQ(tok("你好\n世界").tokens[2].gap, Gap::brk);
  EXPECT_EQ(tok("施压 习近平").tokens[2].gap, Gap::brk);  // a space between Chinese characters separates
  EXPECT_EQ(tok("hong\nkong").tokens[1].gap, Gap::brk);
  EXPECT_EQ(tok("hong, kong").tokens[1].gap, Gap::brk);
}

TEST(Segmenter, SpaceBetweenLatinAndChineseIsInsignificant) {
  const TokenStream a = tok("G7 峰会");
  const TokenStream b = tok("G7峰会");
  ASSERT_EQ(texts(a), texts(b));
  for (size_t i = 1; i < a.tokens.size(); ++i) EXPECT_EQ(a.tokens[i].gap, b.tokens[i].gap);
}

TEST(Segmenter, SourceOffsetsPointIntoTheOriginalText) {
  const std::string s = "Ｔｒｕｍｐ說：習";
  const TokenStream ts = tok(s, Segmenter::k_source_offsets);
  ASSERT_EQ(texts(ts), (std::vector<std::string>{"trump", "说", "习"}));
  EXPECT_EQ(s.substr(ts.tokens[0].src_begin, ts.tokens[0].src_end - ts.tokens[0].src_begin), "Ｔｒｕｍｐ");
  EXPECT_EQ(s.substr(ts.tokens[1].src_begin, ts.tokens[1].src_end - ts.tokens[1].src_begin), "說");
  EXPECT_EQ(s.substr(ts.tokens[2].src_begin, ts.tokens[2].src_end - ts.tokens[2].src_begin), "習");
}

TEST(Segmenter, TokensAndGapsDoNotDependOnTheFlags) {
  const std::string s = "2020年5月17日，Ｔｒｕｍｐ說：“習近平 covid-19 U.S.”中国人民5G网络 ひらがな カタカナー 한국어";
  const TokenStream plain = tok(s);
  for (unsigned flags : {Segmenter::k_source_offsets, Segmenter::k_dictionary_words}) {
    const TokenStream other = tok(s, flags);
    ASSERT_EQ(texts(other), texts(plain));
    for (size_t i = 0; i < plain.tokens.size(); ++i) {
      EXPECT_EQ(other.tokens[i].gap, plain.tokens[i].gap) << i;
      EXPECT_EQ(other.tokens[i].kind, plain.tokens[i].kind) << i;
    }
  }
}

TEST(Segmenter, KanaAreCharacterTokensAndHangulAreWords) {
  const TokenStream ts = tok("ひらがな 한국어");
  ASSERT_EQ(ts.tokens.size(), 5u);
  EXPECT_EQ(ts.tokens[0].kind, TokenKind::cjk);
  EXPECT_EQ(ts.tokens[4].kind, TokenKind::word);
  EXPECT_EQ(ts.text(ts.tokens[4]), "한국어");
}

TEST(Phrase, FindsExactSequencesOnly) {
  const TokenStream doc = tok("他来自香港。特朗普说，Hong Kong is here");
  EXPECT_EQ(find_phrase(doc, tok("特朗普")), 5u);
  EXPECT_EQ(find_phrase(doc, tok("香港")), 3u);
  EXPECT_EQ(find_phrase(doc, tok("港特")), doc.tokens.size());  // across a sentence end
  EXPECT_LT(find_phrase(doc, tok("HONG KONG")), doc.tokens.size());
  EXPECT_EQ(find_phrase(doc, tok("kong hong")), doc.tokens.size());
  EXPECT_EQ(find_phrase(doc, tok("")), doc.tokens.size());
}

TEST(Phrase, TraditionalQueryMatchesSimplifiedText) {
  EXPECT_LT(find_phrase(tok("国家主席习近平说"), tok("習近平")), 100u);
}

TEST(DisplayWidth, ChineseCountsTwoColumns) {
  EXPECT_EQ(display_width("ab"), 2u);
  EXPECT_EQ(display_width("中文"), 4u);
  EXPECT_EQ(display_width("Ｔ"), 2u);
  EXPECT_EQ(display_width("e\u0301"), 1u);
}

TEST(Tokenizer, FingerprintNamesVersionAndIcu) {
  const std::string f = tokenizer_fingerprint();
  EXPECT_NE(f.find("tokenizer="), std::string::npos);
  EXPECT_NE(f.find("icu="), std::string::npos);
}

TEST(Segmenter, WordTokensHoldNoPunctuation) {
  // ICU keeps "@terry", "u.s", "19.5" and "matters.news" whole; newsidx cuts them so that each
  // part is found, with a brk gap where the punctuation was.
  const TokenStream ts = tok("@terry u.s. 19.5 matters.news don't");
  EXPECT_EQ(texts(ts), (std::vector<std::string>{"terry", "u", "s", "19", "5", "matters", "news", "don", "t"}));
  EXPECT_EQ(ts.tokens[2].gap, Gap::brk);
  EXPECT_EQ(ts.tokens[3].kind, TokenKind::number);
  EXPECT_LT(find_phrase(ts, tok("U.S.")), ts.tokens.size());
  EXPECT_EQ(find_phrase(ts, tok("u s")), ts.tokens.size());  // a space is not the dot
}

namespace {

/// UTF-8 of one code point.
std::string utf8(UChar32 c) {
  std::string s;
  icu::UnicodeString(c).toUTF8String(s);
  return s;
}

/// True if `s` holds a byte or code point that a terminal acts on: C0, DEL, C1, a bidi
/// embedding/override/isolate, or an invalid UTF-8 sequence.
bool has_terminal_control(const std::string& s) {
  const icu::UnicodeString u = icu::UnicodeString::fromUTF8(s);
  std::string back;
  u.toUTF8String(back);
  if (back != s) return true;  // invalid UTF-8
  for (int32_t i = 0; i < u.length(); i = u.moveIndex32(i, 1)) {
    const UChar32 c = u.char32At(i);
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST(Printable, C0ControlsAndDelBecomeHexEscapes) {
  EXPECT_EQ(printable("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(printable("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
  EXPECT_EQ(printable(std::string("\0", 1)), "\\x00");
  EXPECT_EQ(printable("\x7f"), "\\x7f");
  EXPECT_EQ(printable("\x01\x1f"), "\\x01\\x1f");
  EXPECT_EQ(printable("a\tb\nc\rd"), "a\\tb\\nc\\rd");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = printable(std::string(1, static_cast<char>(c)));
    EXPECT_FALSE(has_terminal_control(out)) << c;
    EXPECT_EQ(out[0], '\\') << c;
  }
}

TEST(Printable, C1ControlsBecomeCodePointEscapes) {
  EXPECT_EQ(printable("\xc2\x9b"
                      "2J"),
            "\\u009b2J");  // U+009B CSI, the one-byte form of ESC [
  EXPECT_EQ(printable("\xc2\x80"), "\\u0080");
  EXPECT_EQ(printable("\xc2\x9f"), "\\u009f");
  EXPECT_EQ(printable("\xc2\xa0"), "\xc2\xa0");  // U+00A0 no-break space is not a control
  for (UChar32 c = 0x80; c <= 0x9F; ++c) EXPECT_EQ(printable(utf8(c)), fmt::format("\\u{:04x}", c));
}

TEST(Printable, BidiEmbeddingsOverridesAndIsolatesBecomeCodePointEscapes) {
  EXPECT_EQ(printable("abc\u202edcb.exe"), "abc\\u202edcb.exe");
  for (UChar32 c : {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}) {
    EXPECT_EQ(printable(utf8(c)), fmt::format("\\u{:04x}", c));
  }
  for (UChar32 c : {0x2029, 0x202F, 0x2065, 0x206A}) EXPECT_EQ(printable(utf8(c)), utf8(c)) << c;  // neighbours
}

TEST(Printable, InvalidUtf8BytesBecomeHexEscapes) {
  EXPECT_EQ(printable("\xff\xfe名.md"), "\\xff\\xfe名.md");
  EXPECT_EQ(printable("a\xe5\x90"), "a\\xe5\\x90");         // a truncated sequence
  EXPECT_EQ(printable("\xc0\xaf"), "\\xc0\\xaf");           // an overlong '/'
  EXPECT_EQ(printable("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
}

TEST(Printable, TextPassesThroughUnchanged) {
  for (const char* s : {"特朗普访问北京", "習近平會見普京", "Ｔｒｕｍｐ", "emoji 😀 👍🏽", "e\u0301", "\uFFFD",
                        "a\\b", "", "https://www.voachinese.com/a/1.html", "ひらがな 한국어 العربية"}) {
    EXPECT_EQ(printable(s), s);
  }
}

TEST(Printable, TsvAlsoEscapesBackslash) {
  EXPECT_EQ(printable("a\\b", Escape::tsv), "a\\\\b");
  EXPECT_EQ(printable("a\tb\x1b", Escape::tsv), "a\\tb\\x1b");
  EXPECT_EQ(printable("a\\b", Escape::text), "a\\b");
}

TEST(Printable, NoCodePointOrBytePairSurvivesAsATerminalControl) {
  std::string all;
  for (UChar32 c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    all += utf8(c);
  }
  EXPECT_FALSE(has_terminal_control(printable(all)));
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char pair[] = {static_cast<char>(a), static_cast<char>(b)};
      ASSERT_FALSE(has_terminal_control(printable(std::string_view(pair, 2)))) << a << " " << b;
    }
  }
}

TEST(Printable, CleaningPiecesAtCodePointBoundariesIsCleaningTheWhole) {
  const std::string s =
      "标题\x1b[2J北京\u202e\xff"
      "end";
  for (size_t cut : {size_t{0}, size_t{3}, size_t{6}, size_t{7}, size_t{10}, size_t{13}, size_t{16}, size_t{19},
                     size_t{20}, s.size()}) {
    EXPECT_EQ(printable(s.substr(0, cut)) + printable(s.substr(cut)), printable(s)) << cut;
  }
}

namespace {

/// An article of ASCII text around `middle`, long enough that a few bad bytes are < 10 %.
std::string ascii_around(const std::string& middle) {
  const std::string pad(200, 'x');
  return pad + " " + middle + " " + pad;
}

}  // namespace

TEST(ToUtf8, EachMaximalSubpartOfAnInvalidSequenceBecomesOneReplacementCharacter) {
  // The example of Unicode 15.0 §3.9, Table 3-8 (U+FFFD Substitution of Maximal Subparts).
  Result<DecodedText> t = to_utf8(ascii_around("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->text, ascii_around("a\uFFFD\uFFFD\uFFFD"
                                  "b\uFFFD"
                                  "c\uFFFD\uFFFD"
                                  "d"));
  EXPECT_EQ(t->replaced_bytes, 9u);
  EXPECT_EQ(t->charset, "UTF-8");
  // Overlong forms, surrogates and code points above U+10FFFF: one U+FFFD per byte (Table 3-9).
  Result<DecodedText> u = to_utf8(ascii_around("\xC0\xAF|\xE0\x80\xAF|\xED\xA0\x80|\xF4\x90\x80\x80"));
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->text, ascii_around("\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD|\uFFFD\uFFFD\uFFFD\uFFFD"));
  EXPECT_EQ(u->replaced_bytes, 12u);
}

TEST(ToUtf8, ChineseUtf8WithAFewBadBytesIsNotTakenForGb18030) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += "美国总统特朗普今天抵达北京，新冠疫情仍在蔓延。";
  Result<DecodedText> t = to_utf8(text + "\xff\xfe" + text);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->charset, "UTF-8");
  EXPECT_EQ(t->replaced_bytes, 2u);
  EXPECT_EQ(t->text, text + "\uFFFD\uFFFD" + text);
}

TEST(ToUtf8, MoreThanTenPercentInvalidFails) {
  // 0xFF is neither UTF-8 nor a GB18030 or Big5 byte.
  const std::string at_limit = std::string(90, 'a') + std::string(10, '\xff');
  Result<DecodedText> ok = to_utf8(at_limit);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->replaced_bytes, 10u);
  Result<DecodedText> bad = to_utf8(std::string(89, 'a') + std::string(11, '\xff'));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ExitCode::some_failed);
  EXPECT_EQ(bad.error().message,
            "invalid UTF-8: 11 of 100 bytes (more than 10 %; first at byte 89), and not GB18030 or Big5 text");
}

TEST(ToUtf8, ValidUtf8IsUntouched) {
  Result<DecodedText> t = to_utf8(
      "\xEF\xBB\xBF"
      "北京 \x1b[2J");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->text, "北京 \x1b[2J");
  EXPECT_EQ(t->replaced_bytes, 0u);
  EXPECT_TRUE(is_valid_utf8("北京"));
  EXPECT_FALSE(is_valid_utf8("\xff"));
}
