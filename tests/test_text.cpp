// test_text.cpp — folding and segmentation behaviour (text.hpp).
#include <gtest/gtest.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

#include <string>
#include <vector>

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

TEST(Fold, InvalidUtf8BecomesReplacementCharacter) { EXPECT_EQ(fold("a\xff" "b"), "a\xef\xbf\xbd" "b"); }

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
