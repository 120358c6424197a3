// index.hpp — the Xapian writer: article → document, and indexing files and folders.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/article.hpp"
#include "newsidx/error.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/text.hpp"

namespace newsidx {

/// What search prints without reopening files. Stored as a JSON object in the document data:
/// {"path","url","title","published" (epoch ms or null),"source","author","text"}.
struct StoredArticle {
  std::string path;
  std::string url;
  std::string title;
  std::optional<int64_t> published_ms;
  std::string source;
  std::string author;
  std::string text;  ///< visible body text, paragraphs separated by '\n'
};

std::string to_document_data(const StoredArticle& a);
/// Throws nlohmann::json::exception on data that is not ours (callers treat it as corruption).
StoredArticle from_document_data(std::string_view data);

/// Turns articles into Xapian documents following schema.hpp. Owns a Segmenter: one per thread.
class DocumentBuilder {
 public:
  DocumentBuilder();
  /// The document for `a`, with its Q term, ready for replace_document(unique_id_term(a.url), doc).
  Xapian::Document build(const Article& a);

 private:
  void add_field(const TokenStream& ts, Field field, Xapian::termcount wdf);
  Segmenter m_segmenter;
  TokenStream m_tokens;
  Xapian::Stem m_stemmer{"english"};
  Xapian::Document m_doc;
  std::string m_term;
};

/// The database path when --db is not given: $NEWSIDX_DB, else $XDG_DATA_HOME/newsidx, else
/// ~/.local/share/newsidx.
std::string default_db_path();

struct IndexOptions {
  unsigned jobs = 0;             ///< worker threads for reading/parsing/segmenting; 0 = all cores
  size_t commit_every = 2000;    ///< documents per Xapian commit (bounds the writer's memory)
};

enum class FileOutcome : uint8_t { indexed, skipped, failed };

struct IndexReport {
  size_t indexed = 0;  ///< documents written (new or replaced)
  size_t skipped = 0;  ///< files that are not articles (no article header)
  size_t failed = 0;   ///< files that could not be read or parsed
};

/// Receives per-file events while indexing runs. Called from the writer thread only.
class IndexObserver {
 public:
  virtual ~IndexObserver() = default;
  /// `reason` is empty for indexed files.
  virtual void on_file(const std::string& path, FileOutcome outcome, std::string_view reason) = 0;
};

/// Indexes files and folders (walked recursively; hidden entries skipped; order sorted) into
/// the database at `db_path`, creating it if needed. Paths are stored as given joined with each
/// file's relative path. Errors: db_locked, db_invalid, io_error (an input path is missing).
Result<IndexReport> index_paths(const std::string& db_path, const std::vector<std::string>& inputs,
                                const IndexOptions& options, IndexObserver& observer);

}  // namespace newsidx
