// watch.cpp — following folders with inotify(7) (see watch.hpp).
#include "newsidx/watch.hpp"

#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace newsidx {
namespace {

// A folder's own deletion or move matters only for a root: for any other folder, its parent's
// IN_DELETE / IN_MOVED_FROM says it (and IN_CREATE says a new one, whose files are then found by
// walking it). IN_CLOSE_WRITE, not IN_MODIFY: a file is read once it is written.
constexpr uint32_t k_events =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

bool hidden(std::string_view name) { return !name.empty() && name[0] == '.'; }

/// True if `path` lies inside the folder `dir` (both spelled from the same root).
bool inside(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         (dir.back() == '/' || path[dir.size()] == '/');
}

/// The error of inotify_add_watch on `dir` failing with `err`, when `watched` folders are.
Error watch_error(const std::string& dir, int err, size_t watched) {
  if (err == ENOSPC) {
    std::string limit = "?";
    std::ifstream("/proc/sys/fs/inotify/max_user_watches") >> limit;
    return Error{ExitCode::io_error,
                 fmt::format("{}: cannot watch the folder: the inotify watches are exhausted after {} "
                             "(fs.inotify.max_user_watches = {}, one watch per folder)",
                             dir, watched, limit),
                 "raise the limit: sysctl fs.inotify.max_user_watches=524288 (a file in /etc/sysctl.d keeps it)"};
  }
  return Error{ExitCode::io_error, fmt::format("{}: cannot watch the folder: {}", dir, std::strerror(err)), ""};
}

}  // namespace

FolderWatcher::FolderWatcher(std::vector<std::string> roots)
    : m_fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC)), m_roots(std::move(roots)) {}

FolderWatcher::FolderWatcher(FolderWatcher&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)),
      m_roots(std::move(other.m_roots)),
      m_dirs(std::move(other.m_dirs)),
      m_changed(std::move(other.m_changed)),
      m_rescan(other.m_rescan),
      m_first(other.m_first),
      m_last(other.m_last) {}

FolderWatcher::~FolderWatcher() {
  if (m_fd >= 0) ::close(m_fd);
}

Result<FolderWatcher> FolderWatcher::open(std::vector<std::string> roots) {
  FolderWatcher w(std::move(roots));
  if (w.m_fd < 0) {
    const int err = errno;
    return Error{ExitCode::io_error, fmt::format("cannot start inotify: {}", std::strerror(err)),
                 err == EMFILE ? "raise the limit: sysctl fs.inotify.max_user_instances=1024" : ""};
  }
  for (const std::string& root : w.m_roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      return Error{ExitCode::io_error,
                   fmt::format("{}: {}", root, fs::exists(root, ec) ? "not a folder" : "no such file or directory"),
                   "--watch follows folders; index single files without it"};
    }
  }
  if (Status s = w.rewatch_all(); !s) return s.error();
  return w;
}

/// Watches `top` and every folder under it that index_paths walks. A root's own symlink is
/// followed, as index_paths follows it. A folder that went away meanwhile, or that cannot be
/// read, is left out (the walk leaves it out too). The descriptors are added to `added`.
Status FolderWatcher::watch_tree(const std::string& top, bool root, std::vector<int>* added) {
  auto add = [&](const std::string& dir, bool is_root) -> Status {
    const int wd = inotify_add_watch(m_fd, dir.c_str(), k_events | (is_root ? 0 : IN_DONT_FOLLOW));
    if (wd < 0) {
      if (!is_root && (errno == ENOENT || errno == ENOTDIR || errno == EACCES)) return ok_status();
      return watch_error(dir, errno, m_dirs.size());
    }
    m_dirs[wd] = dir;  // a folder moved while events were lost keeps its descriptor: its new name
    if (added) added->push_back(wd);
    return ok_status();
  };
  if (Status s = add(top, root); !s) return s;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(top, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_directory(type_ec) || it->is_symlink(type_ec)) continue;
    if (hidden(it->path().filename().string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (Status s = add(it->path().string(), false); !s) return s;
  }
  return ok_status();
}

void FolderWatcher::unwatch_tree(const std::string& dir) {
  for (auto it = m_dirs.begin(); it != m_dirs.end();) {
    if (it->second == dir || inside(it->second, dir)) {
      inotify_rm_watch(m_fd, it->first);
      it = m_dirs.erase(it);
    } else {
      ++it;
    }
  }
}

/// Sets every watch up again from the roots, and drops the watches of folders no longer under
/// one (moved out while events were lost).
Status FolderWatcher::rewatch_all() {
  std::vector<int> live;
  for (const std::string& root : m_roots) {
    if (Status s = watch_tree(root, true, &live); !s) return s;
  }
  std::sort(live.begin(), live.end());
  for (auto it = m_dirs.begin(); it != m_dirs.end();) {
    if (std::binary_search(live.begin(), live.end(), it->first)) {
      ++it;
    } else {
      inotify_rm_watch(m_fd, it->first);
      it = m_dirs.erase(it);
    }
  }
  return ok_status();
}

void FolderWatcher::changed(const std::string& path, bool folder) {
  if (!path.empty()) m_changed[path] |= folder;
  m_last = Clock::now();
  if (!m_first) m_first = m_last;
}

Status FolderWatcher::read_events() {
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(m_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return ok_status();
    if (n <= 0) return Error{ExitCode::io_error, fmt::format("reading inotify events: {}", std::strerror(errno)), ""};
    for (ssize_t at = 0; at < n;) {
      const auto& ev = *reinterpret_cast<const inotify_event*>(buf + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
      if (ev.mask & IN_Q_OVERFLOW) {
        m_rescan = true;
        changed("", false);
        continue;
      }
      const auto dir = m_dirs.find(ev.wd);
      if (dir == m_dirs.end()) continue;  // a watch removed meanwhile
      const bool root = std::find(m_roots.begin(), m_roots.end(), dir->second) != m_roots.end();
      if (ev.mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        if (root) {
          m_rescan = true;
          changed("", false);
        }
        if (ev.mask & IN_IGNORED) m_dirs.erase(dir);
        continue;
      }
      if (ev.len == 0 || hidden(ev.name)) continue;
      const std::string path = (fs::path(dir->second) / ev.name).string();
      if (ev.mask & IN_ISDIR) {
        if (ev.mask & (IN_CREATE | IN_MOVED_TO)) {
          if (Status s = watch_tree(path, false, nullptr); !s) return s;
        } else {
          unwatch_tree(path);
        }
        changed(path, true);
        continue;
      }
      struct stat st {};
      const bool is_link = ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
      // A new file is read once written (IN_CLOSE_WRITE follows), but a new link has no write.
      if ((ev.mask & IN_CREATE) && !is_link && !(st.st_nlink > 1)) continue;
      if (is_link && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;  // not walked
      changed(path, false);
    }
  }
}

ChangeBatch FolderWatcher::take() {
  ChangeBatch batch;
  batch.rescan = m_rescan;
  if (m_rescan) batch.paths = m_roots;
  for (auto it = m_changed.begin(); !m_rescan && it != m_changed.end(); ++it) {
    const auto& [path, folder] = *it;
    bool covered = false;  // inside a changed folder, which is walked
    for (std::string up = path; !covered;) {
      const size_t slash = up.rfind('/');
      if (slash == std::string::npos || slash == 0) break;
      up.resize(slash);
      const auto above = m_changed.find(up);
      covered = above != m_changed.end() && above->second;
    }
    if (covered) continue;
    std::error_code ec;
    // A folder, there or gone, is named with a '/' (IndexOptions::gone_inputs_ok), and so is a
    // folder that a file has replaced, beside the file.
    const bool file = !fs::is_directory(path, ec) && fs::exists(path, ec);
    if (folder) batch.paths.push_back(path + '/');
    if (!folder || file) batch.paths.push_back(path);
  }
  m_changed.clear();
  m_rescan = false;
  m_first.reset();
  m_last.reset();
  return batch;
}

void FolderWatcher::put_back(const ChangeBatch& batch) {
  m_rescan = m_rescan || batch.rescan;
  for (std::string path : batch.paths) {
    const bool folder = path.size() > 1 && path.back() == '/';
    if (folder) path.pop_back();
    changed(path, folder);
  }
  m_first = m_last;
}

Result<std::optional<ChangeBatch>> FolderWatcher::next(int wake_fd, const WatchTiming& timing) {
  for (;;) {
    int timeout = -1;
    if (m_first) {
      const Clock::time_point due = std::min(*m_last + timing.quiet, *m_first + timing.max_delay);
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(due - Clock::now()).count();
      if (left <= 0) {
        if (m_rescan) {
          if (Status s = rewatch_all(); !s) return s.error();
        }
        return std::optional<ChangeBatch>(take());
      }
      timeout = static_cast<int>(left);
    }
    pollfd fds[2] = {{m_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    const int n = ::poll(fds, wake_fd >= 0 ? 2 : 1, timeout);
    if (n < 0 && errno != EINTR) return Error{ExitCode::io_error, fmt::format("poll: {}", std::strerror(errno)), ""};
    if (n <= 0) continue;
    if (wake_fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP))) return std::optional<ChangeBatch>();
    if (fds[0].revents & POLLIN) {
      if (Status s = read_events(); !s) return s.error();
    }
  }
}

}  // namespace newsidx
