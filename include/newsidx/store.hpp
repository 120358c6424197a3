// store.hpp — the on-disk layout of a newsidx database folder, its shards, its writer lock and
// atomic swaps.
//
//   PATH/XAPIANDB        Xapian stub file naming the live database. Xapian::Database(PATH) reads
//                        it, so Xapian's own tools (xapian-delve, quest) open PATH too. Lines:
//                          glass gen-000001          one database (the default layout)
//                          glass gen-000001/2020     one line per date shard (index --shard-by)
//                          glass gen-000002/parts/2020.000003   a part of an unfinished first build
//                          remote HOST:PORT          a shard served by xapian-tcpsrv (added by hand)
//                          # ...                     comments
//   PATH/gen-NNNNNN/     glass databases: the live generation and, during a rebuild, the next;
//                        a sharded generation holds one glass database per period.
//   PATH/gen-NNNNNN/parts/PERIOD.NNNNNN/   part databases of a bulk build (see index.cpp)
//   PATH/gen-NNNNNN/BUILD                  marks a generation whose parts a bulk build is writing
//   PATH/newsidx.lock    flock(2) held by the single running writer.
//
// A rebuild (--reindex, or a parallel bulk build) writes a new generation beside the live one and
// publishes it by renaming a new stub file over XAPIANDB: readers see the old or the new
// database, never a mix, and an interrupted rebuild leaves the old one untouched. `remote` lines
// survive rebuilds. A plain glass database folder (no stub) is still read and updated in place.
// A first build (into an empty database) publishes each part once it holds a commit, so that a
// build that is killed keeps what it committed, searchable, and the next run resumes it; an
// unfinished --reindex keeps its parts beside the live database for the next --reindex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <xapian.h>

#include "newsidx/error.hpp"

namespace newsidx {

/// How `index --shard-by` splits articles into databases: by the UTC year or month of their
/// publish time (articles without one go to the shard "undated").
enum class ShardBy : uint8_t { none, year, month };

/// One database of the set that a --db value names.
struct Shard {
  std::string name;      ///< period ("2020", "2020-07", "undated"), "main", or HOST:PORT
  std::string location;  ///< folder of a local glass database, or HOST:PORT of an xapian-tcpsrv
  bool remote = false;
  /// Publish times the shard can hold, [from_ms, to_ms) in epoch ms UTC; undated shards hold
  /// only articles without one. Remote and unsharded databases may hold anything.
  int64_t from_ms = INT64_MIN;
  int64_t to_ms = INT64_MAX;
  bool undated_only = false;
};

/// The shards named by a --db value: "tcp://HOST:PORT" (one remote database) or a database
/// folder (its stub's lines, in order). Errors: db_missing (no database there), db_invalid
/// (a stub newsidx did not write).
Result<std::vector<Shard>> list_shards(const std::string& db);

/// The shard an article published at `published_ms` belongs to: "2020" (year), "2020-07"
/// (month), "undated" (no publish time), or "main" (ShardBy::none).
std::string shard_period(std::optional<int64_t> published_ms, ShardBy by);

/// The sharding of the live database of PATH (none when unsharded or missing).
ShardBy live_sharding(const std::string& db_path);

/// Exclusive writer lock on a database folder (released by the destructor, or by the kernel if
/// the process dies).
class WriteLock {
 public:
  /// Creates PATH if needed. Errors: db_locked ("database is locked by another newsidx index"),
  /// db_invalid (PATH exists and is not a newsidx database folder), io_error.
  static Result<WriteLock> acquire(const std::string& db_path);
  WriteLock(WriteLock&& other) noexcept;
  WriteLock& operator=(WriteLock&&) = delete;
  ~WriteLock();

 private:
  explicit WriteLock(int fd) : m_fd(fd) {}
  int m_fd = -1;
};

/// True if PATH holds a database (stub file or glass files).
bool database_exists(const std::string& db_path);

/// Opens the live database for update, creating an empty generation if there is none.
/// Requires the WriteLock. Errors: db_invalid (corrupt, not newsidx, other schema, sharded:
/// see open_sharded_for_update; an unfinished first build, which index_paths resumes instead).
Result<Xapian::WritableDatabase> open_live_for_update(const std::string& db_path);

/// The local date shards of a sharded live database, open for update, and the database of its
/// file records: GEN/records, which the stub does not list (readers never search it).
struct ShardedLive {
  std::string generation;                        ///< folder of the live generation
  std::vector<std::string> periods;              ///< of the local shards, in stub order
  std::vector<Xapian::WritableDatabase> shards;  ///< parallel to periods
  Xapian::WritableDatabase records;              ///< GEN/records, created if missing
  std::vector<std::string> remotes;              ///< HOST:PORT of the remote shards: read-only for index
};

/// Opens every local shard of the sharded live database of PATH, and its records database.
/// Requires the WriteLock. Errors: db_invalid (not sharded, an unfinished first build, a shard
/// of another schema, corrupt), write_failed.
Result<ShardedLive> open_sharded_for_update(const std::string& db_path);

/// Creates the empty shard GEN/PERIOD (schema stamped and committed) and lists it in the stub,
/// atomically (readers see the old stub or the new one); returns its index in `live`.
/// Errors: write_failed.
Result<size_t> add_shard(const std::string& db_path, ShardedLive& live, const std::string& period);

/// The folder of the records database of a sharded database at PATH (GEN/records), or "" when
/// it has none (unsharded: the records are metadata of the database itself).
std::string records_location(const std::string& db_path);

/// Creates an empty new generation folder and returns its path (for rebuilds).
Result<std::string> create_generation(const std::string& db_path);

/// Makes `generation` (a folder made by create_generation) the live database, atomically, and
/// removes every other generation (the one it replaces, and any unfinished build). `periods` names its date shards
/// (subfolders); empty for an unsharded generation. The `remote` lines of the old stub are kept. Requires the
/// WriteLock.
Status publish_generation(const std::string& db_path, const std::string& generation,
                          const std::vector<std::string>& periods = {});

/// Removes generation folders that are neither live nor `keep`, nor (with `keep_unfinished`) an
/// unfinished rebuild (a generation with a BUILD mark): what interrupted runs left.
void remove_stale_generations(const std::string& db_path, const std::string& keep = "", bool keep_unfinished = true);

/// A bulk build that did not finish: its generation folder, how it shards, and its part
/// databases (folders, in name order). `live` if it is a first build that the stub publishes.
struct UnfinishedBuild {
  std::string generation;
  ShardBy by = ShardBy::none;
  bool live = false;
  std::vector<std::string> parts;
};

/// Marks `generation` as holding the parts of a bulk build (sharded by `by`), durably.
Status mark_build(const std::string& generation, ShardBy by);

/// The unfinished bulk build of PATH, if any: the live generation when the stub lists parts,
/// else a generation with a BUILD mark (an interrupted --reindex).
std::optional<UnfinishedBuild> unfinished_build(const std::string& db_path);

/// Makes the parts (folders below `generation`) of an unfinished first build the live database,
/// atomically: readers see their union. Requires the WriteLock.
Status publish_parts(const std::string& db_path, const std::string& generation, const std::vector<std::string>& parts);

/// The period of a part folder name ("2020.000003" → "2020", "main.000001" → "main").
std::string part_period(const std::string& part_name);

/// The errno of a storage failure (ENOSPC, EDQUOT, EIO, EROFS, EFBIG) that `system_error_text`
/// (strerror's text, as Xapian's get_error_string() gives it) names; nullopt for any other.
std::optional<int> storage_errno(const char* system_error_text);

/// The errno of a storage failure that a Xapian error names: in get_error_string(), or in its
/// message, which quotes the failure it follows ("Modifications failed (DatabaseError: Error
/// writing block 50 (No space left on device)), and couldn't open at the old revision: ...").
std::optional<int> storage_errno(const Xapian::Error& e);

/// ExitCode::write_failed: "DB: no space left on device" (errno `err`'s text), with " (while
/// STEP)" when `step` is given, and a hint that the committed work is kept.
Error storage_error(const std::string& db_path, int err, const std::string& step = "");

/// Maps Xapian's errors to newsidx errors: a storage failure (storage_errno), missing, locked,
/// corrupt, other version.
Error database_error(const std::string& db_path, const Xapian::Error& e);

}  // namespace newsidx
