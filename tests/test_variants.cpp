// test_variants.cpp — the regional variant table (variants.hpp): the built-in data, matching
// inside longer text, and the user's file.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "newsidx/text.hpp"
#include "newsidx/variants.hpp"

using namespace newsidx;

namespace {

std::vector<std::string> form_texts(const VariantTable& t, std::string_view form) {
  std::vector<std::string> out;
  if (auto c = t.find_class(form)) {
    for (const VariantForm& f : t.forms(*c)) out.emplace_back(f.text);
  }
  return out;
}

bool same_class(const VariantTable& t, std::string_view a, std::string_view b) {
  const auto ca = t.find_class(a);
  return ca && ca == t.find_class(b);
}

/// The matched substrings of find_all, in order.
std::vector<std::string> matched(const VariantTable& t, std::string_view text) {
  std::vector<std::string> out;
  for (const VariantMatch& m : t.find_all(text)) out.emplace_back(text.substr(m.begin, m.end - m.begin));
  return out;
}

VariantTable user_table(std::string_view text) {
  VariantTable t;
  auto r = t.merge(text, "test");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return t;
}

}  // namespace

TEST(VariantsBuiltin, JoinsRegionalNamesAndTerms) {
  const VariantTable t = VariantTable::builtin();
  EXPECT_TRUE(same_class(t, "特朗普", "川普"));
  EXPECT_TRUE(same_class(t, "悉尼", "雪梨"));
  EXPECT_TRUE(same_class(t, fold("新西蘭"), fold("紐西蘭")));
  EXPECT_TRUE(same_class(t, fold("軟體"), "软件"));
  EXPECT_TRUE(same_class(t, "网络", "网路"));
  EXPECT_TRUE(same_class(t, "普京", "普丁"));
  EXPECT_GT(t.class_count(), 10000u);
  EXPECT_GT(t.form_count(), 2 * t.class_count() - 1);
}

// The traps of ../shared/regional/README.md stay out (docs/variants.md gives the figures).
TEST(VariantsBuiltin, LeavesOutFormsWithAnotherSense) {
  const VariantTable t = VariantTable::builtin();
  EXPECT_FALSE(same_class(t, "视频", "影片"));  // a film in mainland usage
  EXPECT_FALSE(same_class(t, "信息", "消息"));  // news, a message
  EXPECT_FALSE(same_class(t, "沙特", "萨特"));  // Sartre
  EXPECT_FALSE(same_class(t, "沙特", "沙地"));  // sandy ground
  EXPECT_FALSE(same_class(t, "悉尼", "薛尼"));  // Sidney the given name
  EXPECT_FALSE(t.find_class("支持"));
}

// The embedded table is already folded with this build's fold(): a form that folding would
// change could never match folded text (a new ICU can change the Traditional→Simplified table;
// then the table must be regenerated).
TEST(VariantsBuiltin, EveryFormIsFoldedAndCanonical) {
  const VariantTable t = VariantTable::builtin();
  size_t forms = 0;
  for (uint32_t c = 0; c < t.class_count(); ++c) {
    const std::vector<VariantForm> fs = t.forms(c);
    ASSERT_GE(fs.size(), 2u) << "class " << c;
    EXPECT_TRUE(std::is_sorted(fs.begin(), fs.end(), [](auto& a, auto& b) { return a.text < b.text; }));
    for (const VariantForm& f : fs) {
      EXPECT_EQ(fold(f.text), f.text);
      EXPECT_EQ(VariantTable::canonical(f.text), f.text);
      EXPECT_EQ(t.find_class(f.text), c) << f.text;
      EXPECT_FALSE(f.sources.empty()) << f.text;
      ++forms;
    }
  }
  EXPECT_EQ(forms, t.form_count());
}

TEST(VariantsBuiltin, SourcesNameTheTableAndTheRegion) {
  const VariantTable t = VariantTable::builtin();
  for (const VariantForm& f : t.forms(*t.find_class("川普"))) {
    if (f.text == "川普") EXPECT_NE(f.sources.find("cgroup:PresidentsUS:zh-tw"), std::string_view::npos);
    if (f.text == "特朗普") EXPECT_NE(f.sources.find(":zh-cn"), std::string_view::npos);
  }
}

TEST(VariantsFind, FindsFormsInsideALongerRun) {
  const VariantTable t = VariantTable::builtin();
  const std::vector<VariantMatch> m = t.find_all("特朗普政府和软体公司");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0], (VariantMatch{0, 9, *t.find_class("川普")}));
  EXPECT_EQ(m[1], (VariantMatch{18, 24, *t.find_class("软件")}));
  EXPECT_TRUE(t.find_all("").empty());
  EXPECT_TRUE(t.find_all("trump").empty());
}

TEST(VariantsFind, NameDotsOfAnyKindMatchTheFormsDot) {
  const VariantTable t = user_table("唐纳·川普 当劳·特朗普\n");
  for (const char* text : {"唐纳·川普", "唐纳・川普", "唐纳‧川普", "唐纳•川普", "唐纳.川普", "唐纳-川普"}) {
    const std::vector<VariantMatch> m = t.find_all(text);
    ASSERT_EQ(m.size(), 1u) << text;
    EXPECT_EQ(m[0].begin, 0u);
    EXPECT_EQ(m[0].end, std::string_view(text).size()) << text;
    EXPECT_TRUE(same_class(t, text, "当劳·特朗普")) << text;
  }
  EXPECT_TRUE(t.find_all("唐纳川普").empty());
  EXPECT_TRUE(t.find_all("唐纳 川普").empty());  // a space is an AND in a query, not a name dot
}

TEST(VariantsFind, ReportsOverlappingFormsSortedByBeginThenEnd) {
  const VariantTable t = user_table("甲乙 子丑\n乙丙 寅卯\n甲乙丙丁 辰巳\n");
  EXPECT_EQ(matched(t, "甲乙丙丁"), (std::vector<std::string>{"甲乙", "甲乙丙丁", "乙丙"}));
}

TEST(VariantsUser, AddsFoldedClasses) {
  const VariantTable t = user_table("# topic synonyms\n新冠肺炎 武漢肺炎 COVID-19   # the virus\n\n");
  EXPECT_EQ(form_texts(t, "武汉肺炎"), (std::vector<std::string>{"covid-19", "新冠肺炎", "武汉肺炎"}));
  EXPECT_EQ(t.class_count(), 1u);
  EXPECT_EQ(t.forms(*t.find_class("covid-19"))[0].sources, "user:test:2");
  EXPECT_EQ(matched(t, "新冠肺炎疫情"), (std::vector<std::string>{"新冠肺炎"}));
}

TEST(VariantsUser, MergesWithTheClassesItTouches) {
  VariantTable t = VariantTable::builtin();
  const size_t classes = t.class_count();
  const size_t trump = t.forms(*t.find_class("川普")).size();
  ASSERT_TRUE(t.merge("川普 川皇\n悉尼 软件\n", "f").ok());
  EXPECT_TRUE(same_class(t, "特朗普", "川皇"));
  EXPECT_EQ(t.forms(*t.find_class("川皇")).size(), trump + 1);
  EXPECT_TRUE(same_class(t, "雪梨", "软体"));  // two built-in classes joined by one line
  EXPECT_EQ(t.class_count(), classes - 1);
  for (const VariantForm& f : t.forms(*t.find_class("川普"))) {
    if (f.text == "川普") EXPECT_TRUE(f.sources.ends_with(" user:f:1")) << f.sources;
  }
  // The old built-in class no longer answers find_all: the merged one does.
  const std::vector<VariantMatch> m = t.find_all("川皇和川普");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].class_id, m[1].class_id);
}

TEST(VariantsUser, RemovesABuiltInOrEarlierClass) {
  VariantTable t = VariantTable::builtin();
  const size_t classes = t.class_count();
  auto r = t.merge("-特朗普\n甲乙 丙丁\n-丙丁\n", "f");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_FALSE(t.find_class("川普"));
  EXPECT_FALSE(t.find_class("甲乙"));
  EXPECT_TRUE(t.find_all("川普政府").empty());
  EXPECT_EQ(t.class_count(), classes - 1);
  // Removed, then defined again by the user: only the user's forms.
  ASSERT_TRUE(t.merge("特朗普 川普\n", "g").ok());
  EXPECT_EQ(form_texts(t, "川普"), (std::vector<std::string>{"川普", "特朗普"}));
}

TEST(VariantsUser, WarnsAboutLinesThatChangeNothing) {
  VariantTable t;
  auto r = t.merge("-甲乙\n软件 軟件\n", "f");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], "f:1: 甲乙 is in no class; nothing removed");
  EXPECT_NE((*r)[1].find("f:2: "), std::string::npos);
  EXPECT_EQ(t.class_count(), 0u);
}

TEST(VariantsUser, AMalformedRemovalIsAnErrorAndChangesNothing) {
  VariantTable t = user_table("甲乙 丙丁\n");
  auto r = t.merge("戊己 庚辛\n-甲乙 丙丁\n", "my-variants");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ExitCode::usage);
  EXPECT_NE(r.error().message.find("my-variants:2:"), std::string::npos);
  EXPECT_TRUE(t.find_class("甲乙"));
  EXPECT_FALSE(t.find_class("戊己"));
  EXPECT_FALSE(t.merge("-\n", "f").ok());
}
