// document.hpp — the Xapian document of an article (schema.hpp): its terms from the segmenter,
// and the stored article (its data) that search shows and verifies without opening files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/article.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/text.hpp"

namespace newsidx {

/// One file that holds an article's URL. Several files can (the same article saved twice).
struct FileCopy {
  std::string path;     ///< as given at index time, joined with the relative path
  std::string abspath;  ///< absolute, lexically normal: the file's identity across runs
  std::optional<int64_t> published_ms;
};

/// Which copy is indexed when several files share a URL: the newest publish time wins (a known
/// time beats an unknown one), then the file whose absolute path sorts last (in dated archive
/// folders, the newer file). Content and paths decide, never mtimes, so the choice is the same
/// whatever order or how many runs the files were indexed in. True if `a` beats `b`.
bool copy_wins(const FileCopy& a, const FileCopy& b);

/// What search prints without reopening files. Stored in the document data as a JSON object,
/// {"path","url","title","published" (epoch ms or null),"source","author",
///  "files": [{"path","abspath","published"}, ...] (files[0] is the indexed copy)
///  [,"first_indexed" (epoch ms; absent when unknown)]},
/// where a path that is not UTF-8 gets a "path_bytes" / "abspath_bytes" member holding its
/// bytes in base64 (src/json_bytes.hpp), then a NUL byte, then the text as is: verification
/// reads the text of every candidate, and the text kept out of JSON needs no escaping or
/// unescaping (a quarter of a verifying query's time). Data that is one JSON object with a
/// "text" member is read too.
struct StoredArticle {
  std::string path;
  std::string url;
  std::string title;
  std::optional<int64_t> published_ms;
  std::string source;
  std::string author;
  std::string text;             ///< visible body text, paragraphs separated by '\n'
  std::vector<FileCopy> files;  ///< every file with this URL, the indexed copy first
  /// When the URL was first indexed (epoch ms UTC; see k_slot_first_indexed); nullopt: unknown.
  std::optional<int64_t> first_indexed_ms;
};

std::string to_document_data(const StoredArticle& a);
/// Throws nlohmann::json::exception on data that is not ours (callers treat it as corruption).
StoredArticle from_document_data(std::string_view data);

/// Turns articles into Xapian documents following schema.hpp. Owns a Segmenter: one per thread.
class DocumentBuilder {
 public:
  DocumentBuilder();
  /// The document of the version of `a` (the winning copy among `files`, which hold its
  /// content), with its U and Q terms and collapse key, ready for replace_document(Q term, doc).
  /// It never carries the XV term: the writer adds it when the URL has other versions.
  Xapian::Document build(const Article& a, const std::vector<FileCopy>& files);

 private:
  void add_field(const TokenStream& ts, Field field, Xapian::termcount wdf);
  Segmenter m_segmenter;
  TokenStream m_tokens;
  Xapian::Stem m_stemmer{"english"};
  Xapian::Document m_doc;
  std::string m_term;
};

}  // namespace newsidx
