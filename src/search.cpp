// search.cpp — ranked retrieval: candidate query, verification, snippets.
#include "newsidx/search.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"

namespace newsidx {

Result<Searcher> Searcher::open(const std::string& db_path) {
  if (!database_exists(db_path)) {
    return Error{ExitCode::db_missing, fmt::format("{}: no database here", db_path),
                 "create it with: newsidx --db PATH index FOLDER"};
  }
  try {
    Xapian::Database db(db_path);
    if (Status s = check_schema(db); !s) return s.error();
    return Searcher(std::move(db));
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  }
}

Result<SearchResults> Searcher::search(std::string_view query, const SearchOptions& options) {
  Result<CompiledQuery> compiled = compile_query(query, options.filters);
  if (!compiled) return compiled.error();
  const CompiledQuery& cq = *compiled;
  // A concurrent `index` may commit twice while we read, recycling blocks of the revision we
  // opened (DatabaseModifiedError): reopen at the newest revision and run the query again.
  for (int attempt = 0;; ++attempt) {
    try {
      return run(cq, options);
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 4) return Error{ExitCode::internal, "search failed: the database kept changing while read", ""};
      m_db.reopen();
    } catch (const Xapian::Error& e) {
      return Error{ExitCode::internal, fmt::format("search failed: {}", e.get_description()), ""};
    } catch (const std::exception& e) {
      return Error{ExitCode::db_invalid, fmt::format("unreadable document data: {}", e.what()),
                   "rebuild the database: newsidx index --reindex PATH..."};
    }
  }
}

SearchResults Searcher::run(const CompiledQuery& cq, const SearchOptions& options) {
  Xapian::Enquire enquire(m_db);
  enquire.set_query(cq.xapian_query());
  switch (options.sort) {
    // Equal scores (e.g. a query of filters only) list the newest article first.
    case SortOrder::relevance: enquire.set_sort_by_relevance_then_value(k_slot_published, true); break;
    case SortOrder::newest: enquire.set_sort_by_value_then_relevance(k_slot_published, true); break;
    case SortOrder::oldest: enquire.set_sort_by_value_then_relevance(k_slot_published, false); break;
  }
  const Xapian::doccount all = m_db.get_doccount();
  const Xapian::doccount limit = options.limit == 0 ? all : static_cast<Xapian::doccount>(options.limit);
  const Xapian::MSet mset =
      enquire.get_mset(static_cast<Xapian::doccount>(options.offset), limit, 0, nullptr, cq.verifier());

  SearchResults results;
  results.total = mset.get_matches_estimated();
  results.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
  Segmenter segmenter;
  TokenStream body;
  size_t rank = options.offset;
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    Hit hit;
    hit.rank = ++rank;
    hit.score = it.get_weight();
    hit.docid = *it;
    hit.article = from_document_data(it.get_document().get_data());
    segmenter.tokenize(hit.article.text, body, true);
    hit.snippet = make_snippet(hit.article.text, body, cq.highlights(body), options.snippet_columns);
    results.hits.push_back(std::move(hit));
  }
  return results;
}

}  // namespace newsidx
