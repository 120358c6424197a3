// test_schema.cpp — the schema snapshot: every term (with its wdf), value slot and the data of
// the document of one fixed article, against tests/golden/schema/article.txt. A change there
// makes old databases answer differently, so it must come with a bump of k_schema_version or
// k_tokenizer_version (which makes an old database ask for a --reindex).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/text.hpp"
#include "test_support.hpp"

using namespace newsidx;
namespace fs = std::filesystem;

namespace {

const fs::path k_snapshot = fs::path(NEWSIDX_FIXTURES).parent_path() / "golden" / "schema" / "article.txt";

/// The snapshot of `doc`: a version line, then "T term<TAB>wdf" in term order, "V slot<TAB>value"
/// in slot order, and "D data", each escaped by printable() as TSV fields are.
std::string snapshot(const Xapian::Document& doc) {
  std::string out = fmt::format("schema={} {}\n", k_schema_version, tokenizer_fingerprint());
  for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t)
    out += fmt::format("T {}\t{}\n", printable(*t, Escape::tsv), t.get_wdf());
  for (auto v = doc.values_begin(); v != doc.values_end(); ++v)
    out += fmt::format("V {}\t{}\n", v.get_valueno(), printable(*v, Escape::tsv));
  out += "D " + printable(doc.get_data(), Escape::tsv) + "\n";
  return out;
}

/// "icu=72.1 unicode=15.0" of a version line: what the library, not this code, decides.
std::string library_part(const std::string& snapshot) {
  const size_t line_end = snapshot.find('\n');
  const size_t at = snapshot.find(" icu=");
  return at < line_end ? snapshot.substr(at, line_end - at) : "";
}

}  // namespace

TEST(Schema, TheDocumentOfAnArticleIsTheRecordedOneForThisSchemaVersion) {
  // Title, body and author in Simplified and Traditional Chinese, English (stemmed), digits and
  // full-width forms; two copies, the winning one first.
  const Article a{"feeds/a.md",
                  "https://www.voachinese.com/a/trump-visits-beijing/1.html",
                  "特朗普訪問北京 Trump visits Beijing",
                  1593561600000,
                  "www.voachinese.com",
                  "王小明",
                  "美国总统特朗普周三抵达北京，与习近平会谈。\nThe talks covered trade and ＣＯＶＩＤ－１９ vaccines.",
                  ""};
  const std::vector<FileCopy> files = {{"feeds/a.md", "/archive/feeds/a.md", 1593561600000},
                                       {"old/a.md", "/archive/old/a.md", 1593475200000}};
  DocumentBuilder builder;
  const std::string got = snapshot(builder.build(a, files));

  if (std::getenv("NEWSIDX_UPDATE_GOLDEN")) {
    newsidx::test::write_file(k_snapshot, got);
    GTEST_SKIP() << "recorded " << k_snapshot;
  }
  ASSERT_TRUE(fs::exists(k_snapshot)) << k_snapshot << ": missing; record it with NEWSIDX_UPDATE_GOLDEN=1";
  const std::string want = newsidx::test::slurp(k_snapshot);
  if (library_part(want) != library_part(got)) {
    GTEST_SKIP() << "the snapshot was recorded with" << library_part(want) << ", this build has" << library_part(got)
                 << ": ICU decides the words of Chinese text";
  }
  const bool same_versions = want.substr(0, want.find('\n')) == got.substr(0, got.find('\n'));
  EXPECT_EQ(got, want)
      << (same_versions ? "The document of an article changed: bump k_schema_version (schema.hpp) or "
                          "k_tokenizer_version (text.hpp), then record the snapshot with NEWSIDX_UPDATE_GOLDEN=1."
                        : "The schema or tokenizer version changed: record the snapshot with "
                          "NEWSIDX_UPDATE_GOLDEN=1 and read its diff.");
}
