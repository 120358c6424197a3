// compact.cpp — `compact`: Xapian's compactor over the local shards, into a new generation.
#include <ctime>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "newsidx/index.hpp"
#include "newsidx/store.hpp"

namespace fs = std::filesystem;

namespace newsidx {
namespace {

uint64_t folder_bytes(const fs::path& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) bytes += e.file_size(ec);
  }
  return bytes;
}

int current_utc_year() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

}  // namespace

Result<CompactReport> compact_database(const std::string& db_path, bool merge_closed_months) {
  Result<std::vector<Shard>> shards = list_shards(db_path);
  if (!shards) return shards.error();
  Result<WriteLock> lock = WriteLock::acquire(db_path);
  if (!lock) return lock.error();
  if (const std::optional<UnfinishedBuild> build = unfinished_build(db_path); build && build->live) {
    return Error{ExitCode::usage, fmt::format("{}: the database is an unfinished first build", db_path),
                 "run newsidx index on the same folders to complete it, then compact"};
  }
  remove_stale_generations(db_path);
  CompactReport report;
  // Target shard name → the shards merged into it (one each, unless months are merged).
  std::map<std::string, std::vector<const Shard*>> targets;
  bool sharded = false;
  const int this_year = current_utc_year();
  for (const Shard& s : *shards) {
    if (s.remote) continue;
    ++report.shards_before;
    report.bytes_before += folder_bytes(s.location);
    sharded = sharded || s.name != "main";
    const bool closed_month = s.name.size() == 7 && s.name[4] == '-' && std::stoi(s.name.substr(0, 4)) < this_year;
    targets[merge_closed_months && closed_month ? s.name.substr(0, 4) : s.name].push_back(&s);
  }
  if (report.shards_before == 0) {
    return Error{ExitCode::usage, fmt::format("{}: no local shards to compact", db_path),
                 "compact a remote shard on its own host: newsidx --db FOLDER compact"};
  }
  try {
    Result<std::string> generation = create_generation(db_path);
    if (!generation) return generation.error();
    std::vector<std::string> periods;
    for (const auto& [name, sources] : targets) {
      Xapian::Database merged;
      for (const Shard* s : sources) {
        Xapian::Database db(s->location);
        if (Status ok = check_schema(db); !ok)
          return Error{ok.error().code, fmt::format("{}: {}", s->location, ok.error().message), ok.error().hint};
        merged.add_database(db);
      }
      const fs::path out = sharded ? fs::path(*generation) / name : fs::path(*generation);
      merged.compact(out.string(), Xapian::Compactor::FULL);
      report.bytes_after += folder_bytes(out);
      if (sharded) periods.push_back(name);
    }
    report.shards_after = targets.size();
    // The file records of a sharded database (not a shard: see open_sharded_for_update).
    if (const std::string records = records_location(db_path); sharded && !records.empty()) {
      Xapian::Database(records).compact((fs::path(*generation) / fs::path(records).filename()).string(),
                                        Xapian::Compactor::FULL);
    }
    if (Status s = publish_generation(db_path, *generation, periods); !s) return s.error();
  } catch (const Xapian::Error& e) {
    remove_stale_generations(db_path);
    return database_error(db_path, e);
  }
  return report;
}

}  // namespace newsidx
