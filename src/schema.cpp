// schema.cpp — unique ids and the schema/tokenizer version stamp.
#include "newsidx/schema.hpp"

#include <cmath>
#include <ctime>

#include <xxhash.h>

#include <fmt/format.h>

#include "newsidx/text.hpp"

namespace newsidx {

std::string url_term(std::string_view url) {
  std::string term(k_prefix_url);
  if (term.size() + url.size() <= k_max_term_bytes - 17) {  // room for version_term's "#" and 16 hex
    term += url;
    return term;
  }
  // Omega hashes long URLs the same way: a readable head plus a collision-resistant tail.
  const XXH128_hash_t h = XXH3_128bits(url.data(), url.size());
  term += url.substr(0, 180);
  term += fmt::format("#{:016x}{:016x}", h.high64, h.low64);
  return term;
}

uint64_t version_hash(std::string_view title, std::string_view author, std::string_view text) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_64bits_reset(state);
  for (const std::string_view part : {title, author, text}) {
    const uint64_t size = part.size();  // lengths keep ("ab", "c") apart from ("a", "bc")
    XXH3_64bits_update(state, &size, sizeof size);
    XXH3_64bits_update(state, part.data(), part.size());
  }
  const uint64_t h = XXH3_64bits_digest(state);
  XXH3_freeState(state);
  return h;
}

std::string version_term(std::string_view url, uint64_t version) {
  return fmt::format("{}{}#{:016x}", k_prefix_id, std::string_view(url_term(url)).substr(k_prefix_url.size()), version);
}

std::string collapse_key(std::string_view url) {
  const XXH128_hash_t h = XXH3_128bits(url.data(), url.size());
  std::string key(16, '\0');
  for (int i = 0; i < 8; ++i) {
    key[static_cast<size_t>(i)] = static_cast<char>(h.high64 >> (56 - 8 * i));
    key[static_cast<size_t>(8 + i)] = static_cast<char>(h.low64 >> (56 - 8 * i));
  }
  return key;
}

std::string first_indexed_value(int64_t ms) { return Xapian::sortable_serialise(static_cast<double>(ms)); }

std::optional<int64_t> first_indexed_ms(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return std::llround(Xapian::sortable_unserialise(value));  // epoch ms are exact in a double
}

std::string date_term(const UtcDate& d, DatePrecision precision) {
  switch (precision) {
    case DatePrecision::year:
      return fmt::format("{}{:04}", k_prefix_year, d.year);
    case DatePrecision::month:
      return fmt::format("{}{:04}{:02}", k_prefix_month, d.year, d.month);
    case DatePrecision::day:
      break;
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
