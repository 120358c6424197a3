// store.cpp — database folder layout, writer lock, generations (see store.hpp).
#include "newsidx/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "newsidx/schema.hpp"

namespace fs = std::filesystem;

namespace newsidx {
namespace {

constexpr std::string_view k_stub = "XAPIANDB";
constexpr std::string_view k_lock = "newsidx.lock";
constexpr std::string_view k_generation_prefix = "gen-";

bool is_generation_name(const std::string& name) {
  return name.size() > k_generation_prefix.size() && name.starts_with(k_generation_prefix) &&
         std::all_of(name.begin() + static_cast<long>(k_generation_prefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// The generation folder named by PATH/XAPIANDB, or "" if there is no stub.
Result<std::string> live_generation(const std::string& db_path) {
  const fs::path stub = fs::path(db_path) / k_stub;
  std::ifstream in(stub);
  if (!in) return std::string();
  std::string backend, rel, extra;
  in >> backend >> rel >> extra;
  if ((backend != "glass" && backend != "auto") || rel.empty() || !extra.empty() || !is_generation_name(rel)) {
    return Error{ExitCode::db_invalid, fmt::format("{}: unexpected stub file content (not written by newsidx?)", stub.string()),
                 "use another --db path; newsidx never overwrites a database it did not write"};
  }
  return (fs::path(db_path) / rel).string();
}

Status write_stub(const std::string& db_path, const std::string& generation_name) {
  const fs::path stub = fs::path(db_path) / k_stub;
  const fs::path tmp = fs::path(db_path) / (std::string(k_stub) + ".tmp");
  const std::string content = fmt::format("glass {}\n", generation_name);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{ExitCode::io_error, fmt::format("{}: {}", tmp.string(), std::strerror(errno)), ""};
  const bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), stub.c_str()) != 0) {
    return Error{ExitCode::io_error, fmt::format("{}: cannot write stub file: {}", stub.string(), std::strerror(errno)), ""};
  }
  // Make the rename durable before old generations are removed.
  const int dir = ::open(db_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return ok_status();
}

}  // namespace

Result<WriteLock> WriteLock::acquire(const std::string& db_path) {
  std::error_code ec;
  if (fs::exists(db_path, ec) && !fs::is_directory(db_path, ec)) {
    return Error{ExitCode::db_invalid, fmt::format("{}: not a newsidx database (not a folder)", db_path),
                 "use another --db path"};
  }
  if (fs::is_directory(db_path, ec) && !database_exists(db_path) &&
      !fs::exists(fs::path(db_path) / k_lock, ec) && !fs::is_empty(db_path, ec)) {
    return Error{ExitCode::db_invalid,
                 fmt::format("{}: not a newsidx database (the folder holds other files)", db_path),
                 "use a new or empty folder for --db; newsidx never writes into a folder it did not create"};
  }
  fs::create_directories(db_path, ec);
  if (ec) return Error{ExitCode::io_error, fmt::format("{}: {}", db_path, ec.message()), ""};
  const std::string lock_path = (fs::path(db_path) / k_lock).string();
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error{ExitCode::io_error, fmt::format("{}: {}", lock_path, std::strerror(errno)), ""};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Error{ExitCode::db_locked, fmt::format("{}: database is locked by another newsidx index", db_path),
                   "wait for it to finish; searching meanwhile is fine"};
    }
    return Error{ExitCode::io_error, fmt::format("{}: cannot lock: {}", lock_path, std::strerror(err)), ""};
  }
  return WriteLock(fd);
}

WriteLock::WriteLock(WriteLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

WriteLock::~WriteLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

bool database_exists(const std::string& db_path) {
  std::error_code ec;
  return fs::exists(fs::path(db_path) / k_stub, ec) || fs::exists(fs::path(db_path) / "iamglass", ec);
}

Error database_error(const std::string& db_path, const Xapian::Error& e) {
  const std::string_view type = e.get_type();  // Xapian::Error is not polymorphic
  if (type == "DatabaseLockError") {
    return Error{ExitCode::db_locked, fmt::format("{}: database is locked by another newsidx index", db_path),
                 "wait for it to finish"};
  }
  if (type == "DatabaseNotFoundError") {
    return Error{ExitCode::db_missing, fmt::format("{}: no database here", db_path),
                 "create it with: newsidx --db PATH index FOLDER"};
  }
  if (type == "DatabaseCorruptError") {
    return Error{ExitCode::db_invalid, fmt::format("{}: database is corrupt: {}", db_path, e.get_msg()),
                 "rebuild it: newsidx --db PATH index --reindex FOLDER..."};
  }
  return Error{ExitCode::db_invalid, fmt::format("{}: cannot open database: {}", db_path, e.get_description()),
               "is this a newsidx database? rebuild it: newsidx --db PATH index --reindex FOLDER..."};
}

Result<Xapian::WritableDatabase> open_live_for_update(const std::string& db_path) {
  try {
    if (fs::exists(fs::path(db_path) / "iamglass")) {
      Xapian::WritableDatabase db(db_path, Xapian::DB_OPEN);
      if (Status s = check_schema(db); !s) return s.error();
      return db;
    }
    Result<std::string> live = live_generation(db_path);
    if (!live) return live.error();
    if (!live->empty()) {
      Xapian::WritableDatabase db(*live, Xapian::DB_OPEN);
      if (Status s = check_schema(db); !s) return s.error();
      return db;
    }
    Result<std::string> generation = create_generation(db_path);
    if (!generation) return generation.error();
    Xapian::WritableDatabase db(*generation, Xapian::DB_CREATE);
    stamp_schema(db);
    db.commit();
    if (Status s = write_stub(db_path, fs::path(*generation).filename().string()); !s) return s.error();
    return db;
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  }
}

Result<std::string> create_generation(const std::string& db_path) {
  unsigned highest = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(db_path, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_generation_name(name)) highest = std::max(highest, static_cast<unsigned>(std::stoul(name.substr(4))));
  }
  const fs::path generation = fs::path(db_path) / fmt::format("{}{:06}", k_generation_prefix, highest + 1);
  fs::create_directories(generation, ec);
  if (ec) return Error{ExitCode::io_error, fmt::format("{}: {}", generation.string(), ec.message()), ""};
  return generation.string();
}

Status publish_generation(const std::string& db_path, const std::string& generation) {
  if (Status s = write_stub(db_path, fs::path(generation).filename().string()); !s) return s;
  remove_stale_generations(db_path, generation);
  // A plain glass database from before generations existed is replaced by the stub.
  std::error_code ec;
  if (fs::exists(fs::path(db_path) / "iamglass", ec)) {
    for (const auto& entry : fs::directory_iterator(db_path, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(".glass") || name == "iamglass" || name == "flintlock") fs::remove(entry.path(), ec);
    }
  }
  return ok_status();
}

void remove_stale_generations(const std::string& db_path, const std::string& keep) {
  Result<std::string> live = live_generation(db_path);
  const std::string live_name = live && !live->empty() ? fs::path(*live).filename().string() : "";
  const std::string keep_name = keep.empty() ? "" : fs::path(keep).filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(db_path, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_generation_name(name) && name != live_name && name != keep_name) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace newsidx
