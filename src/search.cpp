// search.cpp — ranked retrieval (candidate query, verification, snippets), counts and facets,
// finding one article, "more like this", and database statistics.
#include "newsidx/search.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <queue>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "file_records.hpp"
#include "newsidx/pipeline.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"

namespace fs = std::filesystem;

namespace newsidx {

namespace {

/// "Couldn't connect (Connection refused)": Xapian's message and the system error, if any.
std::string network_message(const Xapian::Error& e) {
  const char* system = e.get_error_string();
  return system && *system ? fmt::format("{} ({})", e.get_msg(), system) : e.get_msg();
}

Error unavailable(const Shard& shard, const Xapian::Error& e) {
  return Error{ExitCode::unavailable, fmt::format("shard {}: {}", shard.location, network_message(e)),
               "is its xapian-tcpsrv running? --allow-partial searches the shards that answer"};
}

bool is_network_error(const Xapian::Error& e) {
  const std::string_view type = e.get_type();
  return type == "NetworkError" || type == "NetworkTimeoutError";
}

Xapian::Database open_shard(const Shard& shard, unsigned timeout_ms) {
  if (!shard.remote) return Xapian::Database(shard.location);
  const size_t colon = shard.location.rfind(':');
  const unsigned port =
      colon == std::string::npos ? 0 : static_cast<unsigned>(std::atoi(shard.location.c_str() + colon + 1));
  if (port == 0) throw Xapian::NetworkError("expected HOST:PORT");
  return Xapian::Remote::open(shard.location.substr(0, colon), port, timeout_ms, timeout_ms);
}

}  // namespace

Result<Searcher> Searcher::open(const std::vector<std::string>& dbs, const OpenOptions& options) {
  std::vector<OpenShard> shards;
  std::vector<Xapian::Database> records;
  std::vector<std::string> warnings;
  for (const std::string& path : dbs) {
    Result<std::vector<Shard>> listed = list_shards(path);
    if (!listed) return listed.error();
    if (const std::string r = records_location(path); !r.empty()) {
      try {
        records.emplace_back(r);
      } catch (const Xapian::Error& e) {
        return database_error(r, e);
      }
    }
    for (Shard& shard : *listed) {
      try {
        Xapian::Database db = open_shard(shard, options.remote_timeout_ms);
        if (Status s = check_schema(db); !s) {
          return Error{s.error().code, fmt::format("{}: {}", shard.location, s.error().message), s.error().hint};
        }
        shards.push_back(OpenShard{std::move(shard), std::move(db)});
      } catch (const Xapian::Error& e) {
        if (!is_network_error(e)) return database_error(shard.location, e);
        if (!options.allow_partial) return unavailable(shard, e);
        warnings.push_back(fmt::format("shard {} left out: {}", shard.location, network_message(e)));
      }
    }
  }
  return Searcher(std::move(shards), std::move(records), options, std::move(warnings));
}

Searcher::Searcher(std::vector<OpenShard> shards, std::vector<Xapian::Database> records, OpenOptions options,
                   std::vector<std::string> warnings)
    : m_shards(std::move(shards)), m_records(std::move(records)), m_options(options), m_warnings(std::move(warnings)) {
  combine();
}

void Searcher::combine() {
  m_db = Xapian::Database();
  m_remote = false;
  for (const OpenShard& s : m_shards) {
    m_db.add_database(s.db);
    m_remote = m_remote || s.shard.remote;
  }
}

bool Searcher::drop_unreachable() {
  if (!m_options.allow_partial) return false;
  const size_t before = m_shards.size();
  std::erase_if(m_shards, [&](OpenShard& s) {
    if (!s.shard.remote) return false;
    try {
      s.db.reopen();  // a round trip to the server
      return false;
    } catch (const Xapian::Error& e) {
      m_warnings.push_back(fmt::format("shard {} left out: {}", s.shard.location, network_message(e)));
      return true;
    }
  });
  if (m_shards.size() == before) return false;
  combine();
  return true;
}

Searcher::View Searcher::view(const QueryFilters& filters) const {
  View v{Xapian::Database(), {}, m_shards.size()};
  const int64_t since = filters.since_ms.value_or(INT64_MIN);
  const int64_t until = filters.until_ms.value_or(INT64_MAX);
  const bool dated = filters.since_ms || filters.until_ms;
  for (size_t i = 0; i < m_shards.size(); ++i) {
    const Shard& s = m_shards[i].shard;
    if (dated && (s.undated_only || s.to_ms <= since || s.from_ms >= until)) continue;  // ruled out by the dates
    v.shards.push_back(i);
    v.db.add_database(m_shards[i].db);
  }
  return v;
}

std::vector<std::string> Searcher::shards_searched(const QueryFilters& filters) const {
  std::vector<std::string> names;
  for (size_t i : view(filters).shards) names.push_back(m_shards[i].shard.name);
  return names;
}

Xapian::docid Searcher::View::global(Xapian::docid d) const {
  const size_t k = shards.size();
  if (k == all) return d;
  const Xapian::docid local = (d - 1) / static_cast<Xapian::docid>(k);  // 0-based within its shard
  return local * static_cast<Xapian::docid>(all) + static_cast<Xapian::docid>(shards[(d - 1) % k]) + 1;
}

template <class T, class F>
Result<T> Searcher::with_retry(F&& body) {
  // A concurrent `index` may commit twice while we read, recycling blocks of the revision we
  // opened (DatabaseModifiedError): reopen at the newest revision and run again. A remote shard
  // that stops answering is left out when allow_partial.
  for (int attempt = 0;; ++attempt) {
    try {
      return body();
    } catch (const Xapian::DatabaseModifiedError&) {
      if (attempt >= 4) return Error{ExitCode::internal, "the database kept changing while it was read", ""};
      ++m_retries;
      for (OpenShard& s : m_shards) s.db.reopen();
      combine();
    } catch (const Xapian::WildcardError& e) {
      return wildcard_error(e);
    } catch (const Xapian::Error& e) {
      if (is_network_error(e)) {
        if (attempt < 4 && drop_unreachable()) continue;
        return Error{ExitCode::unavailable, fmt::format("a remote shard failed: {}", network_message(e)),
                     "is its xapian-tcpsrv running? --allow-partial searches the shards that answer"};
      }
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
  return with_retry<SearchResults>(
      [&] { return run(view(options.filters), cq.xapian_query(), cq.verifier(), cq, options, "", query); });
}

namespace {

/// A document holding only `stored`'s data, read once: the verifier and the caller both read
/// it, and Xapian reads and inflates it again on every get_data().
Xapian::Document data_only(const Xapian::Document& stored) {
  Xapian::Document doc;
  doc.set_data(stored.get_data());
  return doc;
}

/// Visits, in rank order, the candidates of `enquire` that `verifier` accepts until `visit`
/// returns false. The candidates are fetched in growing batches (starting at `batch`) and
/// verified here, not in a MatchDecider, which the remote backend cannot run.
template <class F>
void for_each_verified(Xapian::Enquire& enquire, Xapian::MatchDecider& verifier, Xapian::doccount batch, F&& visit) {
  Xapian::doccount first = 0;
  for (;;) {
    const Xapian::MSet mset = enquire.get_mset(first, batch);
    for (auto it = mset.begin(); it != mset.end(); ++it) {
      const Xapian::Document doc = data_only(it.get_document());
      if (verifier(doc) && !visit(it, doc)) return;
    }
    if (mset.size() < batch) return;
    first += batch;
    batch *= 4;
  }
}

void set_order(Xapian::Enquire& enquire, SortOrder sort) {
  switch (sort) {
    // Equal scores (e.g. a query of filters only) list the newest article first.
    case SortOrder::relevance:
      enquire.set_sort_by_relevance_then_value(k_slot_published, true);
      break;
    case SortOrder::newest:
      enquire.set_sort_by_value_then_relevance(k_slot_published, true);
      break;
    case SortOrder::oldest:
      enquire.set_sort_by_value_then_relevance(k_slot_published, false);
      break;
  }
}

/// Slice k of n of the document ids [1, last]: [first, end).
std::pair<Xapian::docid, Xapian::docid> docid_slice(uint64_t last, unsigned k, unsigned n) {
  return {static_cast<Xapian::docid>(last * k / n) + 1, static_cast<Xapian::docid>(last * (k + 1) / n) + 1};
}

/// Matches one slice of the document ids of every sub-database: slice k of n of [1, last docid].
/// Used as an OP_FILTER, so it adds no weight. Xapian gives each sub-database its own clone and
/// sub-database docids.
class DocidSlice : public Xapian::PostingSource {
 public:
  DocidSlice(unsigned k, unsigned n) : m_k(k), m_n(n) {}
  void init(const Xapian::Database& db) override {
    std::tie(m_lo, m_hi) = docid_slice(db.get_lastdocid(), m_k, m_n);
    m_at = 0;
  }
  [[nodiscard]] Xapian::doccount get_termfreq_min() const override { return m_hi - m_lo; }
  [[nodiscard]] Xapian::doccount get_termfreq_est() const override { return m_hi - m_lo; }
  [[nodiscard]] Xapian::doccount get_termfreq_max() const override { return m_hi - m_lo; }
  void next(double) override { m_at = m_at == 0 ? m_lo : m_at + 1; }
  void skip_to(Xapian::docid did, double) override { m_at = std::max({m_at, did, m_lo}); }
  [[nodiscard]] bool at_end() const override { return m_at >= m_hi; }
  [[nodiscard]] Xapian::docid get_docid() const override { return m_at; }
  [[nodiscard]] DocidSlice* clone() const override { return new DocidSlice(m_k, m_n); }

 private:
  unsigned m_k, m_n;
  Xapian::docid m_lo = 1, m_hi = 1, m_at = 0;
};

/// A candidate in rank order: its docid in m_db, weight, sort value, collapse key and document
/// data.
struct Candidate {
  Xapian::docid docid;
  double weight;
  std::string sort_key;  ///< the publish-time value: the ranking's tie-break, or its first key
  std::string url_key;   ///< k_slot_url: the versions of one URL share it
  std::string data;
  std::optional<StoredArticle> article;  // decoded once, when first needed
};

/// The best `window` matches of `enquire` in its rank order (every match when window is
/// SIZE_MAX), one per URL (its best-ranked matching version), each confirmed by `verifier` if
/// there is one (checking candidates fetched in growing batches, the first of `batch`), without
/// the URL whose collapse key is `exclude` (if not empty).
std::vector<Candidate> collect(Xapian::Enquire& enquire, Xapian::MatchDecider* verifier, size_t window,
                               Xapian::doccount batch, bool remote, Xapian::doccount doccount,
                               const std::function<Xapian::docid(Xapian::docid)>& global, const std::string& exclude) {
  std::vector<Candidate> ranked;
  if (verifier && (window != SIZE_MAX || remote)) {
    // Top-k with verification: walk the candidates in rank order, in growing batches, and
    // verify only until the window is full. Dropping false candidates does not change the
    // order of the others, so this equals a full verified match, at a cost of about `window`
    // checks instead of one per candidate. Xapian would collapse before this verification
    // (dropping a version that verifies behind one that does not), so each URL's first verified
    // version is kept here instead.
    std::unordered_set<std::string> urls{exclude};
    for_each_verified(enquire, *verifier, batch, [&](const Xapian::MSetIterator& it, const Xapian::Document& doc) {
      std::string url_key = it.get_document().get_value(k_slot_url);
      if (urls.insert(url_key).second) {
        ranked.push_back(
            {global(*it), it.get_weight(), it.get_sort_key(), std::move(url_key), doc.get_data(), std::nullopt});
      }
      return ranked.size() < window;
    });
    return ranked;
  }
  // A MatchDecider runs before Xapian collapses, so the version kept for a URL is its best match.
  enquire.set_collapse_key(k_slot_url);
  const Xapian::doccount size =
      window == SIZE_MAX ? doccount : static_cast<Xapian::doccount>(window + (exclude.empty() ? 0 : 1));
  const Xapian::MSet mset = enquire.get_mset(0, size, 0, nullptr, verifier);
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    if (it.get_collapse_key() == exclude && !exclude.empty()) continue;
    ranked.push_back({global(*it), it.get_weight(), it.get_sort_key(), it.get_collapse_key(),
                      it.get_document().get_data(), std::nullopt});
  }
  if (ranked.size() > window) ranked.resize(window);
  return ranked;
}

/// True if `a` ranks before `b` in the order set_order(sort) gives a Xapian match (documents
/// with equal keys in docid order).
bool ranks_before(const Candidate& a, const Candidate& b, SortOrder sort) {
  if (sort == SortOrder::relevance) {
    if (a.weight != b.weight) return a.weight > b.weight;
    if (a.sort_key != b.sort_key) return a.sort_key > b.sort_key;
  } else {
    if (a.sort_key != b.sort_key) return sort == SortOrder::newest ? a.sort_key > b.sort_key : a.sort_key < b.sort_key;
    if (a.weight != b.weight) return a.weight > b.weight;
  }
  return a.docid < b.docid;
}

/// The weighted terms of a query that match_terms_in_slice can match: one group (a term, or an
/// OP_SYNONYM of two terms: `中`, or `香港` as `XG香港 SYNONYM 香港`), or an OP_AND of two
/// groups (`特朗普`, `疫情 经济`). Empty for any other query. Xapian adds the weights of an AND's
/// subqueries in an order of its own; with two, the order cannot change the sum.
std::vector<std::vector<std::string>> term_groups(const Xapian::Query& q) {
  const auto group = [](const Xapian::Query& g) -> std::vector<std::string> {
    if (g.get_type() == Xapian::Query::LEAF_TERM) return {*g.get_terms_begin()};
    if (g.get_type() != Xapian::Query::OP_SYNONYM || g.get_num_subqueries() != 2) return {};
    std::vector<std::string> terms;
    for (size_t i = 0; i < 2; ++i) {
      if (g.get_subquery(i).get_type() != Xapian::Query::LEAF_TERM) return {};
      terms.push_back(*g.get_subquery(i).get_terms_begin());
    }
    return terms;
  };
  if (q.get_type() != Xapian::Query::OP_AND) {
    std::vector<std::string> one = group(q);
    return one.empty() ? std::vector<std::vector<std::string>>{}
                       : std::vector<std::vector<std::string>>{std::move(one)};
  }
  if (q.get_num_subqueries() != 2) return {};
  std::vector<std::vector<std::string>> groups;
  for (size_t i = 0; i < 2; ++i) {
    groups.push_back(group(q.get_subquery(i)));
    if (groups.back().empty()) return {};
  }
  return groups;
}

/// Xapian's BM25Weight with its default parameters (k1 = 1, k2 = 0, k3 = 1, b = 0.5,
/// min_normlen = 0.5) for a term or synonym that the query holds once, computed in the order
/// of xapian-core 1.4's bm25weight.cc so that the weights equal a Xapian match's to the bit
/// (tests/test_shards.cpp compares every page with one Xapian match). `termfreq` is the
/// term's (for a synonym, Xapian's estimate; see match_terms_in_slice).
class Bm25 {
 public:
  Bm25(double collection_size, double termfreq, double average_length) {
    double tw = (collection_size - termfreq + 0.5) / (termfreq + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;  // Xapian's positive weight for a term in most documents
    m_termweight = std::log(tw);
    m_len_factor = average_length != 0 ? 1 / average_length : 0;
  }
  [[nodiscard]] double operator()(Xapian::termcount wdf, Xapian::termcount doclen) const {
    const double normlen = std::max(doclen * m_len_factor, 0.5);
    const double w = wdf;
    return m_termweight * (w * 2 / (normlen * 0.5 + 0.5 + w));
  }

 private:
  double m_termweight = 0, m_len_factor = 0;
};

/// A match of match_terms_in_slice: its shard (index in `shards`), its docid there, and the
/// candidate (docid in the Searcher's database, weight, publish-time value; no data yet).
struct SliceHit {
  size_t shard;
  Xapian::docid local;
  Candidate candidate;
};

/// The best `size` documents, in relevance order (ranks_before), of a query of one or two
/// term groups (see term_groups) over slice k of n of every shard's document ids, with the
/// statistics of `all` (the shards as one database); `global` maps docids of `all` to the
/// Searcher's.
///
/// Matching in slices otherwise ANDs the query with a docid range (DocidSlice), and for a term
/// in most documents that AND costs Xapian as much as the postings it saves: half of `中` (in
/// 95 % of 1,000,000 articles) took as long as all of it. This walks the slice's postings
/// directly, each shard from its first docid in the slice (two groups leapfrog with skip_to),
/// and scores each group with Bm25. A synonym's wdf is the sum of its terms' wdf, at most the
/// document length, and its term frequency is Xapian's estimate for an OR of independent terms
/// (OrPostList), rounded.
template <size_t G>  // the number of groups, fixed so that the loops over them unroll
std::vector<SliceHit> match_terms_in_slice(const std::vector<Xapian::Database>& shards, const Xapian::Database& all,
                                           const std::vector<std::vector<std::string>>& groups, unsigned k, unsigned n,
                                           size_t size, const std::function<Xapian::docid(Xapian::docid)>& global) {
  const double docs = all.get_doccount();
  std::vector<Bm25> bm25;
  for (const std::vector<std::string>& terms : groups) {
    double termfreq = all.get_termfreq(terms[0]);
    if (terms.size() == 2) {
      const double other = all.get_termfreq(terms[1]);
      termfreq = static_cast<Xapian::doccount>(termfreq + other - termfreq * other / docs + 0.5);
    }
    bm25.emplace_back(docs, termfreq, all.get_avlength());
  }
  const auto worse = [](const SliceHit& a, const SliceHit& b) {  // a heap's top is its worst
    return ranks_before(a.candidate, b.candidate, SortOrder::relevance);
  };
  std::priority_queue<SliceHit, std::vector<SliceHit>, decltype(worse)> best(worse);
  const auto n_shards = static_cast<Xapian::docid>(shards.size());
  for (size_t i = 0; i < shards.size(); ++i) {
    const Xapian::Database& shard = shards[i];
    // Plain variables, not a structured binding: the lambdas below capture them (clang 14 refuses).
    Xapian::docid lo = 0, hi = 0;
    std::tie(lo, hi) = docid_slice(shard.get_lastdocid(), k, n);
    // One cursor per term: its iterator and its docid, or hi past the end of the slice.
    struct Cursor {
      Xapian::PostingIterator it;
      Xapian::docid at;
    };
    const Xapian::PostingIterator end;
    const auto settle = [&](Cursor& c) { c.at = c.it == end ? hi : std::min(*c.it, hi); };
    std::array<std::vector<Cursor>, G> cursors;
    for (size_t g = 0; g < G; ++g) {
      for (const std::string& t : groups[g]) {
        Cursor& c = cursors[g].emplace_back(Cursor{shard.postlist_begin(t), hi});
        if (c.it != end) c.it.skip_to(lo);
        settle(c);
      }
    }
    const auto first = [](const std::vector<Cursor>& group) {  // the group's next docid
      Xapian::docid d = group[0].at;
      for (const Cursor& c : group) d = std::min(d, c.at);
      return d;
    };
    Xapian::ValueIterator value = shard.valuestream_begin(k_slot_published);
    const Xapian::ValueIterator values_end;
    const auto sort_key = [&](Xapian::docid d) {  // docids only grow, so the value stream moves forward
      if (value != values_end) value.skip_to(d);
      return value != values_end && value.get_docid() == d ? *value : std::string();
    };
    for (;;) {
      // The next document every group holds: move each group up to the furthest one's docid.
      Xapian::docid d = first(cursors[0]);
      if constexpr (G == 2) {
        d = std::max(d, first(cursors[1]));
        bool aligned = true;
        for (auto& group : cursors) {
          for (Cursor& c : group) {
            if (c.at < d) c.it.skip_to(d), settle(c);
          }
          aligned = aligned && first(group) == d;
        }
        if (!aligned) continue;
      }
      if (d == hi) break;
      std::array<Xapian::termcount, G> wdf{};
      for (size_t g = 0; g < G; ++g) {
        for (const Cursor& c : cursors[g]) wdf[g] += c.at == d ? c.it.get_wdf() : 0;
      }
      // Reading the length costs as much as the rest of a posting. The weight can be no more
      // than with the shortest length (normlen 0.5), and in a full heap most postings of a
      // common term (wdf 1 or 2) cannot reach its worst weight even so.
      const bool full = best.size() == size;
      double bound = 0;
      for (size_t g = 0; g < G; ++g) bound += bm25[g](wdf[g], 0);
      const bool hopeless = full && bound < best.top().candidate.weight;
      Xapian::termcount doclen = 0;
      for (auto& group : cursors) {
        for (Cursor& c : group) {
          if (c.at != d) continue;
          if (!hopeless && doclen == 0) doclen = c.it.get_doclength();
          ++c.it;
          settle(c);
        }
      }
      if (hopeless) continue;
      double weight = 0;
      for (size_t g = 0; g < G; ++g) {
        weight += bm25[g](groups[g].size() > 1 ? std::min(wdf[g], doclen) : wdf[g], doclen);
      }
      if (full && weight < best.top().candidate.weight) continue;  // no value read
      // Xapian interleaves the docids of the shards it combines.
      const Xapian::docid combined = (d - 1) * n_shards + static_cast<Xapian::docid>(i) + 1;
      SliceHit hit{i, d, {global(combined), weight, sort_key(d), {}, {}, std::nullopt}};
      if (best.size() < size) {
        best.push(std::move(hit));
      } else if (worse(hit, best.top())) {
        best.pop();
        best.push(std::move(hit));
      }
    }
  }
  std::vector<SliceHit> ranked(best.size());
  for (size_t j = ranked.size(); j-- > 0; best.pop()) ranked[j] = best.top();
  return ranked;
}

/// The best `window` matches of match_terms_in_slice, each confirmed by `verifier` if there is
/// one, in rank order. Candidates are verified in rank order; when the first `batch` hold too
/// few, 4× more are matched (as for_each_verified re-fetches), and verification goes on after
/// the ones already seen, which a larger match ranks first again.
std::vector<Candidate> collect_terms_in_slice(const std::vector<Xapian::Database>& shards, const Xapian::Database& all,
                                              const std::vector<std::vector<std::string>>& groups, unsigned k,
                                              unsigned n, Xapian::MatchDecider* verifier, size_t window, size_t batch,
                                              const std::function<Xapian::docid(Xapian::docid)>& global) {
  std::vector<Candidate> ranked;
  std::unordered_set<std::string> urls;
  size_t seen = 0;
  for (size_t size = verifier ? batch : window;; size *= 4) {
    std::vector<SliceHit> hits = groups.size() == 1 ? match_terms_in_slice<1>(shards, all, groups, k, n, size, global)
                                                    : match_terms_in_slice<2>(shards, all, groups, k, n, size, global);
    for (; seen < hits.size() && ranked.size() < window; ++seen) {
      SliceHit& h = hits[seen];
      const Xapian::Document stored = shards[h.shard].get_document(h.local);
      const Xapian::Document doc = data_only(stored);
      if (verifier && !(*verifier)(doc)) continue;
      h.candidate.url_key = stored.get_value(k_slot_url);
      if (!urls.insert(h.candidate.url_key).second) continue;  // a better version of its URL came first
      h.candidate.data = doc.get_data();
      ranked.push_back(std::move(h.candidate));
    }
    if (ranked.size() >= window || hits.size() < size) return ranked;
  }
}

/// Runs match(opened, db, compiled, k) for each slice k of `slices`, each on its own thread
/// (slice 0 on the calling one) with its own handles of `shards` (`opened`, and `db` over them)
/// at the revisions the caller read, and its own compile of `query_text` (Xapian objects are not
/// thread-safe; the verifier owns ICU objects). Returns the parts in slice order. Throws what a
/// slice threw; Xapian::DatabaseModifiedError when a shard changed since (with_retry runs again).
template <class Part>
std::vector<Part> in_slices(const std::vector<ShardRevision>& shards, std::string_view query_text,
                            const QueryFilters& filters, unsigned slices,
                            const std::function<Part(const std::vector<Xapian::Database>&, Xapian::Database&,
                                                     CompiledQuery&, unsigned)>& match) {
  std::vector<Part> parts(slices);
  std::vector<std::exception_ptr> errors(slices);
  const auto match_slice = [&](unsigned k) {
    try {
      Xapian::Database db;
      std::vector<Xapian::Database> opened;
      for (const ShardRevision& s : shards) {
        opened.emplace_back(s.location);
        if (opened.back().get_revision() != s.revision)
          throw Xapian::DatabaseModifiedError("a shard changed during the search");
        db.add_database(opened.back());
      }
      Result<CompiledQuery> cq = compile_query(query_text, filters);
      if (!cq) throw std::logic_error(cq.error().message);  // it compiled before
      parts[k] = match(opened, db, *cq, k);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  };
  {
    // Joined even when a thread cannot be started (std::system_error unwinds through here).
    ThreadGroup group([] {});
    for (unsigned k = 1; k < slices; ++k) group.spawn([&, k] { match_slice(k); });
    match_slice(0);
    group.join();
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return parts;
}

/// `query` restricted to slice k of `slices` of the document ids.
Xapian::Query in_slice(const Xapian::Query& query, unsigned k, unsigned slices) {
  return {Xapian::Query::OP_FILTER, query, Xapian::Query((new DocidSlice(k, slices))->release())};
}

/// The best `window` verified candidates of `query_text` on `shards` (as one database), matched
/// by `slices` threads (see Searcher::search); `global` maps their docids to the Searcher's.
std::vector<Candidate> collect_sliced(const std::vector<ShardRevision>& shards,
                                      const std::function<Xapian::docid(Xapian::docid)>& global,
                                      std::string_view query_text, const SearchOptions& options, size_t window,
                                      Xapian::doccount batch, unsigned slices) {
  std::vector<std::vector<Candidate>> parts = in_slices<std::vector<Candidate>>(
      shards, query_text, options.filters, slices,
      [&](const std::vector<Xapian::Database>& opened, Xapian::Database& db, CompiledQuery& cq, unsigned k) {
        if (options.sort == SortOrder::relevance) {
          if (const auto groups = term_groups(cq.xapian_query()); !groups.empty()) {
            return collect_terms_in_slice(opened, db, groups, k, slices, cq.verifier(), window, batch, global);
          }
        }
        Xapian::Enquire enquire(db);
        enquire.set_query(in_slice(cq.xapian_query(), k, slices));
        set_order(enquire, options.sort);
        return collect(enquire, cq.verifier(), window, batch, false, db.get_doccount(), global, "");
      });
  std::vector<Candidate> merged;
  for (std::vector<Candidate>& part : parts) std::move(part.begin(), part.end(), std::back_inserter(merged));
  std::sort(merged.begin(), merged.end(),
            [&](const Candidate& a, const Candidate& b) { return ranks_before(a, b, options.sort); });
  // Versions of a URL in different slices: the best one stays. Each slice's list holds its best
  // `window` URLs, so the merged list still holds the best `window` URLs of the whole match.
  std::unordered_set<std::string> urls;
  std::erase_if(merged, [&](const Candidate& c) { return !urls.insert(c.url_key).second; });
  if (merged.size() > window) merged.resize(window);
  return merged;
}

/// The best `window` matches of `query` on `db` under --sort newest|oldest, found by matching
/// the newest (oldest) months first, or nullopt when that would not pay (the full match is
/// then run as usual). A value-sorted match reads the publish time of every candidate, so for a
/// term in most articles it reads nearly every document's value; restricted to a few months by
/// their M terms (schema.hpp) it reads only theirs. The months are taken in sort order until,
/// were matches spread evenly over time, they would hold 4 × window matches, and 4× more after
/// each shortfall. This is exact: every article of a later month ranks after every article of
/// the months matched, and undated articles (no value) rank last under newest (under oldest
/// they rank first, so a database that has any is left to the full match).
std::optional<std::vector<Candidate>> collect_by_months(const Xapian::Database& db, const Xapian::Query& query,
                                                        Xapian::MatchDecider* verifier, SortOrder sort, size_t window,
                                                        Xapian::doccount batch,
                                                        const std::function<Xapian::docid(Xapian::docid)>& global,
                                                        const std::string& exclude) {
  const std::string prefix(k_prefix_month);
  std::vector<std::pair<std::string, Xapian::doccount>> months;  // M term, articles
  Xapian::doccount dated = 0;
  for (auto it = db.allterms_begin(prefix); it != db.allterms_end(prefix); ++it) {
    months.emplace_back(*it, it.get_termfreq());
    dated += it.get_termfreq();
  }
  if (sort == SortOrder::newest) std::reverse(months.begin(), months.end());
  if (sort == SortOrder::oldest && dated < db.get_doccount()) return std::nullopt;
  Xapian::Enquire enquire(db);
  enquire.set_query(query);
  const double share =
      static_cast<double>(enquire.get_mset(0, 0).get_matches_estimated()) / std::max(1u, db.get_doccount());
  double expected = 0;  // matches expected in months [0, end)
  size_t end = 0;
  for (double target = 4.0 * static_cast<double>(window);; target *= 4) {
    while (end < months.size() && expected < target) expected += share * months[end++].second;
    if (end == months.size()) return std::nullopt;  // every month: the full match
    std::vector<Xapian::Query> terms;
    for (size_t i = 0; i < end; ++i) terms.emplace_back(months[i].first);
    enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query,
                                    Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end())));
    set_order(enquire, sort);
    std::vector<Candidate> ranked =
        collect(enquire, verifier, window, batch, false, db.get_doccount(), global, exclude);
    if (ranked.size() >= window) return ranked;
  }
}

}  // namespace

SearchResults Searcher::run(const View& view, const Xapian::Query& query, Xapian::MatchDecider* verifier,
                            const CompiledQuery& highlight, const SearchOptions& options, const std::string& exclude,
                            std::optional<std::string_view> query_text) {
  const Xapian::doccount doccount = view.db.get_doccount();
  // A limit or offset past the number of documents is cut to it, so that the sums below cannot
  // wrap (--limit 4294967296 gave a window of 0 documents, --offset 1 --limit 2^64-1 a sum of 0).
  const size_t limit = options.limit >= doccount ? 0 : options.limit;
  const size_t offset = std::min<size_t>(options.offset, doccount);
  const size_t wanted = offset + limit;
  // Relevance order is refined by the typed-form bonus over a window of the best candidates, so
  // a bounded search looks at more than it returns.
  const bool rerank = options.sort == SortOrder::relevance;
  const size_t window = limit == 0 ? SIZE_MAX : rerank ? std::max<size_t>(64, 2 * wanted) : wanted;
  // A re-fetch re-runs the whole match, so the first batch leaves room for rejections.
  const auto batch = static_cast<Xapian::doccount>(std::clamp<size_t>(
      window == SIZE_MAX ? SIZE_MAX : window * (highlight.verifies_exclusions() ? 8 : 2), 64, 1u << 20));
  unsigned slices = options.slices;
  if (slices == 0) {
    slices = static_cast<unsigned>(
        std::clamp<size_t>(doccount / k_docs_per_slice, 1, std::max(1u, std::thread::hardware_concurrency())));
  }
  const std::function<Xapian::docid(Xapian::docid)> global = [&](Xapian::docid d) { return view.global(d); };
  // A bounded search on local shards: by time, newest (oldest) months first; by relevance, in
  // slices. Otherwise, or when the months would not pay, one full match.
  const bool bounded_local = limit != 0 && !m_remote;
  std::optional<std::vector<Candidate>> found;
  if (bounded_local && options.sort != SortOrder::relevance) {
    found = collect_by_months(view.db, query, verifier, options.sort, window, batch, global, exclude);
  }
  if (!found && bounded_local && query_text && slices > 1) {
    found = collect_sliced(revisions(view), global, *query_text, options, window, batch, slices);
  }
  if (!found) {
    Xapian::Enquire enquire(view.db);
    enquire.set_query(query);
    set_order(enquire, options.sort);
    found = collect(enquire, verifier, window, batch, m_remote, doccount, global, exclude);
  }
  std::vector<Candidate>& ranked = *found;
  SearchResults results;
  if (rerank) {
    for (Candidate& c : ranked) {
      c.article = from_document_data(c.data);
      c.weight *= highlight.typed_form_bonus(*c.article);
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const Candidate& a, const Candidate& b) { return a.weight > b.weight; });
  }
  if (limit != 0 && ranked.size() > wanted) ranked.resize(wanted);

  Segmenter segmenter;
  TokenStream body;
  for (size_t i = offset; i < ranked.size(); ++i) {
    Hit hit;
    hit.rank = i + 1;
    hit.score = ranked[i].weight;
    hit.docid = ranked[i].docid;
    hit.article = ranked[i].article ? std::move(*ranked[i].article) : from_document_data(ranked[i].data);
    add_other_versions(hit.docid, hit.article);
    if (options.snippets) {
      segmenter.tokenize(hit.article.text, body, Segmenter::k_source_offsets);
      hit.snippet = make_snippet(hit.article.text, body, highlight.highlights(body), options.snippet_columns);
    }
    results.hits.push_back(std::move(hit));
  }
  return results;
}

void Searcher::add_other_versions(Xapian::docid docid, StoredArticle& a) const {
  const std::string term = url_term(a.url);
  if (m_db.get_termfreq(term) < 2) return;
  for (auto it = m_db.postlist_begin(term); it != m_db.postlist_end(term); ++it) {
    if (*it == docid) continue;
    const StoredArticle other = from_document_data(m_db.get_document(*it).get_data());
    a.files.insert(a.files.end(), other.files.begin(), other.files.end());
  }
}

namespace {

/// A match among the versions of URLs that have several (see version_matches).
struct VersionMatch {
  Xapian::docid docid;
  std::string url_key;  ///< k_slot_url
  std::string value;    ///< of the slot asked for
};

/// The matches of `query` (each confirmed by `verifier`, if any) among the versions of URLs
/// that have several (the XV documents, a few in a hundred), in docid order: each one's
/// collapse key and the value of `slot` (empty for Xapian::BAD_VALUENO). Counts over all
/// matches take out all but the first version of each URL with these.
std::vector<VersionMatch> version_matches(const Xapian::Database& db, const Xapian::Query& query,
                                          Xapian::MatchDecider* verifier, bool remote, Xapian::valueno slot) {
  std::vector<VersionMatch> out;
  if (db.get_termfreq(std::string(k_term_versions)) == 0) return out;
  Xapian::Enquire enquire(db);
  enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query, Xapian::Query(std::string(k_term_versions))));
  enquire.set_weighting_scheme(Xapian::BoolWeight());
  enquire.set_docid_order(Xapian::Enquire::ASCENDING);
  const Xapian::MSet mset = enquire.get_mset(0, db.get_doccount(), 0, nullptr, remote ? nullptr : verifier);
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    const Xapian::Document doc = it.get_document();
    if (remote && verifier && !(*verifier)(data_only(doc))) continue;
    out.push_back({*it, doc.get_value(k_slot_url), slot == Xapian::BAD_VALUENO ? "" : doc.get_value(slot)});
  }
  return out;
}

/// The values of the entries of version_matches after the first of their URL: what a count per
/// URL leaves out.
std::vector<std::string> later_versions(const std::vector<VersionMatch>& matches) {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (const VersionMatch& m : matches) {
    if (!seen.insert(m.url_key).second) out.push_back(m.value);
  }
  return out;
}

/// Candidates a thread of a full match (count, facet) verifies at the least: below it, a thread
/// and its database handles cost more than the verification they take over (a candidate costs
/// about 0.1 ms: its document data inflated, parsed and often folded).
constexpr Xapian::doccount k_verified_per_slice = 500;

}  // namespace

/// Every match of a query with the values of one slot among them, versions of a URL after its
/// first left out (articles, not versions).
struct Searcher::Tally {
  size_t matches = 0;
  std::map<std::string, size_t> values;  ///< value of the slot: matches that have it
};

Searcher::Tally Searcher::tally(const View& v, std::string_view query, const QueryFilters& filters,
                                const CompiledQuery& compiled, Xapian::valueno slot, unsigned slices) {
  Tally out;
  Xapian::MatchDecider* verifier = compiled.verifier();
  std::vector<VersionMatch> versions;
  if (m_remote && verifier) {  // verified here, a page at a time (remote shards cannot run our decider)
    Xapian::Enquire enquire(v.db);
    enquire.set_query(compiled.xapian_query());
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    for_each_verified(enquire, *verifier, 1000, [&](const Xapian::MSetIterator&, const Xapian::Document& doc) {
      ++out.matches;
      if (slot != Xapian::BAD_VALUENO) ++out.values[doc.get_value(slot)];
      return true;
    });
    versions = version_matches(v.db, compiled.xapian_query(), verifier, true, slot);
  } else {
    // One slice per k_verified_per_slice candidates, up to one per core (Xapian alone counts
    // unverified matches: one slice).
    if (slices == 0) {
      slices = 1;
      if (verifier && !m_remote) {
        Xapian::Enquire estimate(v.db);
        estimate.set_query(compiled.xapian_query());
        slices = std::clamp<unsigned>(estimate.get_mset(0, 0).get_matches_estimated() / k_verified_per_slice, 1,
                                      std::max(1u, std::thread::hardware_concurrency()));
      }
    }
    struct Part {
      Tally tally;
      std::vector<VersionMatch> versions;
    };
    const auto match = [&](Xapian::Database& db, const Xapian::Query& query, Xapian::MatchDecider* decider) {
      Part part;
      Xapian::Enquire enquire(db);
      enquire.set_query(query);
      enquire.set_weighting_scheme(Xapian::BoolWeight());
      std::optional<Xapian::ValueCountMatchSpy> spy;
      if (slot != Xapian::BAD_VALUENO) enquire.add_matchspy(&spy.emplace(slot));
      // checkatleast = all documents: every candidate is verified, so the count is exact.
      part.tally.matches = enquire.get_mset(0, 0, db.get_doccount(), nullptr, decider).get_matches_estimated();
      if (spy) {
        for (auto it = spy->values_begin(); it != spy->values_end(); ++it) part.tally.values[*it] = it.get_termfreq();
      }
      part.versions = version_matches(db, query, decider, false, slot);
      return part;
    };
    std::vector<Part> parts;
    if (slices == 1 || m_remote) {
      Xapian::Database db = v.db;
      parts.push_back(match(db, compiled.xapian_query(), verifier));
    } else {
      parts =
          in_slices<Part>(revisions(v), query, filters, slices,
                          [&](const std::vector<Xapian::Database>&, Xapian::Database& db, CompiledQuery& cq,
                              unsigned k) { return match(db, in_slice(cq.xapian_query(), k, slices), cq.verifier()); });
    }
    for (Part& p : parts) {
      out.matches += p.tally.matches;
      for (const auto& [value, n] : p.tally.values) out.values[value] += n;
      std::move(p.versions.begin(), p.versions.end(), std::back_inserter(versions));
    }
    // The first version of a URL is the one of the lowest docid, whichever slice it was in.
    std::stable_sort(versions.begin(), versions.end(),
                     [](const VersionMatch& a, const VersionMatch& b) { return a.docid < b.docid; });
  }
  for (const std::string& value : later_versions(versions)) {
    --out.matches;
    if (slot != Xapian::BAD_VALUENO && --out.values[value] == 0) out.values.erase(value);
  }
  return out;
}

std::vector<ShardRevision> Searcher::revisions(const View& v) const {
  std::vector<ShardRevision> out;
  for (size_t i : v.shards) out.push_back({m_shards[i].shard.location, m_shards[i].db.get_revision()});
  return out;
}

Result<size_t> Searcher::count(std::string_view query, const QueryFilters& filters, unsigned slices) {
  Result<CompiledQuery> compiled = compile_query(query, filters);
  if (!compiled) return compiled.error();
  return with_retry<size_t>(
      [&] { return tally(view(filters), query, filters, *compiled, Xapian::BAD_VALUENO, slices).matches; });
}

Result<std::vector<FacetCount>> Searcher::facet(std::string_view query, const QueryFilters& filters, FacetKind kind,
                                                unsigned slices) {
  Result<CompiledQuery> compiled = compile_query(query, filters);
  if (!compiled) return compiled.error();
  return with_retry<std::vector<FacetCount>>([&] {
    const Xapian::valueno slot = kind == FacetKind::source ? k_slot_source : k_slot_month;
    std::map<std::string, size_t> counts;
    for (const auto& [value, n] : tally(view(filters), query, filters, *compiled, slot, slices).values) {
      if (!value.empty()) counts[kind == FacetKind::year ? value.substr(0, 4) : value] += n;
    }
    std::vector<FacetCount> out;
    for (auto& [value, n] : counts) out.push_back({value, n});
    if (kind == FacetKind::source) {
      std::stable_sort(out.begin(), out.end(),
                       [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
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
    // The version of `url` that holds the file `abspath`, or (abspath empty) the winning copy.
    auto by_url = [&](const std::string& url, const std::string& abspath) -> Xapian::docid {
      const std::string term = url_term(url);
      Xapian::docid best = 0;
      std::optional<FileCopy> winner;
      for (auto it = m_db.postlist_begin(term); it != m_db.postlist_end(term); ++it) {
        const StoredArticle a = from_document_data(m_db.get_document(*it).get_data());
        for (const FileCopy& f : a.files) {
          if (!abspath.empty() && f.abspath == abspath) return *it;
        }
        if (!a.files.empty() && (!winner || copy_wins(a.files[0], *winner))) winner = a.files[0], best = *it;
      }
      return abspath.empty() ? best : 0;
    };
    if (Xapian::docid d = by_url(std::string(ref), "")) return d;
    // A file path: its record names the URL. The records are metadata of an unsharded
    // database, or of the records database of a sharded one (a bulk build leaves them in its
    // shards; Xapian reads metadata from the first shard only, so each shard is asked).
    const std::string abspath = absolute_normal(std::string(ref));
    const std::string key = record_key(abspath);
    std::vector<Xapian::Database> holders = m_records;
    for (Xapian::Database& db : holders) db.reopen();  // index may have written it since open()
    for (const OpenShard& shard : m_shards) holders.push_back(shard.db);
    for (const Xapian::Database& db : holders) {
      if (std::optional<FileRecord> rec = decode_record(db.get_metadata(key));
          rec && rec->state == FileState::indexed) {
        if (Xapian::docid d = by_url(rec->url, abspath)) return d;
      }
    }
    return not_found();
  });
}

Result<StoredArticle> Searcher::article(Xapian::docid docid) {
  return with_retry<StoredArticle>([&]() -> Result<StoredArticle> {
    try {
      StoredArticle a = from_document_data(m_db.get_document(docid).get_data());
      add_other_versions(docid, a);
      return a;
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
    if (options.filters.restricts()) {
      Result<CompiledQuery> filters = compile_query("", options.filters);
      if (!filters) return filters.error();
      query = Xapian::Query(Xapian::Query::OP_FILTER, query, filters->xapian_query());
    }
    return run(view(options.filters), query, nullptr, *highlight, options,
               m_db.get_document(docid).get_value(k_slot_url));
  });
}

namespace {

std::optional<int64_t> published_bound(const std::string& serialised) {
  if (serialised.empty()) return std::nullopt;
  return static_cast<int64_t>(Xapian::sortable_unserialise(serialised) * 1000.0 + 0.5);
}

}  // namespace

Result<DatabaseStats> Searcher::stats() {
  return with_retry<DatabaseStats>([&] {
    DatabaseStats s;
    const std::vector<VersionMatch> versions =
        version_matches(m_db, Xapian::Query::MatchAll, nullptr, false, k_slot_month);
    s.versions = m_db.get_doccount();
    s.articles = s.versions - later_versions(versions).size();
    if (!m_shards.empty()) {
      s.schema = m_shards[0].db.get_metadata(std::string(k_meta_schema));
      s.tokenizer = m_shards[0].db.get_metadata(std::string(k_meta_tokenizer));
    }
    s.first_ms = published_bound(m_db.get_value_lower_bound(k_slot_published));
    s.last_ms = published_bound(m_db.get_value_upper_bound(k_slot_published));
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
    // Articles, not versions.
    for (const std::string& month : later_versions(versions)) {
      for (FacetCount& c : s.months) c.count -= c.value == month;
    }
    for (const std::string& source :
         later_versions(version_matches(m_db, Xapian::Query::MatchAll, nullptr, false, k_slot_source))) {
      for (FacetCount& c : s.sources) c.count -= c.value == source;
    }
    std::sort(s.sources.begin(), s.sources.end(), [](const FacetCount& a, const FacetCount& b) {
      return a.count != b.count ? a.count > b.count : a.value < b.value;  // as ValueCountMatchSpy's top values
    });
    for (const OpenShard& shard : m_shards) {
      ShardStats st{shard.shard.name,
                    shard.shard.location,
                    shard.shard.remote,
                    shard.db.get_doccount(),
                    published_bound(shard.db.get_value_lower_bound(k_slot_published)),
                    published_bound(shard.db.get_value_upper_bound(k_slot_published)),
                    std::nullopt};
      if (!shard.shard.remote) {
        std::error_code ec;
        uint64_t bytes = 0;
        for (const auto& e : fs::recursive_directory_iterator(shard.shard.location, ec)) {
          if (e.is_regular_file(ec)) bytes += e.file_size(ec);
        }
        st.disk_bytes = bytes;
        s.disk_bytes += bytes;
      }
      s.shards.push_back(std::move(st));
    }
    return s;
  });
}

}  // namespace newsidx
