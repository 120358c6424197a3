// test_output.cpp — printers (output.hpp) and lossless byte strings (json_bytes.hpp): what a
// person sees is clean, what a program reads is exact.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "file_records.hpp"
#include "json_bytes.hpp"
#include "newsidx/index.hpp"
#include "newsidx/output.hpp"

using namespace newsidx;

namespace {

/// What `print` writes to a FILE*.
template <class F>
std::string printed(F&& print) {
  char* buf = nullptr;
  size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  print(f);
  std::fclose(f);
  std::string out(buf, size);
  std::free(buf);
  return out;
}

/// `s` without the escapes the text printer itself emits (colour and bold).
std::string without_our_escapes(std::string s) {
  for (const char* e : {"\x1b[1;31m", "\x1b[1m", "\x1b[2m", "\x1b[0m"}) {
    for (size_t at; (at = s.find(e)) != std::string::npos;) s.erase(at, std::string_view(e).size());
  }
  return s;
}

constexpr const char* k_hostile_title =
    "标题\x1b[2J\x1b]0;pwned\x07\x1b]52;c;aGk=\x07\xc2\x9b"
    "31m\u202eevil\x7f";
const std::string k_bad_name = "in/\xff\xfe名\x1b[31m.md";

Hit hostile_hit() {
  Hit h;
  h.rank = 1;
  h.docid = 7;
  StoredArticle& a = h.article;
  a.title = k_hostile_title;
  a.url = "https://x.org/\x1b[2J";
  a.source = "evil\x1b[2j.org";
  a.author = "作者\x1b[5m";
  a.path = k_bad_name;
  a.published_ms = 1593561600000;
  a.files = {{a.path, "/abs/" + a.path, a.published_ms},
             {"in/ok.md", "/abs/in/ok.md", a.published_ms},
             {"in/\xfe.md", "/abs/in/\xfe.md", a.published_ms}};
  h.snippet.text = "前\x1b[2J北京\u202e后文";  // a highlight that holds an override, as a phrase match can
  const auto at = static_cast<uint32_t>(h.snippet.text.find("北京"));
  h.snippet.highlights = {{at, static_cast<uint32_t>(h.snippet.text.find("文"))}};
  return h;
}

}  // namespace

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), std::optional<std::string>(plain));
  }
  EXPECT_EQ(base64_encode(std::string("\xff\xfe\x00\x01", 4)), "//4AAQ==");
  EXPECT_EQ(base64_decode("//4AAQ=="), std::string("\xff\xfe\x00\x01", 4));
  for (const char* bad : {"Zg=", "Z===", "Zm9v!A==", "Zg==Zg==", "=Zg="})
    EXPECT_EQ(base64_decode(bad), std::nullopt) << bad;
}

TEST(JsonBytes, OnlyNamesThatAreNotUtf8GetABytesMember) {
  nlohmann::json j = nlohmann::json::object();
  put_bytes(j, "path", "in/名.md");
  EXPECT_FALSE(j.contains("path_bytes"));
  EXPECT_EQ(get_bytes(j, "path"), "in/名.md");
  put_bytes(j, "path", k_bad_name);
  const nlohmann::json back = nlohmann::json::parse(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  EXPECT_EQ(back["path"], "in/\uFFFD\uFFFD名\x1b[31m.md");
  EXPECT_EQ(get_bytes(back, "path"), k_bad_name);
}

TEST(DocumentData, PathsThatAreNotUtf8RoundTripExactly) {
  const Hit h = hostile_hit();
  const StoredArticle back = from_document_data(to_document_data(h.article));
  EXPECT_EQ(back.path, h.article.path);
  ASSERT_EQ(back.files.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.files[i].path, h.article.files[i].path);
    EXPECT_EQ(back.files[i].abspath, h.article.files[i].abspath);
  }
  EXPECT_EQ(back.title, h.article.title);
}

TEST(DocumentData, DataWrittenBeforePathBytesIsStillRead) {
  const std::string old =
      std::string(R"({"path":"in/a.md","url":"u","title":"t","published":null,"source":"","author":"",)"
                  R"("files":[{"path":"in/a.md","abspath":"/x/in/a.md","published":null}]})") +
      '\0' + "text";
  const StoredArticle a = from_document_data(old);
  EXPECT_EQ(a.path, "in/a.md");
  ASSERT_EQ(a.files.size(), 1u);
  EXPECT_EQ(a.files[0].abspath, "/x/in/a.md");
  EXPECT_EQ(a.text, "text");
}

TEST(FileRecords, AbspathThatIsNotUtf8RoundTripsExactly) {
  FileRecord r;
  r.abspath = "/abs/" + k_bad_name;
  r.state = FileState::indexed;
  r.url = "https://x.org/1";
  const std::optional<FileRecord> back = decode_record(encode_record(r));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->abspath, r.abspath);
}

TEST(HitJson, TitleIsExactAndPathsThatAreNotUtf8CarryTheirBytes) {
  const Hit h = hostile_hit();
  const nlohmann::ordered_json j = hit_to_json(h);
  EXPECT_EQ(j["title"], k_hostile_title);
  EXPECT_EQ(base64_decode(j.at("path_bytes").get<std::string>()), k_bad_name);
  ASSERT_TRUE(j.contains("duplicates_bytes"));
  EXPECT_EQ(j.at("duplicates_bytes"), nlohmann::ordered_json::parse(R"([null, "aW4v/i5tZA=="])"));
  EXPECT_EQ(base64_decode("aW4v/i5tZA=="), std::string("in/\xfe.md"));
  // Key order: path_bytes follows path, duplicates_bytes follows duplicates.
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "path_bytes") - std::find(keys.begin(), keys.end(), "path"), 1);
  EXPECT_EQ(std::find(keys.begin(), keys.end(), "duplicates_bytes") - std::find(keys.begin(), keys.end(), "duplicates"),
            1);

  Hit plain = h;
  plain.article.path = "in/名.md";
  plain.article.files = {{plain.article.path, "/abs/in/名.md", std::nullopt},
                         {"in/ok.md", "/abs/in/ok.md", std::nullopt}};
  const nlohmann::ordered_json p = hit_to_json(plain);
  EXPECT_FALSE(p.contains("path_bytes"));
  EXPECT_FALSE(p.contains("duplicates_bytes"));
}

TEST(HitJson, FieldsPathBringsPathBytes) {
  OutputOptions o;
  o.fields = {"path"};
  const std::string out = printed([&](std::FILE* f) { make_printer(OutputFormat::jsonl, f, o)->hit(hostile_hit()); });
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j.size(), 2u) << out;
  EXPECT_EQ(base64_decode(j.at("path_bytes").get<std::string>()), k_bad_name);
}

TEST(TextPrinter, NothingFromTheArticleReachesTheTerminalAndHighlightsStillBracketTheMatch) {
  for (bool color : {false, true}) {
    OutputOptions o;
    o.color = color;
    const std::string out = printed([&](std::FILE* f) { make_printer(OutputFormat::text, f, o)->hit(hostile_hit()); });
    const std::string theirs = without_our_escapes(out);
    EXPECT_EQ(theirs.find('\x1b'), std::string::npos) << out;
    EXPECT_EQ(theirs.find('\x07'), std::string::npos);
    EXPECT_EQ(theirs.find("\xc2\x9b"), std::string::npos);
    EXPECT_EQ(theirs.find("\u202e"), std::string::npos);
    EXPECT_NE(out.find("标题\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x07\\u009b31m\\u202eevil\\x7f"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("in/\\xff\\xfe名\\x1b[31m.md"), std::string::npos) << out;
    EXPECT_NE(out.find("also: in/\\xfe.md"), std::string::npos) << out;
    EXPECT_NE(out.find("evil\\x1b[2j.org"), std::string::npos) << out;
    EXPECT_NE(out.find(color ? "前\\x1b[2J\x1b[1;31m北京\\u202e后\x1b[0m文" : "前\\x1b[2J北京\\u202e后文"),
              std::string::npos)
        << out;
  }
}

TEST(TextPrinter, ListsAFewOtherFilesAndCountsTheRest) {
  Hit h = hostile_hit();
  h.article.files.resize(1);
  for (size_t i = 0; i < 1000; ++i) h.article.files.push_back(FileCopy{fmt::format("in/copy{}.md", i), "", 0});
  const std::string out = printed([&](std::FILE* f) { make_printer(OutputFormat::text, f, {})->hit(h); });
  size_t lines = 0;
  for (size_t at = 0; (at = out.find("also: ", at)) != std::string::npos; ++at) ++lines;
  EXPECT_EQ(lines, k_text_other_files + 1) << out;
  EXPECT_NE(out.find(fmt::format("also: in/copy{}.md", k_text_other_files - 1)), std::string::npos) << out;
  EXPECT_EQ(out.find(fmt::format("also: in/copy{}.md", k_text_other_files)), std::string::npos) << out;
  EXPECT_NE(out.find(fmt::format("also: {} more files", 1000 - k_text_other_files)), std::string::npos) << out;
}

TEST(TsvPrinter, EscapesControlsBidiAndBadBytesAndKeepsItsOwnEscapes) {
  OutputOptions o;
  o.fields = {"title", "path", "author"};
  Hit h = hostile_hit();
  h.article.author = "a\tb\\c\nd";
  const std::string out = printed([&](std::FILE* f) { make_printer(OutputFormat::tsv, f, o)->hit(h); });
  EXPECT_EQ(out,
            "title\tpath\tauthor\n"
            "标题\\x1b[2J\\x1b]0;pwned\\x07\\x1b]52;c;aGk=\\x07\\u009b31m\\u202eevil\\x7f\t"
            "in/\\xff\\xfe名\\x1b[31m.md\ta\\tb\\\\c\\nd\n");
}

TEST(PathsPrinter, WritesTheExactBytes) {
  OutputOptions o;
  o.nul = true;
  const std::string out = printed([&](std::FILE* f) { make_printer(OutputFormat::paths, f, o)->hit(hostile_hit()); });
  EXPECT_EQ(out, k_bad_name + std::string(1, '\0'));
}

TEST(ShowText, NothingFromTheArticleReachesTheTerminal) {
  StoredArticle a = hostile_hit().article;
  a.text = "第一段\x1b[2J\n第二段\u2066隔离\u2069\n\xc2\x85";
  const std::string out = printed([&](std::FILE* f) { print_article(f, 7, a, false); });
  for (const char* raw : {"\x1b", "\x07", "\x7f", "\xc2\x9b", "\xc2\x85", "\u202e", "\u2066", "\u2069", "\xff"}) {
    EXPECT_EQ(out.find(raw), std::string::npos) << raw;
  }
  EXPECT_NE(out.find("Title:  标题\\x1b[2J"), std::string::npos) << out;
  EXPECT_NE(out.find("Path:   in/\\xff\\xfe名\\x1b[31m.md"), std::string::npos) << out;
  EXPECT_NE(out.find("Author: 作者\\x1b[5m"), std::string::npos) << out;
  EXPECT_NE(out.find("第一段\\x1b[2J\n\n第二段\\u2066隔离\\u2069\n\n\\u0085\n"), std::string::npos) << out;
  const nlohmann::json j = nlohmann::json::parse(printed([&](std::FILE* f) { print_article(f, 7, a, true); }));
  EXPECT_EQ(j["title"], k_hostile_title);
  EXPECT_EQ(j["text"], a.text);
  EXPECT_EQ(base64_decode(j.at("path_bytes").get<std::string>()), k_bad_name);
}

TEST(FacetsAndStats, SourcesAreCleanInTextAndExactInJson) {
  const std::vector<FacetCount> counts = {{"evil\x1b[2j.org", 3}, {"www.voachinese.com", 1}};
  const std::string text = printed([&](std::FILE* f) { print_facets(f, "source", counts, false); });
  EXPECT_EQ(text, "3\tevil\\x1b[2j.org\n1\twww.voachinese.com\n");
  const nlohmann::json j =
      nlohmann::json::parse(printed([&](std::FILE* f) { print_facets(f, "source", counts, true); }));
  EXPECT_EQ(j["counts"][0]["value"], "evil\x1b[2j.org");
  DatabaseStats s;
  s.sources = counts;
  s.months = {{"2020-07", 4}};
  s.shards = {{"evil\x1b]0;x\x07", "/db/\x1b[2J", false, 4, std::nullopt, std::nullopt, 1000}};
  s.shards.push_back(s.shards[0]);
  const std::string stats = printed([&](std::FILE* f) { print_stats(f, s, false); });
  EXPECT_EQ(stats.find('\x1b'), std::string::npos) << stats;
  EXPECT_NE(stats.find("evil\\x1b[2j.org"), std::string::npos) << stats;
  EXPECT_NE(stats.find("/db/\\x1b[2J"), std::string::npos) << stats;
}
