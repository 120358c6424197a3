// search.cpp — ranked retrieval (candidate query, verification, snippets), counts and facets,
// finding one article, "more like this", and database statistics.
#include "newsidx/search.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "file_records.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"

namespace fs = std::filesystem;

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

template <class T, class F>
Result<T> Searcher::with_retry(F&& body) {
  // A concurrent `index` may commit twice while we read, recycling blocks of the revision we
  // opened (DatabaseModifiedError): reopen at the newest revision and run again.
  for (int attempt = 0;; ++attempt) {
    try {
      return body();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 4) return Error{ExitCode::internal, "the database kept changing while it was read", ""};
      m_db.reopen();
    } catch (const Xapian::Error& e) {
      return Error{ExitCode::internal, fmt::format("search failed: {}", e.get_description()), ""};
    } catch (const std::exception& e) {
      return Error{ExitCode::db_invalid, fmt::format("unreadable document data: {}", e.what()),
                   "rebuild the database: newsidx index --reindex PATH..."};
    }
  }
}

Result<SearchResults> Searcher::search(std::string_view query, const SearchOptions& options) {
  Result<CompiledQuery> compiled = compile_query(query, options.filters);
  if (!compiled) return compiled.error();
  const CompiledQuery& cq = *compiled;
  return with_retry<SearchResults>([&] { return run(cq.xapian_query(), cq.verifier(), cq, options); });
}

SearchResults Searcher::run(const Xapian::Query& query, Xapian::MatchDecider* verifier, const CompiledQuery& highlight,
                            const SearchOptions& options, Xapian::docid exclude) {
  Xapian::Enquire enquire(m_db);
  enquire.set_query(query);
  switch (options.sort) {
    // Equal scores (e.g. a query of filters only) list the newest article first.
    case SortOrder::relevance: enquire.set_sort_by_relevance_then_value(k_slot_published, true); break;
    case SortOrder::newest: enquire.set_sort_by_value_then_relevance(k_slot_published, true); break;
    case SortOrder::oldest: enquire.set_sort_by_value_then_relevance(k_slot_published, false); break;
  }
  // Qualifying documents in rank order: (docid, weight, document).
  struct Candidate {
    Xapian::docid docid;
    double weight;
    Xapian::Document doc;
    std::optional<StoredArticle> article;  // decoded once, when first needed
  };
  std::vector<Candidate> ranked;
  SearchResults results;
  const size_t wanted = options.offset + options.limit;
  // Relevance order is refined by the typed-form bonus over a window of the best candidates, so
  // a bounded search looks at more than it returns.
  const bool rerank = options.sort == SortOrder::relevance;
  const size_t window = options.limit == 0 ? SIZE_MAX : rerank ? std::max<size_t>(64, 2 * wanted) : wanted;
  if (verifier && options.limit != 0) {
    // Top-k with verification: walk the candidates in rank order, in growing batches, and
    // verify only until the window is full. Dropping false candidates does not change the
    // order of the others, so this equals a full verified match, at a cost of about `window`
    // checks instead of one per candidate.
    Xapian::doccount first = 0;
    Xapian::doccount batch = static_cast<Xapian::doccount>(std::max<size_t>(64, 2 * window));
    for (;;) {
      const Xapian::MSet mset = enquire.get_mset(first, batch);
      if (first == 0) results.total = mset.get_matches_estimated();
      for (auto it = mset.begin(); it != mset.end() && ranked.size() < window; ++it) {
        Xapian::Document doc = it.get_document();
        if (*it != exclude && (*verifier)(doc)) ranked.push_back({*it, it.get_weight(), std::move(doc), std::nullopt});
      }
      if (ranked.size() >= window || mset.size() < batch) break;
      first += batch;
      batch *= 4;
    }
    results.total_exact = false;  // candidates were counted, not all verified
  } else {
    const Xapian::doccount size =
        options.limit == 0 ? m_db.get_doccount() : static_cast<Xapian::doccount>(window + (exclude ? 1 : 0));
    const Xapian::MSet mset = enquire.get_mset(0, size, 0, nullptr, verifier);
    results.total = mset.get_matches_estimated();
    results.total_exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      if (*it == exclude) {
        --results.total;
        continue;
      }
      ranked.push_back({*it, it.get_weight(), it.get_document(), std::nullopt});
    }
  }
  if (rerank) {
    for (Candidate& c : ranked) {
      c.article = from_document_data(c.doc.get_data());
      c.weight *= highlight.typed_form_bonus(*c.article);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const Candidate& a, const Candidate& b) { return a.weight > b.weight; });
  }
  if (options.limit != 0 && ranked.size() > wanted) ranked.resize(wanted);

  Segmenter segmenter;
  TokenStream body;
  for (size_t i = options.offset; i < ranked.size(); ++i) {
    Hit hit;
    hit.rank = i + 1;
    hit.score = ranked[i].weight;
    hit.docid = ranked[i].docid;
    hit.article = ranked[i].article ? std::move(*ranked[i].article) : from_document_data(ranked[i].doc.get_data());
    if (options.snippets) {
      segmenter.tokenize(hit.article.text, body, Segmenter::k_source_offsets);
      hit.snippet = make_snippet(hit.article.text, body, highlight.highlights(body), options.snippet_columns);
    }
    results.hits.push_back(std::move(hit));
  }
  return results;
}

Result<size_t> Searcher::count(std::string_view query, const QueryFilters& filters) {
  Result<CompiledQuery> compiled = compile_query(query, filters);
  if (!compiled) return compiled.error();
  return with_retry<size_t>([&] {
    Xapian::Enquire enquire(m_db);
    enquire.set_query(compiled->xapian_query());
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    // checkatleast = all documents: every candidate is verified, so the count is exact.
    const Xapian::MSet mset = enquire.get_mset(0, 0, m_db.get_doccount(), nullptr, compiled->verifier());
    return static_cast<size_t>(mset.get_matches_estimated());
  });
}

Result<std::vector<FacetCount>> Searcher::facet(std::string_view query, const QueryFilters& filters, FacetKind kind) {
  Result<CompiledQuery> compiled = compile_query(query, filters);
  if (!compiled) return compiled.error();
  return with_retry<std::vector<FacetCount>>([&] {
    Xapian::Enquire enquire(m_db);
    enquire.set_query(compiled->xapian_query());
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    Xapian::ValueCountMatchSpy spy(kind == FacetKind::source ? k_slot_source : k_slot_month);
    enquire.add_matchspy(&spy);
    enquire.get_mset(0, 0, m_db.get_doccount(), nullptr, compiled->verifier());
    std::map<std::string, size_t> counts;
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
      const std::string value = kind == FacetKind::year ? (*it).substr(0, 4) : *it;
      counts[value] += static_cast<size_t>(it.get_termfreq());
    }
    std::vector<FacetCount> out;
    for (auto& [value, n] : counts) out.push_back({value, n});
    if (kind == FacetKind::source) {
      std::stable_sort(out.begin(), out.end(), [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
    }
    return out;
  });
}

Result<Xapian::docid> Searcher::resolve(std::string_view ref) {
  const auto not_found = [&] {
    return Error{ExitCode::no_results, fmt::format("{}: no such article in the database", ref),
                 "give a document id, a URL or a file path from search output"};
  };
  return with_retry<Xapian::docid>([&]() -> Result<Xapian::docid> {
    Xapian::docid docid = 0;
    const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), docid);
    if (ec == std::errc() && end == ref.data() + ref.size() && docid > 0) {
      try {
        m_db.get_document(docid);
        return docid;
      } catch (const Xapian::DocNotFoundError&) {
        return not_found();
      }
    }
    auto by_url = [&](const std::string& url) -> Xapian::docid {
      const std::string term = unique_id_term(url);
      Xapian::PostingIterator it = m_db.postlist_begin(term);
      return it == m_db.postlist_end(term) ? 0 : *it;
    };
    if (Xapian::docid d = by_url(std::string(ref))) return d;
    // A file path: its record names the URL.
    if (std::optional<FileRecord> rec = decode_record(m_db.get_metadata(record_key(absolute_normal(std::string(ref)))));
        rec && rec->state == FileState::indexed) {
      if (Xapian::docid d = by_url(rec->url)) return d;
    }
    return not_found();
  });
}

Result<StoredArticle> Searcher::article(Xapian::docid docid) {
  return with_retry<StoredArticle>([&]() -> Result<StoredArticle> {
    try {
      return from_document_data(m_db.get_document(docid).get_data());
    } catch (const Xapian::DocNotFoundError&) {
      return Error{ExitCode::no_results, fmt::format("{}: no such document", docid), ""};
    }
  });
}

namespace {

/// Accepts word terms only: unprefixed (prefixes are upper case), not numbers, and long
/// enough to mean something (CJK words have ≥ 2 characters by construction).
class WordTermDecider : public Xapian::ExpandDecider {
 public:
  bool operator()(const std::string& term) const override {
    if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z')) return false;
    if (std::all_of(term.begin(), term.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == ','; })) {
      return false;
    }
    const bool ascii = static_cast<unsigned char>(term[0]) < 0x80;
    return !ascii || term.size() >= 3;
  }
};

}  // namespace

Result<SearchResults> Searcher::similar(Xapian::docid docid, const SearchOptions& options) {
  return with_retry<SearchResults>([&]() -> Result<SearchResults> {
    Xapian::Enquire enquire(m_db);
    Xapian::RSet rset;
    rset.add_document(docid);
    WordTermDecider words;
    constexpr Xapian::termcount k_terms = 24;
    const Xapian::ESet eset = enquire.get_eset(k_terms, rset, &words);
    if (eset.empty()) return SearchResults{};
    std::vector<std::string> terms(eset.begin(), eset.end());
    std::string as_query;
    for (const std::string& t : terms) as_query += (as_query.empty() ? "" : " OR ") + t;
    Result<CompiledQuery> highlight = compile_query(as_query);
    if (!highlight) return highlight.error();
    Xapian::Query query(Xapian::Query::OP_OR, terms.begin(), terms.end());
    if (!options.filters.sources.empty() || options.filters.since_ms || options.filters.until_ms) {
      Result<CompiledQuery> filters = compile_query("", options.filters);
      if (!filters) return filters.error();
      query = Xapian::Query(Xapian::Query::OP_FILTER, query, filters->xapian_query());
    }
    return run(query, nullptr, *highlight, options, docid);
  });
}

Result<DatabaseStats> Searcher::stats(const std::string& db_path) {
  return with_retry<DatabaseStats>([&] {
    DatabaseStats s;
    s.articles = m_db.get_doccount();
    s.schema = m_db.get_metadata(std::string(k_meta_schema));
    s.tokenizer = m_db.get_metadata(std::string(k_meta_tokenizer));
    const std::string lo = m_db.get_value_lower_bound(k_slot_published);
    const std::string hi = m_db.get_value_upper_bound(k_slot_published);
    if (!lo.empty()) s.first_ms = static_cast<int64_t>(Xapian::sortable_unserialise(lo) * 1000.0 + 0.5);
    if (!hi.empty()) s.last_ms = static_cast<int64_t>(Xapian::sortable_unserialise(hi) * 1000.0 + 0.5);
    Xapian::Enquire enquire(m_db);
    enquire.set_query(Xapian::Query::MatchAll);
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    Xapian::ValueCountMatchSpy sources(k_slot_source);
    Xapian::ValueCountMatchSpy months(k_slot_month);
    enquire.add_matchspy(&sources);
    enquire.add_matchspy(&months);
    enquire.get_mset(0, 0, m_db.get_doccount());
    for (auto it = sources.top_values_begin(1000000); it != sources.top_values_end(1000000); ++it) {
      s.sources.push_back({*it, static_cast<size_t>(it.get_termfreq())});
    }
    for (auto it = months.values_begin(); it != months.values_end(); ++it) {
      s.months.push_back({*it, static_cast<size_t>(it.get_termfreq())});
    }
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(db_path, ec)) {
      if (e.is_regular_file(ec)) s.disk_bytes += e.file_size(ec);
    }
    return s;
  });
}

}  // namespace newsidx
