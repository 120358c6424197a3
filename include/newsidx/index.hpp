// index.hpp — the Xapian writer: indexing files and folders into a database (documents from
// document.hpp, storage layout from store.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

#include "newsidx/article.hpp"
#include "newsidx/document.hpp"
#include "newsidx/error.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"

namespace newsidx {

/// The database path when --db is not given: $NEWSIDX_DB, else $XDG_DATA_HOME/newsidx, else
/// ~/.local/share/newsidx.
std::string default_db_path();

/// Test hook for faults (IndexOptions::fault_hook): called with a step name and a path; it may
/// throw to see how a run fails.
using FaultHook = std::function<void(std::string_view step, const std::string& path)>;

struct IndexOptions {
  unsigned jobs = 0;                  ///< worker threads for reading/parsing/segmenting; 0 = all cores
  size_t commit_every = 2000;         ///< documents per Xapian commit (bounds the writer's memory)
  size_t part_docs = 50000;           ///< bulk builds: documents per part database (see index.cpp)
  size_t max_file_bytes = 16u << 20;  ///< larger files fail with "file too large"
  bool rebuild = false;               ///< --reindex: build a new generation from scratch, then swap it in
  bool delete_missing = true;         ///< remove articles whose files are gone from under the roots
  bool retry_failed = false;          ///< re-read files that failed before even if unchanged
  /// --shard-by: one database per period of publish time. Unset keeps the live database's layout.
  /// Later runs update a sharded database in place (its local shards, a new shard for a new
  /// period, its records in GEN/records); another layout is a rebuild.
  std::optional<ShardBy> shard_by;
  /// An input that does not exist is no error but a root of the deletion sweep only, which
  /// removes the articles of the file, or of the folder's files, that went away (--watch names
  /// the paths that changed). A gone input that ends in '/' was a folder; any other was a file.
  /// The sweep looks up the records of gone files directly; a folder among the inputs (there,
  /// or gone) costs a scan of every file record (0.3-0.7 s per 25,000 files).
  bool gone_inputs_ok = false;
  const std::atomic<bool>* stop = nullptr;  ///< set (e.g. by SIGINT) to commit and stop early
  /// The first-indexed time (epoch ms UTC, k_slot_first_indexed) of the articles that are new in
  /// this run; unset: the system clock when the run starts.
  std::optional<int64_t> now_ms;
  /// Test hook for faults: called with ("read", path) on the worker thread that is about to read
  /// a file, with ("write", path) on the thread that is about to write its document, with
  /// ("remove", absolute path) before the deletion sweep forgets a gone file, and with ("moved",
  /// path of the winning copy) when a version that moved to another shard is committed there
  /// but not yet deleted from the old one. It may throw (e.g. a Xapian::DatabaseError with errno
  /// ENOSPC) to see how a run fails, or is killed at that point. Empty in use.
  FaultHook fault_hook;
};

enum class FileOutcome : uint8_t {
  indexed,    ///< new or changed, and written (note: a warning such as "decoded from GB18030" or
              ///< "3 invalid UTF-8 bytes replaced")
  unchanged,  ///< same mtime and size, or same content hash, as at the last run
  skipped,    ///< not an article (no article header)
  failed,     ///< cannot be read, decoded or parsed (note: the reason)
  removed,    ///< gone from disk; its article was removed or another copy promoted
};

struct IndexReport {
  size_t indexed = 0;
  size_t updated = 0;  ///< of `indexed`, files that an earlier run had read (they changed)
  size_t unchanged = 0;
  size_t skipped = 0;
  size_t failed = 0;          ///< failed in this run
  size_t failed_earlier = 0;  ///< unchanged files that failed in an earlier run (not retried)
  size_t removed = 0;
  size_t warnings = 0;         ///< indexed with a note (converted charset, invalid UTF-8 replaced,
                               ///< no publish time)
  size_t resumed = 0;          ///< files done by an interrupted build that this run completed
  size_t merged_files = 0;     ///< indexed files that joined an article already there (same URL)
  size_t merged_versions = 0;  ///< of which, with content that no other file of the URL has
  size_t merged_urls = 0;      ///< the articles they joined
  bool interrupted = false;    ///< stopped by IndexOptions::stop; finished work is committed
  bool rebuild_kept = false;   ///< interrupted rebuild: its parts wait for the next --reindex, the old database serves
};

/// Receives per-file events while indexing runs. Called from the calling thread only.
class IndexObserver {
 public:
  virtual ~IndexObserver() = default;
  /// `note` is the reason for failed/skipped files, a warning for indexed ones, else empty.
  /// Unchanged files are not reported.
  virtual void on_file(const std::string& path, FileOutcome outcome, std::string_view note) = 0;
  /// `done` of `total` files examined so far (unchanged ones included).
  virtual void on_progress(size_t done, size_t total) { (void)done, (void)total; }
};

/// Brings the database at `db_path` (created if needed) in step with files and folders (walked
/// recursively; hidden entries skipped; symlinked folders not followed): new and changed files
/// are indexed, unchanged ones skipped (mtime + size, then XXH3-128 content hash), and articles
/// whose files are gone from under these roots removed. One document per URL (copy_wins picks
/// the indexed copy). Paths are stored as given joined with each file's relative path.
/// A first build (into an empty database) and a --reindex are bulk builds into part databases
/// (see index.cpp and store.hpp) that an interruption, even SIGKILL, leaves on disk: the next
/// run resumes them, ending with the documents of an uninterrupted run.
/// Holds the database's WriteLock throughout. Errors: usage (a sharded database with remote
/// shards, which only --reindex writes), db_locked, db_invalid, io_error (an input path is
/// missing, unless IndexOptions::gone_inputs_ok), write_failed (disk full or an I/O error while
/// writing: "DB: no space left on device (while STEP)"; what was committed before is kept),
/// internal (an exception on an indexing thread, naming the file or step). Every thread has
/// returned when it returns.
Result<IndexReport> index_paths(const std::string& db_path, const std::vector<std::string>& inputs,
                                const IndexOptions& options, IndexObserver& observer);

/// What `compact` did.
struct CompactReport {
  size_t shards_before = 0, shards_after = 0;  ///< local shards
  uint64_t bytes_before = 0, bytes_after = 0;  ///< their size on disk
};

/// `compact`: rewrites every local shard of the live database with Xapian's compactor (full
/// B-tree blocks, as `xapian-compact --fullcompact`) into a new generation and publishes it
/// atomically; readers keep the old one until then. With `merge_closed_months`, the month
/// shards of each year before the current UTC year are merged into one year shard. Remote
/// shards are left alone. Errors: db_missing, db_locked, db_invalid, io_error.
Result<CompactReport> compact_database(const std::string& db_path, bool merge_closed_months);

}  // namespace newsidx
