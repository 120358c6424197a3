// schema.cpp — unique ids and the schema/tokenizer version stamp.
#include "newsidx/schema.hpp"

#include <ctime>

#include <xxhash.h>

#include <fmt/format.h>

#include "newsidx/text.hpp"

namespace newsidx {

std::string unique_id_term(std::string_view url) {
  std::string term(k_prefix_id);
  if (term.size() + url.size() <= k_max_term_bytes) {
    term += url;
    return term;
  }
  // Omega hashes long URLs the same way: a readable head plus a collision-resistant tail.
  const XXH128_hash_t h = XXH3_128bits(url.data(), url.size());
  term += url.substr(0, 180);
  term += fmt::format("#{:016x}{:016x}", h.high64, h.low64);
  return term;
}

UtcDate utc_date(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

std::string date_term(const UtcDate& d, DatePrecision precision) {
  switch (precision) {
    case DatePrecision::year: return fmt::format("{}{:04}", k_prefix_year, d.year);
    case DatePrecision::month: return fmt::format("{}{:04}{:02}", k_prefix_month, d.year, d.month);
    case DatePrecision::day: break;
  }
  return fmt::format("{}{:04}{:02}{:02}", k_prefix_day, d.year, d.month, d.day);
}

Status check_schema(const Xapian::Database& db) {
  const std::string schema = db.get_metadata(std::string(k_meta_schema));
  const std::string tokenizer = db.get_metadata(std::string(k_meta_tokenizer));
  if (schema.empty() && tokenizer.empty()) {
    if (db.get_doccount() == 0) return ok_status();
    return Error{ExitCode::db_invalid, "not a newsidx database (no schema version in its metadata)",
                 "point --db at a newsidx database, or at a new path to create one"};
  }
  const std::string want_schema = std::to_string(k_schema_version);
  const std::string want_tokenizer = tokenizer_fingerprint();
  if (schema != want_schema || tokenizer != want_tokenizer) {
    return Error{ExitCode::db_invalid,
                 fmt::format("database was built with schema {} ({}), this newsidx uses schema {} ({})", schema,
                             tokenizer, want_schema, want_tokenizer),
                 "rebuild it: newsidx index --reindex PATH..."};
  }
  return ok_status();
}

void stamp_schema(Xapian::WritableDatabase& db) {
  db.set_metadata(std::string(k_meta_schema), std::to_string(k_schema_version));
  db.set_metadata(std::string(k_meta_tokenizer), tokenizer_fingerprint());
}

}  // namespace newsidx
