// schema.hpp — the one description of the index: term prefixes, value slots, document data,
// metadata keys. The indexer, the query parser, `stats` and the docs all read it from here.
//
// Documents: one per version of an article, a version being the distinct content (title, author,
// text) of the files that share a URL; the files with the same content are one version, its
// files (FileCopy list in the data, the winning copy first). Search collapses the versions of a
// URL into one result (collapse key k_slot_url, as Omega shows one hit per duplicate group).
//
// Terms (prefixes follow Xapian Omega where one exists; X… are ours):
//   U<url>          the article's URL, on every version of it (Omega's URL prefix). URLs longer
//                   than k_max_term_bytes become U<first 180 bytes>#<XXH3-128 hex of the URL>.
//   Q<url>#<hash>   unique id of one version (upsert with replace_document): the U term's text
//                   and 16 hex digits of XXH3-64 of the version's title, author and text.
//   XV              on every version of a URL that has more than one (boolean).
//   <word>          a folded Latin word or number, or an ICU dictionary word of ≥ 2 CJK characters;
//                   wdf = occurrences (title occurrences count k_title_wdf each). Ranking terms.
//   Z<stem>         English (Snowball) stem of a Latin word: `elections` finds `election`.
//   XG<gram>        CJK n-gram: every CJK character (unigram) and every pair of adjacent
//                   characters inside a run (bigram), positionless, wdf = occurrences. An
//                   occurrence of a bigram that ICU segments as a 2-character word is stored as
//                   the <word> term instead, so a bigram query is OP_SYNONYM(XG<ab>, <ab>).
//   S<word> ZS<stem> XT<gram>   the same three kinds for the title alone (`title:`).
//   A<word> ZA<stem> XA<gram>   the same for the author (`author:`).
//   H<host> the source host and each parent domain
//                   (H www.voachinese.com, H voachinese.com, H com).
//   Y<yyyy> M<yyyymm> D<yyyymmdd>   UTC publish date (boolean).
// No term carries positions. Matching is filter-and-verify (as in Google Code Search and
// zoekt): the n-gram and word terms select a superset of candidates, and a MatchDecider
// re-tokenizes the stored text to confirm exact phrases (see query.hpp). This keeps the index
// small and indexing fast, while matching is exact: grep-level recall and precision.
//
// Value slots: see k_slot_*. Document data: JSON object, see StoredArticle in document.hpp.
// Metadata: k_meta_schema (k_schema_version) and k_meta_tokenizer (tokenizer_fingerprint()).
#pragma once

#include <string_view>

#include <xapian.h>

namespace newsidx {

/// Bump when terms, slots or document data change meaning.
inline constexpr int k_schema_version = 3;

inline constexpr std::string_view k_prefix_id = "Q";
inline constexpr std::string_view k_prefix_url = "U";
inline constexpr std::string_view k_term_versions = "XV";
inline constexpr std::string_view k_prefix_host = "H";
inline constexpr std::string_view k_prefix_year = "Y";
inline constexpr std::string_view k_prefix_month = "M";
inline constexpr std::string_view k_prefix_day = "D";

/// The term prefixes of one searchable text field.
struct FieldPrefixes {
  std::string_view word;  ///< folded words and numbers, ICU CJK words
  std::string_view stem;  ///< English stems of Latin words
  std::string_view gram;  ///< CJK unigrams and bigrams
};

/// Searchable text fields. `all` holds title and body (the default field of a query).
enum class Field : uint8_t { all, title, author };

inline constexpr FieldPrefixes k_field_all{"", "Z", "XG"};
inline constexpr FieldPrefixes k_field_title{"S", "ZS", "XT"};
inline constexpr FieldPrefixes k_field_author{"A", "ZA", "XA"};

constexpr const FieldPrefixes& field_prefixes(Field f) {
  return f == Field::title ? k_field_title : f == Field::author ? k_field_author : k_field_all;
}

/// Publish time: Xapian::sortable_serialise(epoch seconds, UTC). Absent when unknown.
inline constexpr Xapian::valueno k_slot_published = 0;
/// Source host, e.g. "www.voachinese.com".
inline constexpr Xapian::valueno k_slot_source = 1;
/// Publish month "YYYY-MM" (UTC), for facets.
inline constexpr Xapian::valueno k_slot_month = 2;
/// 16 bytes, XXH3-128 of the URL: the collapse key that makes the versions of a URL one result.
inline constexpr Xapian::valueno k_slot_url = 3;
/// When the article (its URL) was first indexed: Xapian::sortable_serialise(epoch ms, UTC), the
/// same on every version of the URL and kept when it is indexed again (a changed file, a new
/// version, --reindex, a resumed build, compact), as StoredArticle::first_indexed_ms. Absent on
/// documents written before newsidx recorded it (schema 3 predates the slot, which it does not
/// need bumped): their time is unknown, and search --added-since never matches them.
inline constexpr Xapian::valueno k_slot_first_indexed = 4;

/// Each title occurrence adds this much wdf to the body-level terms, so BM25 weights titles
/// above body text.
inline constexpr Xapian::termcount k_title_wdf = 4;

/// Xapian's hard term limit is 245 bytes; terms longer than this are not indexed.
inline constexpr size_t k_max_term_bytes = 240;

inline constexpr std::string_view k_meta_schema = "newsidx.schema";
inline constexpr std::string_view k_meta_tokenizer = "newsidx.tokenizer";

}  // namespace newsidx

#include <cstdint>
#include <optional>
#include <string>

#include "newsidx/dates.hpp"
#include "newsidx/error.hpp"

namespace newsidx {

/// The U term of a URL (see the schema comment for URLs longer than k_max_term_bytes).
std::string url_term(std::string_view url);

/// XXH3-64 of what makes a version distinct: its title, author and text.
uint64_t version_hash(std::string_view title, std::string_view author, std::string_view text);

/// The Q term (unique id) of the version of `url` with version_hash `version`.
std::string version_term(std::string_view url, uint64_t version);

/// The value of k_slot_url for `url`: 16 bytes, XXH3-128 of the URL.
std::string collapse_key(std::string_view url);

/// The value of k_slot_first_indexed for a time in epoch ms, and back (nullopt for no value).
std::string first_indexed_value(int64_t ms);
std::optional<int64_t> first_indexed_ms(const std::string& value);

enum class DatePrecision : uint8_t { year, month, day };
/// The boolean term of the year, month or day of `d`: Y2020, M202007 or D20200701.
std::string date_term(const UtcDate& d, DatePrecision precision);

/// Checks that `db` was written by this schema and tokenizer version. An empty database
/// (no documents, no stamp) is accepted. Errors: ExitCode::db_invalid with a reindex hint.
Status check_schema(const Xapian::Database& db);

/// Records the schema and tokenizer version in `db`'s metadata (committed with the next commit).
void stamp_schema(Xapian::WritableDatabase& db);

}  // namespace newsidx
