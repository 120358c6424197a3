// store.hpp — the on-disk layout of a newsidx database folder, its writer lock and atomic swaps.
//
//   PATH/XAPIANDB        Xapian stub file naming the live database ("glass gen-000001").
//                        Xapian::Database(PATH) reads it, so readers need nothing else.
//   PATH/gen-NNNNNN/     glass databases: the live generation and, during a rebuild, the next.
//   PATH/newsidx.lock    flock(2) held by the single running writer.
//
// A rebuild (--reindex, or a parallel bulk build) writes a new generation beside the live one and
// publishes it by renaming a new stub file over XAPIANDB: readers see the old or the new
// database, never a mix, and an interrupted rebuild leaves the old one untouched.
// A plain glass database folder (no stub) is still read and updated in place.
#pragma once

#include <string>

#include <xapian.h>

#include "newsidx/error.hpp"

namespace newsidx {

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
/// Requires the WriteLock. Errors: db_invalid (corrupt, not newsidx, other schema).
Result<Xapian::WritableDatabase> open_live_for_update(const std::string& db_path);

/// Creates an empty new generation folder and returns its path (for rebuilds).
Result<std::string> create_generation(const std::string& db_path);

/// Makes `generation` (a folder made by create_generation) the live database, atomically, and
/// removes the generation it replaces. Requires the WriteLock.
Status publish_generation(const std::string& db_path, const std::string& generation);

/// Removes generation folders that are neither live nor `keep` (left by interrupted rebuilds).
void remove_stale_generations(const std::string& db_path, const std::string& keep = "");

/// Maps Xapian's open errors to newsidx errors (missing, locked, corrupt, other version).
Error database_error(const std::string& db_path, const Xapian::Error& e);

}  // namespace newsidx
