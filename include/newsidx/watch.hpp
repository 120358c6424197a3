// watch.hpp — follows folders with inotify(7) and hands out the paths that changed, in batches.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "newsidx/error.hpp"

namespace newsidx {

/// When a batch is handed out: once no event came for `quiet`, or `max_delay` after the batch's
/// first event, so that a constant stream of changes still gets committed.
struct WatchTiming {
  std::chrono::milliseconds quiet{1500};
  std::chrono::milliseconds max_delay{10000};
};

/// The paths that changed since the last batch, for index_paths with IndexOptions::gone_inputs_ok.
struct ChangeBatch {
  /// Files and folders that were written, created, moved in or out, or deleted, spelled as the
  /// root they are under joined with their relative path; none lies under another. A folder
  /// (there, or gone) ends in '/' and stands for everything in it. For a rescan, the roots.
  std::vector<std::string> paths;
  bool rescan = false;  ///< events were lost (inotify queue overflow) or a root was moved or deleted
};

/// Follows every folder under a set of roots, the ones index_paths walks (hidden folders and
/// symlinks to folders are left out), and new folders as they appear: a new folder is watched
/// before it is handed out, so files written in it before its watch existed are found by
/// indexing it. Events on hidden entries are ignored. Not thread-safe; move-only.
class FolderWatcher {
 public:
  /// Watches the roots, which must be folders. Errors: io_error naming the folder: it does not
  /// exist or is not a folder, or the inotify watches are exhausted (ENOSPC: the message names
  /// the sysctl fs.inotify.max_user_watches), or inotify cannot be opened.
  static Result<FolderWatcher> open(std::vector<std::string> roots);

  FolderWatcher(FolderWatcher&& other) noexcept;
  FolderWatcher& operator=(FolderWatcher&&) = delete;
  FolderWatcher(const FolderWatcher&) = delete;
  ~FolderWatcher();

  /// Waits for the next batch (see WatchTiming), or until `wake_fd` becomes readable (a signal
  /// handler's self-pipe): then nullopt, with any pending changes kept. A queue overflow, or a
  /// root moved or deleted, gives a rescan: every watch is set up again and the batch is the
  /// roots. Errors: io_error when a root is gone (no longer a folder), or a new folder cannot
  /// be watched (as in open).
  Result<std::optional<ChangeBatch>> next(int wake_fd, const WatchTiming& timing);

  /// Hands `batch` out again with the next one, at the earliest one quiet period from now (its
  /// changes could not be committed, e.g. the database was locked by another writer).
  void put_back(const ChangeBatch& batch);

  /// The folders watched now.
  [[nodiscard]] size_t folders() const { return m_dirs.size(); }

 private:
  explicit FolderWatcher(std::vector<std::string> roots);
  Status watch_tree(const std::string& dir, bool root, std::vector<int>* added);
  void unwatch_tree(const std::string& dir);
  Status rewatch_all();
  Status read_events();
  void changed(const std::string& path, bool folder);
  ChangeBatch take();

  using Clock = std::chrono::steady_clock;
  int m_fd = -1;
  std::vector<std::string> m_roots;
  std::unordered_map<int, std::string> m_dirs;  ///< watch descriptor → folder
  std::map<std::string, bool> m_changed;        ///< path → whether it is (or was) a folder
  bool m_rescan = false;
  std::optional<Clock::time_point> m_first, m_last;  ///< events of the pending batch
};

}  // namespace newsidx
