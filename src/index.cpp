// index.cpp — keeping a database in step with folders: walk, change detection, parallel
// preparation, one writer (duplicate URLs, deletions), batched commits, interruption.
//
// Per-file state (file_records.hpp) lives in the database's metadata, committed atomically with
// the documents, so a run killed at any moment leaves a database whose documents and file
// records agree, and the next run redoes exactly the uncommitted work.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "file_records.hpp"
#include "newsidx/index.hpp"
#include "newsidx/pipeline.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"
#include "newsidx/text.hpp"
#include "posix_file.hpp"

#include <xxhash.h>

namespace fs = std::filesystem;

namespace newsidx {

std::string default_db_path() {
  if (const char* env = std::getenv("NEWSIDX_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return (fs::path(xdg) / "newsidx").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / ".local" / "share" / "newsidx").string();
}

namespace {

// ---------------------------------------------------------------------------------------------
// Walking the inputs

struct InputFile {
  std::string path;     // as given, joined with the relative path
  std::string abspath;  // identity across runs
  int64_t mtime_ns = 0;
  int64_t size = 0;
  std::string not_regular;  // why it cannot be read as a file ("" for regular files)
};

struct Inputs {
  std::vector<InputFile> files;
  std::vector<std::string> roots;       // absolute, for the deletion sweep
  std::vector<std::string> gone_files;  // gone roots that were files (IndexOptions::gone_inputs_ok)
  bool has_folder = false;              // a root is, or was, a folder
};

InputFile stat_file(std::string path, std::string abspath) {
  InputFile f{std::move(path), std::move(abspath), 0, 0, ""};
  struct stat st {};
  if (::stat(f.path.c_str(), &st) != 0) {
    f.not_regular = std::strerror(errno);  // e.g. a symlink loop: "Too many levels of symbolic links"
    return f;
  }
  f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  f.size = static_cast<int64_t>(st.st_size);
  if (S_ISFIFO(st.st_mode))
    f.not_regular = "not a regular file (a FIFO)";
  else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
    f.not_regular = "not a regular file (a device)";
  else if (S_ISSOCK(st.st_mode))
    f.not_regular = "not a regular file (a socket)";
  else if (!S_ISREG(st.st_mode))
    f.not_regular = "not a regular file";
  return f;
}

/// Expands inputs into a sorted list of files. Folders are walked recursively; symlinked folders
/// are not followed (no cycles); entries whose name starts with '.' are skipped. With `gone_ok`,
/// an input that does not exist is a root of the deletion sweep only.
Result<Inputs> collect_inputs(const std::vector<std::string>& inputs, bool gone_ok, IndexObserver& observer,
                              IndexReport& report) {
  Inputs out;
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st)) {
      if (fs::is_symlink(fs::symlink_status(input, ec))) {
        out.roots.push_back(absolute_normal(input));
        out.files.push_back(stat_file(input, absolute_normal(input)));
        continue;
      }
      if (!gone_ok) return Error{ExitCode::io_error, fmt::format("{}: no such file or directory", input), ""};
      out.roots.push_back(absolute_normal(input));
      if (input.back() == '/')
        out.has_folder = true;
      else
        out.gone_files.push_back(out.roots.back());
      continue;
    }
    const std::string root = absolute_normal(input);
    out.roots.push_back(root);
    out.has_folder = out.has_folder || fs::is_directory(st);
    if (!fs::is_directory(st)) {
      out.files.push_back(stat_file(input, root));
      continue;
    }
    std::vector<InputFile> found;
    auto it = fs::recursive_directory_iterator(input, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      const std::string name = entry.path().filename().string();
      std::error_code type_ec;
      if (!name.empty() && name[0] == '.') {
        if (entry.is_directory(type_ec) && !entry.is_symlink(type_ec)) it.disable_recursion_pending();
        continue;
      }
      if (entry.is_symlink(type_ec) && entry.is_directory(type_ec)) continue;  // not followed
      if (entry.is_directory(type_ec)) continue;
      const std::string rel = entry.path().lexically_relative(input).string();
      found.push_back(stat_file(entry.path().string(), (fs::path(root) / rel).lexically_normal().string()));
    }
    if (ec) {
      observer.on_file(input, FileOutcome::failed, ec.message());
      ++report.failed;
    }
    std::sort(found.begin(), found.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
    out.files.insert(out.files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return out;
}

bool under_root(const std::string& abspath, const std::string& root) {
  if (abspath == root) return true;
  if (root == "/") return true;
  return abspath.size() > root.size() && abspath.compare(0, root.size(), root) == 0 && abspath[root.size()] == '/';
}

// ---------------------------------------------------------------------------------------------
// Faults on the indexing threads

/// An Error thrown across threads (a Status that failed where no Result can be returned).
struct StatusError : std::runtime_error {
  explicit StatusError(Error e) : std::runtime_error(e.message), error(std::move(e)) {}
  Error error;
};

/// Rethrows the exception in flight wrapped with the step it happened in ("reading FILE",
/// "committing"), which fault_error() names.
[[noreturn]] void rethrow_at(const std::string& step) { std::throw_with_nested(std::runtime_error(step)); }

/// The Error of an exception that ended an indexing run: a storage failure (disk full, I/O
/// error) reads "DB: no space left on device (while STEP)"; others name the step and the cause.
Error fault_error(const std::string& db_path, std::exception_ptr fault) {
  std::string step;
  for (;;) {
    try {
      std::rethrow_exception(fault);
    } catch (const StatusError& e) {
      return e.error;
    } catch (const fs::filesystem_error& e) {
      if (e.code().category() == std::generic_category() || e.code().category() == std::system_category()) {
        if (storage_errno(std::strerror(e.code().value()))) return storage_error(db_path, e.code().value(), step);
      }
      return Error{ExitCode::io_error,
                   fmt::format("{}: {}{}", db_path, e.what(), step.empty() ? "" : " (while " + step + ")"), ""};
    } catch (const std::exception& e) {
      if (const auto* nested = dynamic_cast<const std::nested_exception*>(&e); nested && nested->nested_ptr()) {
        if (step.empty()) step = e.what();
        fault = nested->nested_ptr();
        continue;
      }
      return Error{
          ExitCode::internal,
          fmt::format("{}: internal error: {}{}", db_path, e.what(), step.empty() ? "" : " (while " + step + ")"), ""};
    } catch (const Xapian::Error& e) {
      Error error = database_error(db_path, e);  // a storage failure reads "DB: no space left on device"
      if (!step.empty()) error.message += " (while " + step + ")";
      return error;
    } catch (...) {
      return Error{ExitCode::internal,
                   fmt::format("{}: internal error{}", db_path, step.empty() ? "" : " (while " + step + ")"), ""};
    }
  }
}

/// Xapian 1.4.22 throws from a destructor: Glass::ValueUpdater::~ValueUpdater (glass_values.cc)
/// writes the last value chunk of a commit, so a full disk at that moment calls std::terminate
/// (exit 134, "terminate called after throwing an instance of 'Xapian::DatabaseError'"; 1 run in
/// about 300 into a 3 MB tmpfs). The commit is then half-written, as after a kill -9, which the
/// database survives: its last commit stays current and the next run resumes. While a guard
/// lives, a storage failure that reaches std::terminate prints the message of fault_error and
/// exits with status 74; anything else goes to the previous handler (which aborts).
class StorageFaultExit {
 public:
  explicit StorageFaultExit(const std::string& db_path) {
    s_db_path = db_path;
    s_previous = std::set_terminate(on_terminate);
  }
  StorageFaultExit(const StorageFaultExit&) = delete;
  StorageFaultExit& operator=(const StorageFaultExit&) = delete;
  ~StorageFaultExit() { std::set_terminate(s_previous); }

 private:
  [[noreturn]] static void on_terminate() {
    // GCC 12 (which built Debian's Xapian) calls std::terminate for an exception that leaves a
    // noexcept function without making it current (GCC bug 97720): then the only trace of a
    // full disk is the disk, with less than 1 MiB left to this process.
    const std::exception_ptr fault = std::current_exception();
    const Error e = fault                     ? fault_error(s_db_path, fault)
                    : disk_is_full(s_db_path) ? storage_error(s_db_path, ENOSPC, "")
                                              : Error{};
    if (e.code == ExitCode::write_failed) {
      fmt::print(stderr, "newsidx: {}\nhint: {}\n", printable(e.message), e.hint);
      std::_Exit(static_cast<int>(ExitCode::write_failed));
    }
    if (s_previous != nullptr) s_previous();
    std::abort();
  }
  static bool disk_is_full(const std::string& path) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return false;
    const auto free_blocks = ::geteuid() == 0 ? st.f_bfree : st.f_bavail;
    return static_cast<unsigned long long>(free_blocks) * st.f_frsize < (1u << 20);
  }
  static inline std::string s_db_path;
  static inline std::terminate_handler s_previous = nullptr;
};

// ---------------------------------------------------------------------------------------------
// Reading and preparing one file (worker threads)

/// Reads a whole regular file, refusing files larger than `max_bytes`.
Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: a FIFO that appeared since the walk must not block the open.
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return Error{ExitCode::some_failed, std::strerror(errno), ""};
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    return Error{ExitCode::some_failed, "not a regular file", ""};
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return Error{ExitCode::some_failed,
                 fmt::format("file too large ({:.1f} MiB; the limit is {} MiB)",
                             static_cast<double>(st.st_size) / (1 << 20), max_bytes >> 20),
                 ""};
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t r = ::read(fd.get(), bytes.data() + got, bytes.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return Error{ExitCode::some_failed, std::strerror(errno), ""};
    if (r == 0) break;  // shrank while we read: index what is there
    got += static_cast<size_t>(r);
  }
  bytes.resize(got);
  return bytes;
}

struct Task {
  size_t file = 0;
  std::optional<FileRecord> old;
};

struct Prepared {
  enum class Kind : uint8_t { indexed, same_content, skipped, failed };
  Kind kind = Kind::failed;
  size_t task = 0;
  std::string note;  // reason or warning
  std::string hash;
  Article article;
  Xapian::Document doc;
};

Prepared prepare(const Task& task, const InputFile& file, const IndexOptions& options, DocumentBuilder& builder) {
  Prepared p;
  if (!file.not_regular.empty()) {
    p.note = file.not_regular;
    return p;
  }
  const bool retry = options.retry_failed && task.old && task.old->state == FileState::failed;
  Result<std::string> bytes = read_file(file.path, options.max_file_bytes);
  if (!bytes) {
    p.note = bytes.error().message;
    return p;
  }
  p.hash = hash_hex(*bytes);
  if (task.old && task.old->hash == p.hash && !retry) {
    p.kind = Prepared::Kind::same_content;
    return p;
  }
  Result<DecodedText> text = to_utf8(*bytes);
  if (!text) {
    p.note = text.error().message;
    return p;
  }
  Result<Article> article = parse_article(text->text, file.path);
  if (!article) {
    p.kind = is_not_article(article.error()) ? Prepared::Kind::skipped : Prepared::Kind::failed;
    p.note = article.error().message;
    return p;
  }
  if (text->charset != "UTF-8") p.note = "decoded from " + text->charset;
  if (const size_t n = text->replaced_bytes)
    p.note = fmt::format("{} invalid UTF-8 byte{} replaced", n, n == 1 ? "" : "s");
  if (!article->published_ms) p.note += std::string(p.note.empty() ? "" : "; ") + "no publish time";
  p.article = std::move(*article);
  p.doc = builder.build(p.article, {FileCopy{file.path, file.abspath, p.article.published_ms}});
  p.kind = Prepared::Kind::indexed;
  return p;
}

/// prepare() on a worker thread, as task number `index`; an exception names the file.
Prepared prepare_at(const Task& task, const InputFile& file, const IndexOptions& options, DocumentBuilder& builder,
                    size_t index) {
  try {
    if (options.fault_hook) options.fault_hook("read", file.path);
    Prepared p = prepare(task, file, options, builder);
    p.task = index;
    return p;
  } catch (...) {
    rethrow_at("reading " + file.path);
  }
}

// ---------------------------------------------------------------------------------------------
// The writer: documents per URL and file records

/// The key of a URL in the maps from URLs to parts and times: the hash of its U term.
uint64_t url_key(const std::string& id_term) { return XXH3_64bits(id_term.data(), id_term.size()); }

/// First-indexed times (epoch ms UTC; nullopt: unknown) of URLs, by url_key.
using FirstTimes = std::unordered_map<uint64_t, std::optional<int64_t>>;

/// Where a writer takes the first-indexed time of a URL that its database does not hold.
struct FirstIndexed {
  int64_t now_ms = 0;                 ///< for a URL seen nowhere before
  const FirstTimes* prior = nullptr;  ///< a rebuild's: those of the live database
};

/// Files that joined a URL already in the database (another copy, or another version of it).
struct MergeCounts {
  size_t files = 0;                   ///< files that joined such a URL
  size_t versions = 0;                ///< of which, with content no file of the URL had
  std::unordered_set<uint64_t> urls;  ///< XXH3-64 of those URLs
};

/// The databases a Writer fills: the shards that hold the documents, each version in the shard
/// of its winning copy's period (one shard, "main", when unsharded), and the database that holds
/// the file records (the shard itself when unsharded; GEN/records of a sharded database).
struct WriteTarget {
  std::vector<Xapian::WritableDatabase> shards;  // handles: copies share one database
  std::vector<std::string> periods;              // parallel to shards
  Xapian::WritableDatabase records;
  bool separate_records = false;
  ShardBy by = ShardBy::none;
  /// Creates the shard of a period that has none yet (sharded targets only); throws StatusError.
  std::function<Xapian::WritableDatabase(const std::string& period)> add_shard;

  static WriteTarget single(const Xapian::WritableDatabase& db) {
    return {{db}, {"main"}, db, false, ShardBy::none, {}};
  }
};

/// Writes the files of a run into a WriteTarget. Its changes between two commits are one Xapian
/// transaction per database: a run that fails (disk full, an exception) cancels them, so that
/// Xapian's implicit commit when a database closes never lands half of a batch (a file's record
/// without the version it names). A sharded target commits the shards before the records, and a
/// version that moves to another shard is committed there before it is deleted from the old
/// one: a kill in between leaves a version twice (load() keeps one) or a record older than the
/// documents (the file is indexed again, and add_copy does not add its copy twice), never a
/// record without its version.
class Writer {
 public:
  /// `fault_hook` as IndexOptions::fault_hook, called ("moved", path) in a move between its
  /// two commits (see store).
  Writer(WriteTarget target, const FirstIndexed& first, FaultHook fault_hook = nullptr)
      : m_t(std::move(target)), m_first(first), m_fault_hook(std::move(fault_hook)) {
    for (Xapian::WritableDatabase& db : m_t.shards) db.begin_transaction();
    if (m_t.separate_records) m_t.records.begin_transaction();
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer() {
    // Committed batches are kept; the one in progress is not.
    for (Xapian::WritableDatabase& db : m_t.shards) cancel(db);
    if (m_t.separate_records) cancel(m_t.records);
  }

  /// Applies one prepared file; returns what happened to it.
  FileOutcome apply(const InputFile& file, const std::optional<FileRecord>& old, Prepared& p) {
    FileRecord rec;
    rec.abspath = file.abspath;
    rec.mtime_ns = file.mtime_ns;
    rec.size = file.size;
    rec.hash = p.hash;
    FileOutcome outcome = FileOutcome::failed;
    switch (p.kind) {
      case Prepared::Kind::same_content:
        rec = *old;  // touched, not changed: only the stat fields move on
        rec.mtime_ns = file.mtime_ns;
        rec.size = file.size;
        outcome = FileOutcome::unchanged;
        break;
      case Prepared::Kind::indexed:
        if (old && old->state == FileState::indexed) remove_copy(*old);
        rec.version = version_hash(p.article.title, p.article.author, p.article.text);
        add_copy(FileCopy{file.path, file.abspath, p.article.published_ms}, p.article, *rec.version, p.doc);
        rec.state = FileState::indexed;
        rec.url = p.article.url;
        rec.published_ms = p.article.published_ms;
        outcome = FileOutcome::indexed;
        break;
      case Prepared::Kind::skipped:
      case Prepared::Kind::failed:
        if (old && old->state == FileState::indexed) remove_copy(*old);
        rec.state = p.kind == Prepared::Kind::skipped ? FileState::skipped : FileState::failed;
        rec.reason = p.note;
        outcome = p.kind == Prepared::Kind::skipped ? FileOutcome::skipped : FileOutcome::failed;
        break;
    }
    m_t.records.set_metadata(record_key(file.abspath), encode_record(rec));
    return outcome;
  }

  /// A file that is gone: forget its record and its copy of the article.
  void forget(const std::string& key, const FileRecord& rec) {
    if (rec.state == FileState::indexed) remove_copy(rec);
    m_t.records.set_metadata(key, "");
  }

  /// What happened to files that share a URL (IndexReport::merged_files and friends).
  [[nodiscard]] const MergeCounts& merges() const { return m_merges; }

  /// Writes the version that copies are being added to (see add_copy). Every commit of the
  /// database must come after it: commit() does both.
  void flush() {
    if (!m_pending) return;
    Pending p = std::move(*m_pending);
    m_pending.reset();
    store(p.q, p.version, p.doc ? &*p.doc : nullptr, p.marked);
  }
  void commit() {
    flush();
    for (size_t k = 0; k < m_t.shards.size(); ++k) commit_shard(k);
    if (m_t.separate_records) {
      m_t.records.commit_transaction();
      m_t.records.begin_transaction();
    }
  }

 private:
  static void cancel(Xapian::WritableDatabase& db) {
    try {
      db.cancel_transaction();
    } catch (const Xapian::Error&) {  // none in progress (a commit failed), or the database is gone
    }
  }
  void commit_shard(size_t k) {
    m_t.shards[k].commit_transaction();
    m_t.shards[k].begin_transaction();
  }

  /// The shard of a version whose winning copy was published at `published_ms`: that of its
  /// period, or of its year after `compact --merge-months`, created when there is none.
  size_t shard_of(std::optional<int64_t> published_ms) {
    if (m_t.by == ShardBy::none) return 0;
    const std::string period = shard_period(published_ms, m_t.by);
    for (const std::string& p : {period, period.substr(0, 4)}) {
      const auto it = std::find(m_t.periods.begin(), m_t.periods.end(), p);
      if (it != m_t.periods.end()) return static_cast<size_t>(it - m_t.periods.begin());
    }
    m_t.shards.push_back(m_t.add_shard(period));
    m_t.periods.push_back(period);
    m_t.shards.back().begin_transaction();
    return m_t.shards.size() - 1;
  }

  /// The documents of URL term `term` over every shard.
  Xapian::doccount url_docs(const std::string& term) {
    Xapian::doccount n = 0;
    for (Xapian::WritableDatabase& db : m_t.shards) n += db.get_termfreq(term);
    return n;
  }

  /// The document of the version with Q term `q`: its shard, docid (0 if there is none) and
  /// data. A version found in two shards (a move that a kill interrupted) is kept in its own.
  struct Version {
    size_t shard = 0;
    Xapian::docid docid = 0;
    StoredArticle stored;
  };
  Version load(const std::string& q) {
    Version found;
    for (size_t k = 0; k < m_t.shards.size(); ++k) {
      Xapian::PostingIterator it = m_t.shards[k].postlist_begin(q);
      if (it == m_t.shards[k].postlist_end(q)) continue;
      Version v{k, *it, from_document_data(m_t.shards[k].get_document(*it).get_data())};
      if (found.docid == 0) {
        found = std::move(v);
        continue;
      }
      const bool keep_new = shard_of(v.stored.published_ms) == k;
      Version& extra = keep_new ? found : v;
      m_t.shards[extra.shard].delete_document(extra.docid);
      if (keep_new) found = std::move(v);
    }
    return found;
  }

  static void sort_copies(std::vector<FileCopy>& files) {
    std::sort(files.begin(), files.end(), [](const FileCopy& a, const FileCopy& b) { return copy_wins(a, b); });
  }

  /// Writes version `v` (Q term `q`) back, its winning file first: the path and publish time it
  /// shows. Its terms are `doc`'s when given, else rebuilt (from its stored text: no file is
  /// read) when the winning file's publish time changed, else kept. XV is set when `marked`.
  void store(const std::string& q, Version& v, const Xapian::Document* doc, bool marked) {
    sort_copies(v.stored.files);
    const FileCopy& winner = v.stored.files[0];
    Xapian::Document out;
    if (doc) {
      out = *doc;
    } else if (v.docid == 0 || winner.published_ms != v.stored.published_ms) {
      if (!m_builder) m_builder = std::make_unique<DocumentBuilder>();  // rarely needed: ICU objects on demand
      const StoredArticle& a = v.stored;
      out = m_builder->build(Article{winner.path, a.url, a.title, winner.published_ms, a.source, a.author, a.text, ""},
                             a.files);
    } else {
      out = m_t.shards[v.shard].get_document(v.docid);
    }
    v.stored.path = winner.path;
    v.stored.published_ms = winner.published_ms;
    out.set_data(to_document_data(v.stored));
    const std::optional<int64_t> first = v.stored.first_indexed_ms;
    out.add_value(k_slot_first_indexed, first ? first_indexed_value(*first) : "");  // "" clears the slot
    set_mark(out, marked);
    const size_t to = shard_of(winner.published_ms);
    m_t.shards[to].replace_document(q, out);
    if (v.docid != 0 && v.shard != to) {  // the winning copy moved to another period
      commit_shard(to);
      if (m_fault_hook) m_fault_hook("moved", winner.path);
      m_t.shards[v.shard].delete_document(v.docid);
    }
  }

  static void set_mark(Xapian::Document& doc, bool marked) {
    const std::string xv(k_term_versions);
    Xapian::TermIterator t = doc.termlist_begin();
    t.skip_to(xv);
    const bool has = t != doc.termlist_end() && *t == xv;
    if (marked && !has) doc.add_boolean_term(xv);
    if (!marked && has) doc.remove_term(xv);
  }

  /// Sets (or clears) XV on every version of `url`: when a second version appears (or the
  /// second but last goes).
  void mark_all(const std::string& url, bool marked) {
    for_each_version(url, [&](Xapian::WritableDatabase& db, Xapian::docid docid, Xapian::Document& doc) {
      set_mark(doc, marked);
      db.replace_document(docid, doc);
    });
  }

  /// Calls f(shard, docid, document) for every version of `url`, in every shard.
  template <class F>
  void for_each_version(const std::string& url, F&& f) {
    const std::string term = url_term(url);
    for (Xapian::WritableDatabase& db : m_t.shards) {
      for (Xapian::PostingIterator it = db.postlist_begin(term); it != db.postlist_end(term); ++it) {
        Xapian::Document doc = db.get_document(*it);
        f(db, *it, doc);
      }
    }
  }

  /// Adds `copy`, whose parsed article is `article` (version `version`) and prepared document
  /// `doc`, to the version of its content, or as a new version of its URL. Reads and writes
  /// that version and, when it is the second, the first: never every version of a URL. The
  /// version stays in memory while the next files add copies to it too (a folder of identical
  /// copies costs one write, not one per copy of a growing list), until flush().
  void add_copy(const FileCopy& copy, const Article& article, uint64_t version, const Xapian::Document& doc) {
    const std::string q = version_term(article.url, version);
    if (!m_pending || m_pending->q != q) {
      flush();
      const Xapian::doccount others = url_docs(url_term(article.url));
      Version v = load(q);
      // Already there when a kill came between a shard's commit and the records' commit.
      std::erase_if(v.stored.files, [&](const FileCopy& f) { return f.abspath == copy.abspath; });
      const bool new_version = v.docid == 0;
      if (new_version) {
        v.stored = StoredArticle{copy.path,
                                 article.url,
                                 article.title,
                                 article.published_ms,
                                 article.source,
                                 article.author,
                                 article.text,
                                 {},
                                 first_indexed(article.url, others)};
      }
      m_pending = Pending{q, std::move(v), std::nullopt, others + new_version > 1, others > 0};
      if (others > 0) m_merges.versions += new_version;
      if (new_version && others == 1) mark_all(article.url, true);
    } else {
      m_pending->shared = true;  // another copy of the version just added
    }
    Pending& p = *m_pending;
    if (p.shared) {
      ++m_merges.files;
      m_merges.urls.insert(XXH3_64bits(article.url.data(), article.url.size()));
    }
    // The winning copy first (store sorts the others); the prepared document carries this
    // copy's publish time: the version's, when it wins.
    std::vector<FileCopy>& files = p.version.stored.files;
    files.push_back(copy);
    if (copy_wins(copy, files.front()) || files.size() == 1) {
      std::swap(files.front(), files.back());
      p.doc = doc;
    }
  }

  /// Takes the file of `rec` out of its version (deleted when it was its last file).
  void remove_copy(const FileRecord& rec) {
    flush();
    if (!rec.version) return;  // written before versions: its database asks for a --reindex
    const std::string q = version_term(rec.url, *rec.version);
    Version v = load(q);
    if (!std::erase_if(v.stored.files, [&](const FileCopy& f) { return f.abspath == rec.abspath; })) return;
    if (!v.stored.files.empty()) {
      store(q, v, nullptr, url_docs(url_term(rec.url)) > 1);
      return;
    }
    m_t.shards[v.shard].delete_document(v.docid);
    m_removed[url_key(url_term(rec.url))] = v.stored.first_indexed_ms;
    if (url_docs(url_term(rec.url)) == 1) mark_all(rec.url, false);
  }

  /// When `url`, which has `others` versions in the database, was first indexed: as they say
  /// (the earliest), else as a version of it that this writer deleted says (a changed file
  /// leaves its version before it joins its new one), else as m_first.prior says, else now.
  std::optional<int64_t> first_indexed(const std::string& url, Xapian::doccount others) {
    if (others > 0) {
      std::optional<int64_t> first;
      for_each_version(url, [&](Xapian::WritableDatabase&, Xapian::docid, const Xapian::Document& doc) {
        const std::optional<int64_t> t = first_indexed_ms(doc.get_value(k_slot_first_indexed));
        if (t && (!first || *t < *first)) first = t;
      });
      return first;
    }
    const uint64_t key = url_key(url_term(url));
    if (const auto it = m_removed.find(key); it != m_removed.end()) return it->second;
    if (m_first.prior) {
      if (const auto it = m_first.prior->find(key); it != m_first.prior->end()) return it->second;
    }
    return m_first.now_ms;
  }

  /// The version add_copy added to last, not written yet.
  struct Pending {
    std::string q;
    Version version;
    std::optional<Xapian::Document> doc;  ///< the winning copy's prepared document, if it is new
    bool marked;                          ///< the URL has several versions
    bool shared;                          ///< its URL had files before this one
  };

  WriteTarget m_t;
  FirstIndexed m_first;
  FirstTimes m_removed;  ///< URLs whose last version this writer deleted
  std::unique_ptr<DocumentBuilder> m_builder;
  MergeCounts m_merges;
  std::optional<Pending> m_pending;
  FaultHook m_fault_hook;
};

void count(IndexReport& report, FileOutcome outcome, const std::optional<FileRecord>& old) {
  switch (outcome) {
    case FileOutcome::indexed:
      ++report.indexed;
      if (old) ++report.updated;
      break;
    case FileOutcome::unchanged:
      if (old && old->state == FileState::failed)
        ++report.failed_earlier;
      else
        ++report.unchanged;
      break;
    case FileOutcome::skipped:
      ++report.skipped;
      break;
    case FileOutcome::failed:
      ++report.failed;
      break;
    case FileOutcome::removed:
      ++report.removed;
      break;
  }
}

bool stopped(const IndexOptions& o) { return o.stop && o.stop->load(std::memory_order_relaxed); }

/// The keys of the records that may lie under the roots and were not seen: with a folder among
/// the roots, every record key; else those of the gone files (point look-ups, however large the
/// index; a root that is a file is seen).
std::vector<std::string> unseen_keys(Xapian::Database& db, const Inputs& inputs,
                                     const std::unordered_set<std::string>& seen_keys) {
  std::vector<std::string> keys;
  if (!inputs.has_folder) {
    for (const std::string& file : inputs.gone_files) keys.push_back(record_key(file));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
  }
  const std::string prefix(k_record_prefix);
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
    if (!seen_keys.count(*it)) keys.push_back(*it);
  }
  return keys;
}

/// Removes the records (and article copies) of files under the roots that were not seen,
/// committing every options.commit_every / 2 files: until the commit, Xapian holds every
/// posting a deletion takes away, about twice the memory of a document added (bench/
/// scale_shards.sh at 1,000,000 articles: 150 KB against 67 KB; docs/scaling.md). The files go in
/// order of publish time, close to the docid order of each shard, so that a batch rewrites the
/// posting-list chunks of its docid range, not chunks all over every posting list.
void sweep(Xapian::WritableDatabase& db, Writer& writer, const Inputs& inputs,
           const std::unordered_set<std::string>& seen_keys, const IndexOptions& options, IndexObserver& observer,
           IndexReport& report) {
  const std::vector<std::string>& roots = inputs.roots;
  std::vector<std::pair<int64_t, std::string>> gone;  // (publish time, record key)
  for (std::string& key : unseen_keys(db, inputs, seen_keys)) {
    const std::optional<FileRecord> rec = decode_record(db.get_metadata(key));
    if (rec &&
        std::any_of(roots.begin(), roots.end(), [&](const std::string& r) { return under_root(rec->abspath, r); }))
      gone.emplace_back(rec->published_ms.value_or(INT64_MIN), std::move(key));
  }
  std::sort(gone.begin(), gone.end());
  const size_t batch = std::max<size_t>(1, options.commit_every / 2);
  size_t since_commit = 0;
  for (const auto& [published_ms, key] : gone) {
    // Read again rather than kept from the pass above: every record of a gone folder may be
    // here, and a point look-up costs little beside deleting the document.
    const FileRecord rec = *decode_record(db.get_metadata(key));
    if (options.fault_hook) options.fault_hook("remove", rec.abspath);
    writer.forget(key, rec);
    ++report.removed;
    observer.on_file(rec.abspath, FileOutcome::removed, "");
    if (++since_commit >= batch) {
      writer.commit();
      since_commit = 0;
    }
  }
}

}  // namespace

namespace {

struct Run {
  const std::string& db_path;
  const Inputs& inputs;
  const IndexOptions& options;
  IndexObserver& observer;
  IndexReport& report;
  unsigned jobs;
  FirstIndexed first;
};

void add_merges(IndexReport& report, const MergeCounts& m) {
  report.merged_files += m.files;
  report.merged_versions += m.versions;
  report.merged_urls += m.urls.size();
}

void commit(Writer& writer) {
  try {
    writer.commit();
  } catch (...) {
    rethrow_at("committing");
  }
}

/// Updates the live database in place with one writer: change detection against the file
/// records, then the deletion sweep. Commits every options.commit_every files.
void update_in_place(Run& run, WriteTarget target) {
  Xapian::WritableDatabase db = target.records;
  const std::vector<InputFile>& files = run.inputs.files;
  // Change detection: stat fields against the file records (point look-ups).
  std::vector<Task> tasks;
  std::unordered_set<std::string> seen_keys;
  seen_keys.reserve(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string key = record_key(files[i].abspath);
    seen_keys.insert(key);
    std::optional<FileRecord> old = decode_record(db.get_metadata(key));
    const bool same_stat =
        old && old->mtime_ns == files[i].mtime_ns && old->size == files[i].size && files[i].not_regular.empty();
    if (same_stat && !(run.options.retry_failed && old->state == FileState::failed)) {
      count(run.report, FileOutcome::unchanged, old);
      continue;
    }
    tasks.push_back({i, std::move(old)});
  }
  size_t done = files.size() - tasks.size();
  run.observer.on_progress(done, files.size());

  Writer writer(std::move(target), run.first, run.options.fault_hook);
  size_t since_commit = 0;
  ordered_parallel_map<DocumentBuilder, Prepared>(
      tasks.size(), run.jobs, 8 * run.jobs,
      [&](size_t i, DocumentBuilder& builder) {
        return prepare_at(tasks[i], files[tasks[i].file], run.options, builder, i);
      },
      [&](Prepared&& p) {
        const Task& task = tasks[p.task];
        const InputFile& file = files[task.file];
        FileOutcome outcome = FileOutcome::failed;
        try {
          if (run.options.fault_hook) run.options.fault_hook("write", file.path);
          outcome = writer.apply(file, task.old, p);
        } catch (...) {
          rethrow_at("writing " + file.path);
        }
        count(run.report, outcome, task.old);
        if (outcome == FileOutcome::indexed && !p.note.empty()) ++run.report.warnings;
        if (outcome != FileOutcome::unchanged) run.observer.on_file(file.path, outcome, p.note);
        run.observer.on_progress(++done, files.size());
        if (++since_commit >= run.options.commit_every) {
          commit(writer);
          since_commit = 0;
        }
        return !stopped(run.options);
      });
  run.report.interrupted = stopped(run.options);
  if (!run.report.interrupted && run.options.delete_missing) {
    try {
      sweep(db, writer, run.inputs, seen_keys, run.options, run.observer, run.report);
    } catch (...) {
      rethrow_at("removing the articles of deleted files");
    }
  }
  commit(writer);
  add_merges(run.report, writer.merges());
}

/// Moves the file records of a sharded database into GEN/records when it has none yet (a bulk
/// build writes them into its shards): copied and committed there first, then deleted from the
/// shards, so that a kill in between leaves them in both (harmless), never in neither.
void gather_records(ShardedLive& live) {
  const std::string prefix(k_record_prefix);
  if (live.records.metadata_keys_begin(prefix) != live.records.metadata_keys_end(prefix)) return;
  std::vector<std::vector<std::string>> keys(live.shards.size());
  for (size_t k = 0; k < live.shards.size(); ++k) {
    Xapian::WritableDatabase& shard = live.shards[k];
    for (auto it = shard.metadata_keys_begin(prefix); it != shard.metadata_keys_end(prefix); ++it) {
      keys[k].push_back(*it);
      live.records.set_metadata(*it, shard.get_metadata(*it));
    }
  }
  live.records.commit();
  for (size_t k = 0; k < live.shards.size(); ++k) {
    for (const std::string& key : keys[k]) live.shards[k].set_metadata(key, "");
    live.shards[k].commit();
  }
}

/// Updates a sharded live database in place: its local shards, a new shard for a period that
/// has none, and its records (see WriteTarget). Errors: usage (the stub lists remote shards,
/// which index cannot write), those of open_sharded_for_update.
Status update_sharded(Run& run, ShardBy by) {
  Result<ShardedLive> live = open_sharded_for_update(run.db_path);
  if (!live) return live.error();
  if (!live->remotes.empty()) {
    return Error{ExitCode::usage,
                 fmt::format("{}: remote shard {} cannot be updated by index; no file was indexed", run.db_path,
                             live->remotes.front()),
                 "update each remote shard on its host (newsidx --db FOLDER index ...), or rebuild the local "
                 "shards with index --reindex (remote shards are kept as they are)"};
  }
  gather_records(*live);
  WriteTarget target{live->shards, live->periods, live->records, true, by, [&](const std::string& period) {
                       Result<size_t> k = add_shard(run.db_path, *live, period);
                       if (!k) throw StatusError(k.error());
                       return live->shards[*k];
                     }};
  update_in_place(run, std::move(target));
  return ok_status();
}

/// True if `db_path` has no live database, or one without documents (or that cannot be read).
bool live_is_empty(const std::string& db_path) {
  if (!database_exists(db_path)) return true;
  try {
    return Xapian::Database(db_path).get_doccount() == 0;
  } catch (const Xapian::Error&) {
    return false;
  }
}

/// True if every part of `build` that holds a database was written by this schema and
/// tokenizer version (an unfinished build of another version is started again).
bool parts_of_this_schema(const UnfinishedBuild& build) {
  for (const std::string& part : build.parts) {
    try {
      if (!check_schema(Xapian::Database(part))) return false;
    } catch (const Xapian::DatabaseOpeningError&) {  // created, never committed: resume_parts drops it
    } catch (const Xapian::Error&) {
      return false;
    }
  }
  return true;
}

/// Work for one bulk writer.
struct ShardJob {
  const InputFile* file = nullptr;
  Prepared prepared;
};

class WriterParts;

/// One part database of a bulk build and its writer.
struct Part {
  /// Opens the part at `path_` (flags: DB_OPEN, or DB_CREATE for a new part, whose schema is
  /// committed before the writer's first transaction begins).
  Part(fs::path path_, int flags, const FirstIndexed& first)
      : period(part_period(path_.filename().string())),
        path(std::move(path_)),
        db(open(path, flags)),
        writer(WriteTarget::single(db), first) {}
  static Xapian::WritableDatabase open(const fs::path& path, int flags) {
    fs::create_directories(path);
    Xapian::WritableDatabase db(path.string(), flags);
    if (flags == Xapian::DB_CREATE) {
      stamp_schema(db);
      db.commit();
    }
    return db;
  }
  std::string period;
  fs::path path;
  Xapian::WritableDatabase db;
  Writer writer;
  bool published = false;  ///< listed in the stub (first builds)
};

/// What the parts of one bulk build share: part names (PERIOD.NNNNNN, numbered across writers)
/// and, for a first build, their publication in the stub once each holds a commit. Thread-safe.
class PartRegistry {
 public:
  PartRegistry(std::string db_path, fs::path generation, bool publish, unsigned next_number)
      : m_db_path(std::move(db_path)), m_generation(std::move(generation)), m_publish(publish), m_next(next_number) {}

  fs::path new_part(const std::string& period) {
    std::lock_guard lock(m_mu);
    return m_generation / "parts" / fmt::format("{}.{:06}", period, m_next++);
  }

  /// Called after every commit of `part`; the first one publishes it (first builds only).
  void committed(Part& part) {
    if (!m_publish || part.published) return;
    std::lock_guard lock(m_mu);
    m_published.push_back(part.path.string());
    std::sort(m_published.begin(), m_published.end());
    if (Status s = publish_parts(m_db_path, m_generation.string(), m_published); !s) throw StatusError(s.error());
    part.published = true;
  }

  /// Publishes the parts of a resumed first build (some may have missed their publication).
  void adopted(const std::vector<std::unique_ptr<WriterParts>>& writers);

 private:
  std::string m_db_path;
  fs::path m_generation;
  bool m_publish;
  std::mutex m_mu;
  unsigned m_next;
  std::vector<std::string> m_published;
};

/// The databases one bulk writer thread fills. Each period (a single "main" when unsharded)
/// gets parts of at most IndexOptions::part_docs documents: a commit rewrites every B-tree block
/// it touches, which in a large database is most of the posting lists, so a bulk load into one
/// growing database slows down and turns I/O-bound (1,000,000 articles: 446 GB written for a
/// 6.9 GB database). Small parts keep commits cheap; the compaction at the end merges them (the
/// way Xapian's documentation advises for bulk loads). All copies of a URL go to one part, the
/// part of the first copy seen; finish() moves each document whose winning copy belongs to
/// another period. A resumed build hands each writer some of the parts found on disk (adopt).
class WriterParts {
 public:
  WriterParts(ShardBy by, const IndexOptions& options, const FirstIndexed& first, PartRegistry& registry,
              const std::unordered_map<uint64_t, std::pair<unsigned, unsigned>>& resumed_urls)
      : m_by(by), m_options(options), m_first(first), m_registry(registry), m_resumed_urls(resumed_urls) {}

  /// Takes over a part of an interrupted build; returns its index among this writer's parts.
  unsigned adopt(std::unique_ptr<Part> part) {
    m_current[part->period] = m_parts.size();  // it may still take new URLs of its period
    m_parts.push_back(std::move(part));
    return static_cast<unsigned>(m_parts.size() - 1);
  }
  Part& part(unsigned index) { return *m_parts[index]; }
  [[nodiscard]] unsigned size() const { return static_cast<unsigned>(m_parts.size()); }
  /// A URL of an adopted part whose winning copy belongs to another period (see finish).
  void add_mixed(std::string url) { m_mixed_urls.push_back(std::move(url)); }

  void apply(const InputFile& file, Prepared& p) {
    if (m_options.fault_hook) m_options.fault_hook("write", file.path);
    if (p.kind != Prepared::Kind::indexed) {
      // A sharded build keeps no records of unindexed files: its first update reads them again.
      if (m_by == ShardBy::none) m_parts[current("main")]->writer.apply(file, std::nullopt, p);
      return;
    }
    const std::string period = shard_period(p.article.published_ms, m_by);
    const uint64_t key = url_key(url_term(p.article.url));
    auto [it, first] = m_url_part.try_emplace(key, 0);
    if (first) {
      const auto resumed = m_resumed_urls.find(key);
      it->second = resumed != m_resumed_urls.end() ? resumed->second.second : current(period);
    }
    if (m_parts[it->second]->period != period) m_mixed_urls.push_back(p.article.url);
    m_parts[it->second]->writer.apply(file, std::nullopt, p);
    if (++m_since_commit >= m_options.commit_every) commit();
  }

  /// Puts every document in a part of its winning copy's period and commits. Returns
  /// (period, folder) of every part.
  std::vector<std::pair<std::string, fs::path>> finish() {
    for (const auto& part : m_parts) part->writer.flush();  // the moves read the documents
    std::vector<Part*> received;
    for (const std::string& url : m_mixed_urls) {
      const std::string term = url_term(url);
      const uint64_t key = url_key(term);
      const auto here = m_url_part.find(key);
      Part& from = *m_parts[here != m_url_part.end() ? here->second : m_resumed_urls.at(key).second];
      std::vector<Xapian::docid> versions(from.db.postlist_begin(term), from.db.postlist_end(term));
      for (const Xapian::docid docid : versions) {
        const Xapian::Document doc = from.db.get_document(docid);
        const StoredArticle a = from_document_data(doc.get_data());
        const std::string period = shard_period(a.published_ms, m_by);
        if (period == from.period) continue;
        Part& to = *m_parts[current(period)];
        to.db.replace_document(version_term(url, version_hash(a.title, a.author, a.text)), doc);
        from.db.delete_document(docid);
        received.push_back(&to);
      }
    }
    // The parts that received documents commit first: killed in between, a document is in two
    // parts (resume_parts keeps the one of its period), never in none.
    for (Part* part : received) part->writer.commit();
    commit();
    std::vector<std::pair<std::string, fs::path>> parts;
    for (const auto& part : m_parts) {
      part->db.close();
      parts.emplace_back(part->period, part->path);
    }
    return parts;
  }

  /// Commits every part (cheap for parts without changes).
  void commit() {
    for (const auto& part : m_parts) {
      part->writer.commit();
      m_registry.committed(*part);
    }
    m_since_commit = 0;
  }

 private:
  /// The index of the part that takes new URLs of `period`, started when there is none or it is full.
  size_t current(const std::string& period) {
    auto [it, first] = m_current.try_emplace(period, 0);
    if (first || m_parts[it->second]->db.get_doccount() >= m_options.part_docs) {
      it->second = m_parts.size();
      m_parts.push_back(std::make_unique<Part>(m_registry.new_part(period), Xapian::DB_CREATE, m_first));
    }
    return it->second;
  }

  ShardBy m_by;
  const IndexOptions& m_options;
  FirstIndexed m_first;
  PartRegistry& m_registry;
  /// URLs of the parts of an interrupted build → (writer, index of the part among its parts).
  const std::unordered_map<uint64_t, std::pair<unsigned, unsigned>>& m_resumed_urls;
  std::vector<std::unique_ptr<Part>> m_parts;
  std::map<std::string, size_t> m_current;          // period → its part that takes new URLs
  std::unordered_map<uint64_t, size_t> m_url_part;  // url_key → the part holding it (this run)
  std::vector<std::string> m_mixed_urls;            // URLs with copies in more than one period
  size_t m_since_commit = 0;
};

/// The first-indexed times of the URLs of the live database's local shards, which a rebuild
/// keeps. Empty when there is none, it cannot be read (a rebuild may be replacing a damaged
/// one), or it is of another schema version.
FirstTimes live_first_times(const std::string& db_path) {
  FirstTimes out;
  const Result<std::vector<Shard>> shards = list_shards(db_path);
  if (!shards) return out;
  try {
    Xapian::Database db;
    for (const Shard& s : *shards) {
      if (!s.remote) db.add_database(Xapian::Database(s.location));
    }
    if (db.get_metadata(std::string(k_meta_schema)) != std::to_string(k_schema_version)) return out;
    std::unordered_map<Xapian::docid, int64_t> times;
    const Xapian::valueno slot = k_slot_first_indexed;
    for (Xapian::ValueIterator v = db.valuestream_begin(slot); v != db.valuestream_end(slot); ++v) {
      times.emplace(v.get_docid(), *first_indexed_ms(*v));
    }
    const std::string prefix(k_prefix_url);
    for (Xapian::TermIterator t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
      std::optional<int64_t>& first = out[url_key(*t)];  // unknown unless a version has one
      for (Xapian::PostingIterator d = db.postlist_begin(*t); d != db.postlist_end(*t); ++d) {
        const auto it = times.find(*d);
        if (it != times.end() && (!first || it->second < *first)) first = it->second;
      }
    }
  } catch (const Xapian::Error&) {
    out.clear();
  }
  return out;
}

/// A bulk build's outcome: the compacted generation and its periods (empty when unsharded), or
/// nothing when it was interrupted (its parts stay on disk for the next run).
struct BuiltGeneration {
  std::string path;
  std::vector<std::string> periods;
};

/// Sets up a build that resumes the parts (folders) of an interrupted one: part i goes to writer
/// i % writers.size(), its URLs into `urls`; files whose records say they are done (same stat)
/// are marked in `done`, and the copies of files that changed since, or are gone from under the
/// roots, are removed (the changed ones are then indexed again like new files).
void resume_parts(Run& run, const std::vector<std::string>& folders, ShardBy by,
                  std::vector<std::unique_ptr<WriterParts>>& writers,
                  std::unordered_map<uint64_t, std::pair<unsigned, unsigned>>& urls, std::vector<bool>& done) {
  std::vector<std::unique_ptr<Part>> parts;
  for (const std::string& folder : folders) {
    try {
      parts.push_back(std::make_unique<Part>(fs::path(folder), Xapian::DB_OPEN, run.first));
    } catch (const Xapian::DatabaseOpeningError&) {
      fs::remove_all(folder);  // created, but killed before it was a database: holds nothing
      continue;
    }
  }
  if (by != ShardBy::none) {
    // A build killed while its finish() committed may have left a document in two parts: keep
    // the one in the part of its own period.
    std::unordered_map<std::string, size_t> part_of_version;
    for (size_t i = 0; i < parts.size(); ++i) {
      std::vector<Xapian::docid> drop;
      for (auto d = parts[i]->db.postlist_begin(""); d != parts[i]->db.postlist_end(""); ++d) {
        const StoredArticle a = from_document_data(parts[i]->db.get_document(*d).get_data());
        const std::string q = version_term(a.url, version_hash(a.title, a.author, a.text));
        const auto [seen, first] = part_of_version.try_emplace(q, i);
        if (first) continue;
        if (shard_period(a.published_ms, by) == parts[i]->period) {
          parts[seen->second]->db.delete_document(q);
          seen->second = i;
        } else {
          drop.push_back(*d);
        }
      }
      for (const Xapian::docid d : drop) parts[i]->db.delete_document(d);
    }
  }
  std::unordered_map<std::string, size_t> file_of_key;
  for (size_t i = 0; i < run.inputs.files.size(); ++i) file_of_key.emplace(record_key(run.inputs.files[i].abspath), i);
  const std::string id_prefix(k_prefix_url), record_prefix(k_record_prefix);
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto k = static_cast<unsigned>(i % writers.size());
    const auto index = static_cast<unsigned>(i / writers.size());  // among writer k's parts
    Part& part = *parts[i];
    for (auto t = part.db.allterms_begin(id_prefix); t != part.db.allterms_end(id_prefix); ++t) {
      urls.emplace(url_key(*t), std::pair{k, index});
    }
    std::vector<std::pair<std::string, FileRecord>> stale;  // changed since, or gone
    for (auto m = part.db.metadata_keys_begin(record_prefix); m != part.db.metadata_keys_end(record_prefix); ++m) {
      std::optional<FileRecord> rec = decode_record(part.db.get_metadata(*m));
      if (!rec) continue;
      const auto f = file_of_key.find(*m);
      if (f == file_of_key.end()) {
        const bool in_scope = std::any_of(run.inputs.roots.begin(), run.inputs.roots.end(),
                                          [&](const std::string& r) { return under_root(rec->abspath, r); });
        if (in_scope && run.options.delete_missing) {
          ++run.report.removed;
          run.observer.on_file(rec->abspath, FileOutcome::removed, "");
          stale.emplace_back(*m, std::move(*rec));
        }
        continue;
      }
      const InputFile& file = run.inputs.files[f->second];
      const bool same = rec->mtime_ns == file.mtime_ns && rec->size == file.size && file.not_regular.empty() &&
                        !(run.options.retry_failed && rec->state == FileState::failed);
      if (same) {
        done[f->second] = true;
        ++run.report.resumed;
      } else {
        stale.emplace_back(*m, std::move(*rec));
      }
    }
    for (const auto& [key, rec] : stale) part.writer.forget(key, rec);
    // Documents that a build killed before its finish() left in a part of another period.
    if (by != ShardBy::none) {
      for (auto d = part.db.postlist_begin(""); d != part.db.postlist_end(""); ++d) {
        const StoredArticle a = from_document_data(part.db.get_document(*d).get_data());
        if (shard_period(a.published_ms, by) != part.period) writers[k]->add_mixed(a.url);
      }
    }
    writers[k]->adopt(std::move(parts[i]));
  }
}

void PartRegistry::adopted(const std::vector<std::unique_ptr<WriterParts>>& writers) {
  if (!m_publish) return;
  std::lock_guard lock(m_mu);
  for (const auto& w : writers) {
    for (unsigned i = 0; i < w->size(); ++i) {
      m_published.push_back(w->part(i).path.string());
      w->part(i).published = true;
    }
  }
  std::sort(m_published.begin(), m_published.end());
  if (Status s = publish_parts(m_db_path, m_generation.string(), m_published); !s) throw StatusError(s.error());
}

/// Builds a generation in bulk: workers prepare documents; each is routed by URL (so that copies
/// of one URL meet in the same writer) to one of several writers, each with its own part
/// databases (see WriterParts) in `generation`/parts; the parts of each period are then merged
/// by Xapian's compaction into a new generation folder (or its period subfolder), which also
/// packs its B-trees full. With `resume`, the parts already in `generation` (an interrupted
/// build's) are taken over. A first build (`publish`) lists each part in the stub once it holds
/// a commit. Returns nothing when interrupted: the parts stay for the next run.
std::optional<BuiltGeneration> bulk_build(Run& run, const fs::path& generation, ShardBy by, bool publish,
                                          const std::vector<std::string>& resume) {
  const std::vector<InputFile>& files = run.inputs.files;
  const unsigned n_writers = std::clamp(run.jobs, 1u, 8u);
  // The writers' memory is bounded in total: each commits after its share of the batch.
  IndexOptions writer_options = run.options;
  writer_options.commit_every = std::max<size_t>(1, run.options.commit_every / n_writers);
  unsigned next_number = 1;
  for (const std::string& part : resume) {
    const std::string name = fs::path(part).filename().string();
    next_number = std::max(next_number, static_cast<unsigned>(std::stoul(name.substr(name.rfind('.') + 1))) + 1);
  }
  PartRegistry registry(run.db_path, generation, publish, next_number);
  std::unordered_map<uint64_t, std::pair<unsigned, unsigned>> resumed_urls;
  std::vector<std::unique_ptr<WriterParts>> writers;
  for (unsigned k = 0; k < n_writers; ++k) {
    writers.push_back(std::make_unique<WriterParts>(by, writer_options, run.first, registry, resumed_urls));
  }
  std::vector<bool> done(files.size(), false);
  if (!resume.empty()) {
    resume_parts(run, resume, by, writers, resumed_urls, done);
    registry.adopted(writers);
  }
  std::vector<size_t> todo;
  for (size_t i = 0; i < files.size(); ++i) {
    if (!done[i]) todo.push_back(i);
  }

  std::vector<std::unique_ptr<BoundedQueue<ShardJob>>> queues;
  for (unsigned k = 0; k < n_writers; ++k) queues.push_back(std::make_unique<BoundedQueue<ShardJob>>(64));
  std::vector<std::vector<std::pair<std::string, fs::path>>> parts(n_writers);
  std::atomic<bool> interrupted{false};  // set before the queues close, read by the writers after
  // A writer that fails cancels every queue, so that the dispatcher never blocks on a full one.
  ThreadGroup group([&] {
    for (auto& q : queues) q->cancel();
  });
  for (unsigned k = 0; k < n_writers; ++k) {
    group.spawn([&, k] {
      while (std::optional<ShardJob> job = queues[k]->pop()) {
        try {
          writers[k]->apply(*job->file, job->prepared);
        } catch (...) {
          rethrow_at("writing " + job->file->path);
        }
      }
      if (group.failed()) return;
      try {
        if (interrupted.load())
          writers[k]->commit();
        else
          parts[k] = writers[k]->finish();
      } catch (...) {
        rethrow_at("committing");
      }
    });
  }

  size_t done_count = files.size() - todo.size();
  run.observer.on_progress(done_count, files.size());
  ordered_parallel_map<DocumentBuilder, Prepared>(
      todo.size(), run.jobs, 8 * run.jobs,
      [&](size_t i, DocumentBuilder& builder) {
        return prepare_at(Task{todo[i], std::nullopt}, files[todo[i]], run.options, builder, i);
      },
      [&](Prepared&& p) {
        if (group.failed()) return false;
        const InputFile& file = files[todo[p.task]];
        const FileOutcome outcome = p.kind == Prepared::Kind::indexed   ? FileOutcome::indexed
                                    : p.kind == Prepared::Kind::skipped ? FileOutcome::skipped
                                                                        : FileOutcome::failed;
        count(run.report, outcome, std::nullopt);
        if (outcome == FileOutcome::indexed && !p.note.empty()) ++run.report.warnings;
        run.observer.on_file(file.path, outcome, p.note);
        run.observer.on_progress(++done_count, files.size());
        // Copies of a URL meet in one writer: the one holding the URL already, else its hash's.
        unsigned k = 0;
        if (outcome == FileOutcome::indexed) {
          const uint64_t key = url_key(url_term(p.article.url));
          const auto resumed = resumed_urls.find(key);
          k = resumed != resumed_urls.end() ? resumed->second.first : static_cast<unsigned>(key % n_writers);
        } else {
          k = static_cast<unsigned>(XXH3_64bits(file.abspath.data(), file.abspath.size()) % n_writers);
        }
        queues[k]->push(ShardJob{&file, std::move(p)});
        return !stopped(run.options);
      });
  run.report.interrupted = stopped(run.options);
  interrupted.store(run.report.interrupted);
  for (auto& q : queues) q->close();
  group.join();
  for (const auto& w : writers) {
    for (unsigned i = 0; i < w->size(); ++i) add_merges(run.report, w->part(i).writer.merges());
  }
  if (run.report.interrupted) return std::nullopt;

  std::map<std::string, Xapian::Database> merged;  // period → its parts from every writer
  for (const auto& writer_parts : parts) {
    for (const auto& [period, path] : writer_parts) merged[period].add_database(Xapian::Database(path.string()));
  }
  Result<std::string> target = create_generation(run.db_path);
  if (!target) throw StatusError(target.error());
  BuiltGeneration out{*target, {}};
  try {
    if (merged.empty()) {  // nothing indexed: one empty database (or "undated" shard) keeps it valid
      const std::string name = by == ShardBy::none ? "" : "undated";
      Xapian::WritableDatabase empty((fs::path(out.path) / name).string(), Xapian::DB_CREATE);
      stamp_schema(empty);
      empty.commit();
      if (by != ShardBy::none) out.periods.push_back(name);
    }
    for (auto& [period, db] : merged) {
      db.compact(by == ShardBy::none ? out.path : (fs::path(out.path) / period).string(), Xapian::Compactor::FULL);
      db.close();
      if (by != ShardBy::none) out.periods.push_back(period);
    }
  } catch (...) {
    rethrow_at("merging the part databases");
  }
  return out;
}

}  // namespace

Result<IndexReport> index_paths(const std::string& db_path, const std::vector<std::string>& inputs,
                                const IndexOptions& options, IndexObserver& observer) {
  IndexReport report;
  Result<Inputs> walked = collect_inputs(inputs, options.gone_inputs_ok, observer, report);
  if (!walked) return walked.error();
  Result<WriteLock> lock = WriteLock::acquire(db_path);
  if (!lock) return lock.error();
  const unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  const int64_t now = options.now_ms.value_or(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  Run run{db_path, *walked, options, observer, report, jobs, {now, nullptr}};
  const StorageFaultExit storage_fault_exit(db_path);

  try {
    const ShardBy live_by = live_sharding(db_path);
    const ShardBy by = options.shard_by.value_or(live_by);
    // An unfinished build is resumed by the next run of its kind (a first build by any run, a
    // --reindex by the next --reindex) that shards the same way; any other run discards it.
    // A first build (into an empty database) publishes its parts as they commit.
    const std::optional<UnfinishedBuild> unfinished = unfinished_build(db_path);
    const bool first = unfinished && (unfinished->live || live_is_empty(db_path));
    const bool resume =
        unfinished && unfinished->by == by && (first || options.rebuild) && parts_of_this_schema(*unfinished);
    if (unfinished && !resume && !unfinished->live) fs::remove_all(unfinished->generation);
    remove_stale_generations(db_path);
    bool publish = resume && first;
    if (!resume && !options.rebuild && by != ShardBy::none && by == live_by && !live_is_empty(db_path)) {
      if (Status s = update_sharded(run, by); !s) return s.error();
      return report;
    }
    if (!resume && !options.rebuild && by == ShardBy::none && live_by == ShardBy::none) {
      // A rebuild never reads the live database (it may be of another version, or corrupt).
      Result<Xapian::WritableDatabase> live = open_live_for_update(db_path);
      if (!live) return live.error();
      const bool empty = live->get_doccount() == 0 && live->metadata_keys_begin(std::string(k_record_prefix)) ==
                                                          live->metadata_keys_end(std::string(k_record_prefix));
      if (!empty) {
        update_in_place(run, WriteTarget::single(*live));
        live->close();
        return report;
      }
      live->close();
      publish = true;
    } else if (!resume) {
      publish = live_is_empty(db_path);
    }
    // A rebuild keeps the first-indexed times of the database it replaces (a first build's
    // parts, published as they commit, hold their own).
    const FirstTimes prior = publish ? FirstTimes{} : live_first_times(db_path);
    run.first.prior = &prior;
    std::string generation = resume ? unfinished->generation : "";
    if (!resume) {
      Result<std::string> created = create_generation(db_path);
      if (!created) return created.error();
      if (Status s = mark_build(*created, by); !s) return s.error();
      generation = *created;
    }
    const std::optional<BuiltGeneration> built =
        bulk_build(run, generation, by, publish, resume ? unfinished->parts : std::vector<std::string>{});
    if (!built) {
      report.rebuild_kept = !publish;  // interrupted: the parts stay for the next run
      return report;
    }
    if (Status s = publish_generation(db_path, built->path, built->periods); !s) return s.error();
  } catch (...) {
    return fault_error(db_path, std::current_exception());
  }
  return report;
}

}  // namespace newsidx
