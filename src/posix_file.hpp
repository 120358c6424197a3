// posix_file.hpp — internal: an owned POSIX file descriptor, and a durable whole-file write.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>

namespace newsidx {

/// An open file descriptor (or -1), closed when it goes out of scope.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) noexcept : m_fd(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { close(); }

  [[nodiscard]] int get() const noexcept { return m_fd; }
  explicit operator bool() const noexcept { return m_fd >= 0; }
  /// Gives up ownership: the caller closes the descriptor.
  [[nodiscard]] int release() noexcept { return std::exchange(m_fd, -1); }

  /// Closes it now. Returns 0, or the errno of close(2) (a network file system may report a
  /// failed write only there).
  int close() noexcept {
    if (m_fd < 0) return 0;
    const int r = ::close(std::exchange(m_fd, -1));
    return r == 0 ? 0 : errno;
  }

 private:
  int m_fd;
};

/// Writes `content` to `path` (created, or truncated; mode 0644), fsyncs and closes it. Returns
/// 0, or the errno of the first step that failed (ENOSPC for a short write).
inline int write_file_durably(const std::string& path, std::string_view content) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return errno;
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return errno;
  return fd.close();
}

}  // namespace newsidx
