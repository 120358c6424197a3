// search.hpp — open a database read-only and run ranked queries.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/document.hpp"
#include "newsidx/error.hpp"
#include "newsidx/query.hpp"
#include "newsidx/snippet.hpp"
#include "newsidx/store.hpp"

namespace newsidx {

/// relevance: BM25, ties broken by newest first; newest/oldest: by publish time, then BM25.
enum class SortOrder : uint8_t { relevance, newest, oldest };

struct SearchOptions {
  size_t offset = 0;  ///< results to skip
  size_t limit = 10;  ///< results to return; 0 (or any number past the document count) = all
  SortOrder sort = SortOrder::relevance;
  size_t snippet_columns = 72;  ///< snippet width in terminal columns
  bool snippets = true;         ///< false: leave Hit::snippet empty (saves re-tokenizing each hit)
  QueryFilters filters;
  /// Threads that match a bounded search (limit > 0) on local shards, each over one slice of
  /// the document ids (see Searcher::search). 0 = automatic: one per core, but no more than one
  /// per k_docs_per_slice documents. Results are the same for every value.
  unsigned slices = 0;
};

/// Automatic slicing gives each slice at least this many documents: below it, a thread costs
/// more than the matching it takes over.
inline constexpr size_t k_docs_per_slice = 100000;

struct Hit {
  size_t rank = 0;          ///< 1-based, counting from the first match (offset included)
  double score = 0;         ///< BM25 weight (Xapian), higher is better
  Xapian::docid docid = 0;  ///< the version of its URL that matched (or ranked best)
  StoredArticle article;    ///< that version; its files, then those of the URL's other versions
  Snippet snippet;
};

enum class FacetKind : uint8_t { source, month, year };

/// One facet value and the number of matches that have it.
struct FacetCount {
  std::string value;  ///< a host, "YYYY-MM" or "YYYY"
  size_t count = 0;
};

/// One shard as `stats` reports it.
struct ShardStats {
  std::string name;      ///< period ("2020"), "main", or HOST:PORT
  std::string location;  ///< folder or HOST:PORT
  bool remote = false;
  size_t articles = 0;  ///< documents (versions of articles) in the shard
  std::optional<int64_t> first_ms, last_ms;
  std::optional<uint64_t> disk_bytes;  ///< local shards only
};

/// What `stats` reports.
struct DatabaseStats {
  size_t articles = 0;              ///< distinct URLs
  size_t versions = 0;              ///< documents: an article has one per distinct content
  std::optional<int64_t> first_ms;  ///< earliest publish time (epoch ms UTC)
  std::optional<int64_t> last_ms;   ///< latest publish time
  std::vector<FacetCount> sources;  ///< by count, largest first
  std::vector<FacetCount> months;   ///< by month, oldest first
  uint64_t disk_bytes = 0;          ///< size of the database folder on disk
  std::string schema;               ///< schema version stored in the database
  std::string tokenizer;            ///< tokenizer fingerprint stored in the database
  std::vector<ShardStats> shards;   ///< in the order of the stub file
};

struct SearchResults {
  std::vector<Hit> hits;
};

/// A local shard of a search and the revision the search opened (the threads of a sliced
/// search open their own handles at it).
struct ShardRevision {
  std::string location;
  Xapian::rev revision;
};

struct OpenOptions {
  /// Skip shards that cannot be opened or stop answering (each named in warnings()) instead of
  /// failing with ExitCode::unavailable.
  bool allow_partial = false;
  unsigned remote_timeout_ms = 10000;  ///< connect and per-message timeout of remote shards
};

/// A read-only view of a newsidx database: one or several shards (local folders and
/// xapian-tcpsrv servers, see store.hpp) searched as one Xapian database, so BM25 statistics
/// are global. A date filter (--since/--until) leaves out the date shards it rules out.
class Searcher {
 public:
  /// Opens every shard of every --db value (a folder or tcp://HOST:PORT). Errors: db_missing
  /// (no database at a path), db_invalid (not newsidx / other version), unavailable (a remote
  /// shard, unless options.allow_partial).
  static Result<Searcher> open(const std::vector<std::string>& dbs, const OpenOptions& options = {});
  static Result<Searcher> open(const std::string& db_path) { return open(std::vector<std::string>{db_path}); }

  /// Names of the shards a search with `filters` reads (the others are ruled out by its dates).
  [[nodiscard]] std::vector<std::string> shards_searched(const QueryFilters& filters) const;

  /// Shards that were left out (allow_partial), one "SHARD: reason" line each.
  [[nodiscard]] const std::vector<std::string>& warnings() const { return m_warnings; }

  /// Runs `query` (syntax in query.hpp). Errors: usage (query syntax), internal (Xapian).
  /// Intra-query parallelism: with several slices (SearchOptions::slices), each thread opens
  /// its own handles on the same database revision and matches the whole query restricted to
  /// one contiguous slice of every shard's document ids. Each thread's Enquire covers the whole
  /// database, so BM25 statistics and weights are those of one match; the threads' ranked lists
  /// are merged in Xapian's order (weight, then sort value, then document id), which gives the
  /// ranking of a single match. (The segment-parallel search of Lucene's IndexSearcher, with
  /// global statistics.)
  Result<SearchResults> search(std::string_view query, const SearchOptions& options);

  /// Exact number of matches of `query` (all candidates verified). Verification runs in
  /// `slices` threads (0 = automatic: one per 500 candidates, up to one per core); the count is
  /// the same for every value.
  Result<size_t> count(std::string_view query, const QueryFilters& filters, unsigned slices = 0);

  /// Counts over all matches of `query`: sources by count (largest first), months and years
  /// in order. `slices` as for count().
  Result<std::vector<FacetCount>> facet(std::string_view query, const QueryFilters& filters, FacetKind kind,
                                        unsigned slices = 0);

  /// Finds an article: a document id ("1234"), a URL ("https://..."), or a file path (any copy,
  /// as given at index time or any path to the same file). Errors: no_results if none.
  Result<Xapian::docid> resolve(std::string_view ref);

  /// The stored article of a document (one version of its URL), its files followed by those of
  /// the URL's other versions. Errors: no_results (no such document).
  Result<StoredArticle> article(Xapian::docid docid);

  /// Articles like `docid` ("more like this"): its most distinctive word terms (ICU words and
  /// Latin words; never n-grams, which make meaningless expansions), OR-ed and ranked by BM25.
  Result<SearchResults> similar(Xapian::docid docid, const SearchOptions& options);

  Result<DatabaseStats> stats();

  [[nodiscard]] const Xapian::Database& database() const { return m_db; }

  /// Reads run again since open() because a concurrent `index` had recycled the revision they
  /// read (Xapian::DatabaseModifiedError, see with_retry); for tests and diagnostics.
  [[nodiscard]] size_t retries() const { return m_retries; }

 private:
  struct OpenShard {
    Shard shard;
    Xapian::Database db;
  };
  /// The shards a search with `filters` needs, as one database, and how its docids map back.
  struct View {
    Xapian::Database db;
    std::vector<size_t> shards;  ///< indexes into m_shards
    size_t all = 0;              ///< m_shards.size()
    /// The docid in m_db of docid `d` of db (Xapian interleaves the docids of its shards).
    [[nodiscard]] Xapian::docid global(Xapian::docid d) const;
  };
  Searcher(std::vector<OpenShard> shards, std::vector<Xapian::Database> records, OpenOptions options,
           std::vector<std::string> warnings);
  /// Appends the files of the other versions of `a`'s URL (not document `docid`) to a.files.
  void add_other_versions(Xapian::docid docid, StoredArticle& a) const;
  View view(const QueryFilters& filters) const;
  /// The shards of `v` at the revisions this Searcher reads.
  [[nodiscard]] std::vector<ShardRevision> revisions(const View& v) const;
  struct Tally;
  /// Every match of `compiled` (the query `query` with `filters`) on `v`, each candidate
  /// verified in `slices` threads (see count()), and the values of `slot` among them
  /// (Xapian::BAD_VALUENO: none); all but the first version of each URL left out.
  Tally tally(const View& v, std::string_view query, const QueryFilters& filters, const CompiledQuery& compiled,
              Xapian::valueno slot, unsigned slices);
  /// Drops remote shards that no longer answer (allow_partial); true if any was dropped.
  bool drop_unreachable();
  void combine();
  /// Runs `body` and retries it after reopening the database when a concurrent writer recycled
  /// the revision being read (DatabaseModifiedError); maps other errors.
  template <class T, class F>
  Result<T> with_retry(F&& body);
  /// One ranked retrieval: `query` (with optional exact `verifier`), snippets highlighted by
  /// `highlight`, one result per URL, skipping the URL whose collapse key (k_slot_url) is
  /// `exclude`. A bounded --sort newest|oldest search on local
  /// shards matches the newest (oldest) months first; with `query_text` (the user's query,
  /// compiled again by each slice's thread), a bounded search on local shards is matched in
  /// slices.
  SearchResults run(const View& view, const Xapian::Query& query, Xapian::MatchDecider* verifier,
                    const CompiledQuery& highlight, const SearchOptions& options, const std::string& exclude = "",
                    std::optional<std::string_view> query_text = std::nullopt);
  std::vector<OpenShard> m_shards;
  std::vector<Xapian::Database> m_records;  ///< the records databases of sharded databases (records_location)
  OpenOptions m_options;
  std::vector<std::string> m_warnings;
  bool m_remote = false;  ///< some shard is remote: verification runs here, not in a MatchDecider
  Xapian::Database m_db;  ///< all shards
  size_t m_retries = 0;
};

}  // namespace newsidx
