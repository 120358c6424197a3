// search.hpp — open a database read-only and run ranked queries.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/error.hpp"
#include "newsidx/index.hpp"
#include "newsidx/query.hpp"
#include "newsidx/snippet.hpp"

namespace newsidx {

/// relevance: BM25, ties broken by newest first; newest/oldest: by publish time, then BM25.
enum class SortOrder : uint8_t { relevance, newest, oldest };

struct SearchOptions {
  size_t offset = 0;            ///< results to skip
  size_t limit = 10;            ///< results to return; 0 = all matches
  SortOrder sort = SortOrder::relevance;
  size_t snippet_columns = 72;  ///< snippet width in terminal columns
  QueryFilters filters;
};

struct Hit {
  size_t rank = 0;        ///< 1-based, counting from the first match (offset included)
  double score = 0;       ///< BM25 weight (Xapian), higher is better
  Xapian::docid docid = 0;
  StoredArticle article;
  Snippet snippet;
};

struct SearchResults {
  size_t total = 0;          ///< number of matches (exact when total_exact)
  bool total_exact = false;
  std::vector<Hit> hits;
};

/// A read-only view of a newsidx database.
class Searcher {
 public:
  /// Errors: db_missing (no database at path), db_invalid (not newsidx / other version).
  static Result<Searcher> open(const std::string& db_path);

  /// Runs `query` (syntax in query.hpp). Errors: usage (query syntax), internal (Xapian).
  Result<SearchResults> search(std::string_view query, const SearchOptions& options);

  [[nodiscard]] const Xapian::Database& database() const { return m_db; }

 private:
  explicit Searcher(Xapian::Database db) : m_db(std::move(db)) {}
  /// One attempt; throws Xapian errors (search() retries on DatabaseModifiedError).
  SearchResults run(const CompiledQuery& cq, const SearchOptions& options);
  Xapian::Database m_db;
};

}  // namespace newsidx
