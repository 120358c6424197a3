// store.cpp — database folder layout, writer lock, generations (see store.hpp).
#include "newsidx/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "newsidx/dates.hpp"
#include "newsidx/schema.hpp"
#include "posix_file.hpp"

namespace fs = std::filesystem;

namespace newsidx {
namespace {

constexpr std::string_view k_stub = "XAPIANDB";
constexpr std::string_view k_lock = "newsidx.lock";
constexpr std::string_view k_generation_prefix = "gen-";
constexpr std::string_view k_parts = "parts";
constexpr std::string_view k_build_mark = "BUILD";
constexpr std::string_view k_records = "records";

bool is_generation_name(const std::string& name) {
  return name.size() > k_generation_prefix.size() && name.starts_with(k_generation_prefix) &&
         std::all_of(name.begin() + static_cast<long>(k_generation_prefix.size()), name.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

/// What PATH/XAPIANDB says: the live generation, its date shards, and remote shards.
struct Stub {
  std::string generation;            ///< folder name ("gen-000001"); "" if there is no stub
  std::vector<std::string> periods;  ///< date shards (subfolders of the generation); empty if unsharded
  std::vector<std::string> parts;    ///< part databases of an unfinished first build (below parts/)
  std::vector<std::string> remotes;  ///< HOST:PORT of `remote` lines
};

bool is_period_name(const std::string& s) {
  const auto digits = [&](size_t from, size_t n) {
    return s.size() >= from + n &&
           std::all_of(s.begin() + static_cast<long>(from), s.begin() + static_cast<long>(from + n),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  return s == "undated" || (s.size() == 4 && digits(0, 4)) ||
         (s.size() == 7 && digits(0, 4) && s[4] == '-' && digits(5, 2));
}

/// "PERIOD.NNNNNN" (or "main.NNNNNN"): a part database of a bulk build.
bool is_part_name(const std::string& s) {
  const size_t dot = s.rfind('.');
  if (dot == std::string::npos || dot + 7 != s.size()) return false;
  const std::string period = s.substr(0, dot);
  return (period == "main" || is_period_name(period)) &&
         std::all_of(s.begin() + static_cast<long>(dot + 1), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<Stub> read_stub(const std::string& db_path) {
  const fs::path path = fs::path(db_path) / k_stub;
  std::ifstream in(path);
  Stub stub;
  if (!in) return stub;
  const auto invalid = [&](const std::string& line) {
    return Error{ExitCode::db_invalid,
                 fmt::format("{}: unexpected stub file line \"{}\" (not written by newsidx?)", path.string(), line),
                 "use another --db path; newsidx never overwrites a database it did not write"};
  };
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string backend, target, extra;
    words >> backend >> target >> extra;
    if (backend.empty() || backend[0] == '#') continue;
    if (target.empty() || !extra.empty()) return invalid(line);
    if (backend == "remote") {
      stub.remotes.push_back(target);
      continue;
    }
    if (backend != "glass" && backend != "auto") return invalid(line);
    const size_t slash = target.find('/');
    const std::string generation = target.substr(0, slash);
    if (!is_generation_name(generation) || (!stub.generation.empty() && generation != stub.generation))
      return invalid(line);
    stub.generation = generation;
    if (slash != std::string::npos) {
      const std::string sub = target.substr(slash + 1);
      const std::string parts_dir = std::string(k_parts) + "/";
      if (sub.starts_with(parts_dir) && is_part_name(sub.substr(parts_dir.size()))) {
        stub.parts.push_back(sub.substr(parts_dir.size()));
      } else if (is_period_name(sub)) {
        stub.periods.push_back(sub);
      } else {
        return invalid(line);
      }
    }
  }
  return stub;
}

/// The generation folder named by PATH/XAPIANDB, or "" if there is no stub.
Result<std::string> live_generation(const std::string& db_path) {
  Result<Stub> stub = read_stub(db_path);
  if (!stub) return stub.error();
  return stub->generation.empty() ? std::string() : (fs::path(db_path) / stub->generation).string();
}

Status write_stub(const std::string& db_path, const Stub& stub) {
  const fs::path path = fs::path(db_path) / k_stub;
  const fs::path tmp = fs::path(db_path) / (std::string(k_stub) + ".tmp");
  std::string content;
  if (stub.periods.empty() && stub.parts.empty()) content = fmt::format("glass {}\n", stub.generation);
  for (const std::string& period : stub.periods) content += fmt::format("glass {}/{}\n", stub.generation, period);
  for (const std::string& part : stub.parts) content += fmt::format("glass {}/{}/{}\n", stub.generation, k_parts, part);
  for (const std::string& remote : stub.remotes) content += fmt::format("remote {}\n", remote);
  int err = write_file_durably(tmp.string(), content);
  if (err == 0 && ::rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(tmp.c_str());
    return Error{ExitCode::write_failed,
                 fmt::format("{}: cannot write the stub file: {}", path.string(), std::strerror(err)),
                 "free some space and run the same command again"};
  }
  // Make the rename durable before old generations are removed.
  if (const FileDescriptor dir(::open(db_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); dir) ::fsync(dir.get());
  return ok_status();
}

/// The shard of a local period folder, with the publish times it can hold.
Shard period_shard(const std::string& period, std::string location) {
  Shard s{period, std::move(location), false};
  if (period == "undated") {
    s.undated_only = true;
  } else if (const auto span = parse_date_period(period)) {  // the same periods as date:2020, date:2020-07
    s.from_ms = span->first;
    s.to_ms = span->second;
  }
  return s;
}

}  // namespace

Result<WriteLock> WriteLock::acquire(const std::string& db_path) {
  std::error_code ec;
  if (fs::exists(db_path, ec) && !fs::is_directory(db_path, ec)) {
    return Error{ExitCode::db_invalid, fmt::format("{}: not a newsidx database (not a folder)", db_path),
                 "use another --db path"};
  }
  if (fs::is_directory(db_path, ec) && !database_exists(db_path) && !fs::exists(fs::path(db_path) / k_lock, ec) &&
      !fs::is_empty(db_path, ec)) {
    return Error{ExitCode::db_invalid,
                 fmt::format("{}: not a newsidx database (the folder holds other files)", db_path),
                 "use a new or empty folder for --db; newsidx never writes into a folder it did not create"};
  }
  fs::create_directories(db_path, ec);
  if (ec) return Error{ExitCode::io_error, fmt::format("{}: {}", db_path, ec.message()), ""};
  const std::string lock_path = (fs::path(db_path) / k_lock).string();
  FileDescriptor fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!fd) return Error{ExitCode::io_error, fmt::format("{}: {}", lock_path, std::strerror(errno)), ""};
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK) {
      return Error{ExitCode::db_locked, fmt::format("{}: database is locked by another newsidx index", db_path),
                   "wait for it to finish; searching meanwhile is fine"};
    }
    return Error{ExitCode::io_error, fmt::format("{}: cannot lock: {}", lock_path, std::strerror(err)), ""};
  }
  return WriteLock(fd.release());
}

WriteLock::WriteLock(WriteLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }

WriteLock::~WriteLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing releases the flock
}

bool database_exists(const std::string& db_path) {
  std::error_code ec;
  return fs::exists(fs::path(db_path) / k_stub, ec) || fs::exists(fs::path(db_path) / "iamglass", ec);
}

std::optional<int> storage_errno(const char* system_error_text) {
  if (system_error_text == nullptr) return std::nullopt;
  for (const int e : {ENOSPC, EDQUOT, EIO, EROFS, EFBIG}) {
    if (std::string_view(system_error_text) == std::strerror(e)) return e;
  }
  return std::nullopt;
}

std::optional<int> storage_errno(const Xapian::Error& e) {
  if (const std::optional<int> err = storage_errno(e.get_error_string())) return err;
  for (const int err : {ENOSPC, EDQUOT, EIO, EROFS, EFBIG}) {
    if (e.get_msg().find(fmt::format("({})", std::strerror(err))) != std::string::npos) return err;
  }
  return std::nullopt;
}

Error storage_error(const std::string& db_path, int err, const std::string& step) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return Error{ExitCode::write_failed,
               fmt::format("{}: {}{}", db_path, text, step.empty() ? "" : " (while " + step + ")"),
               "free some space (or mend the device) and run the same command again: the work committed before is "
               "kept"};
}

Error database_error(const std::string& db_path, const Xapian::Error& e) {
  if (const std::optional<int> err = storage_errno(e)) return storage_error(db_path, *err);
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
    Result<Stub> stub = read_stub(db_path);
    if (!stub) return stub.error();
    if (!stub->periods.empty()) {
      return Error{ExitCode::db_invalid, fmt::format("{}: a sharded database cannot be updated in place", db_path), ""};
    }
    if (!stub->parts.empty()) {
      return Error{ExitCode::db_invalid, fmt::format("{}: the database is an unfinished first build", db_path),
                   "run newsidx index on the same folders to complete it"};
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
    if (Status s = write_stub(db_path, Stub{fs::path(*generation).filename().string(), {}, {}, {}}); !s)
      return s.error();
    return db;
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  }
}

Result<ShardedLive> open_sharded_for_update(const std::string& db_path) {
  try {
    Result<Stub> stub = read_stub(db_path);
    if (!stub) return stub.error();
    if (stub->periods.empty() || !stub->parts.empty()) {
      return Error{ExitCode::db_invalid, fmt::format("{}: not a sharded database", db_path), ""};
    }
    const fs::path generation = fs::path(db_path) / stub->generation;
    ShardedLive live{generation.string(),
                     stub->periods,
                     {},
                     Xapian::WritableDatabase((generation / k_records).string(), Xapian::DB_CREATE_OR_OPEN),
                     stub->remotes};
    for (const std::string& period : stub->periods) {
      live.shards.emplace_back((generation / period).string(), Xapian::DB_OPEN);
      if (Status s = check_schema(live.shards.back()); !s) return s.error();
    }
    return live;
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  }
}

Result<size_t> add_shard(const std::string& db_path, ShardedLive& live, const std::string& period) {
  try {
    Xapian::WritableDatabase db((fs::path(live.generation) / period).string(), Xapian::DB_CREATE);
    stamp_schema(db);
    db.commit();
    std::vector<std::string> periods = live.periods;
    periods.push_back(period);
    std::sort(periods.begin(), periods.end());
    const std::string name = fs::path(live.generation).filename().string();
    if (Status s = write_stub(db_path, Stub{name, periods, {}, live.remotes}); !s) return s.error();
    live.periods.push_back(period);
    live.shards.push_back(std::move(db));
    return live.shards.size() - 1;
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  }
}

std::string records_location(const std::string& db_path) {
  Result<Stub> stub = read_stub(db_path);
  if (!stub || stub->periods.empty()) return "";
  const fs::path records = fs::path(db_path) / stub->generation / k_records;
  std::error_code ec;
  return fs::exists(records, ec) ? records.string() : "";
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

Status publish_generation(const std::string& db_path, const std::string& generation,
                          const std::vector<std::string>& periods) {
  Result<Stub> old = read_stub(db_path);
  const std::vector<std::string> remotes = old ? old->remotes : std::vector<std::string>{};
  if (Status s = write_stub(db_path, Stub{fs::path(generation).filename().string(), periods, {}, remotes}); !s)
    return s;
  remove_stale_generations(db_path, generation, false);
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

void remove_stale_generations(const std::string& db_path, const std::string& keep, bool keep_unfinished) {
  Result<std::string> live = live_generation(db_path);
  const std::string live_name = live && !live->empty() ? fs::path(*live).filename().string() : "";
  const std::string keep_name = keep.empty() ? "" : fs::path(keep).filename().string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(db_path, ec)) {
    const std::string name = entry.path().filename().string();
    if (is_generation_name(name) && name != live_name && name != keep_name &&
        !(keep_unfinished && fs::exists(entry.path() / k_build_mark, ec))) {
      fs::remove_all(entry.path(), ec);
    }
  }
}

Status mark_build(const std::string& generation, ShardBy by) {
  const fs::path path = fs::path(generation) / k_build_mark;
  const std::string content = fmt::format("newsidx bulk build\nshard-by {}\n", by == ShardBy::year    ? "year"
                                                                               : by == ShardBy::month ? "month"
                                                                                                      : "none");
  if (const int err = write_file_durably(path.string(), content); err != 0)
    return Error{ExitCode::io_error, fmt::format("{}: {}", path.string(), std::strerror(err)), ""};
  return ok_status();
}

std::optional<UnfinishedBuild> unfinished_build(const std::string& db_path) {
  Result<Stub> stub = read_stub(db_path);
  std::optional<fs::path> found;
  if (stub && !stub->parts.empty()) {
    found = fs::path(db_path) / stub->generation;
  } else {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(db_path, ec)) {
      if (is_generation_name(entry.path().filename().string()) && fs::exists(entry.path() / k_build_mark, ec)) {
        if (!found || entry.path().filename() > found->filename()) found = entry.path();
      }
    }
  }
  if (!found) return std::nullopt;
  UnfinishedBuild build{found->string(), ShardBy::none, stub && !stub->parts.empty(), {}};
  std::ifstream mark(*found / k_build_mark);
  std::string line;
  while (std::getline(mark, line)) {
    if (line == "shard-by year") build.by = ShardBy::year;
    if (line == "shard-by month") build.by = ShardBy::month;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*found / k_parts, ec)) {
    if (is_part_name(entry.path().filename().string())) build.parts.push_back(entry.path().string());
  }
  std::sort(build.parts.begin(), build.parts.end());
  return build;
}

Status publish_parts(const std::string& db_path, const std::string& generation, const std::vector<std::string>& parts) {
  Result<Stub> old = read_stub(db_path);
  Stub stub{fs::path(generation).filename().string(), {}, {}, old ? old->remotes : std::vector<std::string>{}};
  for (const std::string& part : parts) stub.parts.push_back(fs::path(part).filename().string());
  return write_stub(db_path, stub);
}

std::string part_period(const std::string& part_name) { return part_name.substr(0, part_name.rfind('.')); }

}  // namespace newsidx

namespace newsidx {

Result<std::vector<Shard>> list_shards(const std::string& db) {
  constexpr std::string_view tcp = "tcp://";
  if (db.starts_with(tcp)) return std::vector<Shard>{Shard{db.substr(tcp.size()), db.substr(tcp.size()), true}};
  if (!database_exists(db)) {
    return Error{ExitCode::db_missing, fmt::format("{}: no database here", db),
                 "create it with: newsidx --db PATH index FOLDER"};
  }
  if (!fs::exists(fs::path(db) / k_stub)) return std::vector<Shard>{Shard{"main", db, false}};
  Result<Stub> stub = read_stub(db);
  if (!stub) return stub.error();
  std::vector<Shard> shards;
  const fs::path generation = fs::path(db) / stub->generation;
  if (!stub->generation.empty() && stub->periods.empty() && stub->parts.empty()) {
    shards.push_back(Shard{"main", generation.string(), false});
  }
  for (const std::string& period : stub->periods)
    shards.push_back(period_shard(period, (generation / period).string()));
  for (const std::string& part : stub->parts) {
    const std::string period = part_period(part);
    Shard s = period == "main" ? Shard{part, "", false} : period_shard(period, "");
    s.name = part;
    s.location = (generation / k_parts / part).string();
    shards.push_back(std::move(s));
  }
  for (const std::string& remote : stub->remotes) shards.push_back(Shard{remote, remote, true});
  return shards;
}

std::string shard_period(std::optional<int64_t> published_ms, ShardBy by) {
  if (by == ShardBy::none) return "main";
  if (!published_ms) return "undated";
  const UtcDate d = utc_date(*published_ms);
  return by == ShardBy::year ? fmt::format("{:04}", d.year) : fmt::format("{:04}-{:02}", d.year, d.month);
}

ShardBy live_sharding(const std::string& db_path) {
  Result<Stub> stub = read_stub(db_path);
  if (!stub) return ShardBy::none;
  if (!stub->parts.empty()) {
    const std::optional<UnfinishedBuild> build = unfinished_build(db_path);
    return build ? build->by : ShardBy::none;
  }
  if (stub->periods.empty()) return ShardBy::none;
  // The finest period present: after `compact --merge-months`, closed years and open months mix.
  const bool months = std::any_of(stub->periods.begin(), stub->periods.end(),
                                  [](const std::string& p) { return p.size() == 7 && p[4] == '-'; });
  return months ? ShardBy::month : ShardBy::year;
}

}  // namespace newsidx
