// index.cpp — keeping a database in step with folders: walk, change detection, parallel
// preparation, one writer (duplicate URLs, deletions), batched commits, interruption.
//
// Per-file state (file_records.hpp) lives in the database's metadata, committed atomically with
// the documents, so a run killed at any moment leaves a database whose documents and file
// records agree, and the next run redoes exactly the uncommitted work.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "newsidx/index.hpp"
#include "newsidx/schema.hpp"
#include "newsidx/store.hpp"
#include "file_records.hpp"
#include "pipeline.hpp"

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
  std::vector<std::string> roots;  // absolute, for the deletion sweep
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
  if (S_ISFIFO(st.st_mode)) f.not_regular = "not a regular file (a FIFO)";
  else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) f.not_regular = "not a regular file (a device)";
  else if (S_ISSOCK(st.st_mode)) f.not_regular = "not a regular file (a socket)";
  else if (!S_ISREG(st.st_mode)) f.not_regular = "not a regular file";
  return f;
}

/// Expands inputs into a sorted list of files. Folders are walked recursively; symlinked folders
/// are not followed (no cycles); entries whose name starts with '.' are skipped.
Result<Inputs> collect_inputs(const std::vector<std::string>& inputs, IndexObserver& observer, IndexReport& report) {
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
      return Error{ExitCode::io_error, fmt::format("{}: no such file or directory", input), ""};
    }
    const std::string root = absolute_normal(input);
    out.roots.push_back(root);
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
// Reading and preparing one file (worker threads)

/// Reads a whole regular file, refusing files larger than `max_bytes`.
Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  // O_NONBLOCK: a FIFO that appeared since the walk must not block the open.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error{ExitCode::some_failed, std::strerror(errno), ""};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{ExitCode::some_failed, "not a regular file", ""};
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    ::close(fd);
    return Error{ExitCode::some_failed, fmt::format("file too large ({:.1f} MiB; the limit is {} MiB)",
                                                    static_cast<double>(st.st_size) / (1 << 20), max_bytes >> 20), ""};
  }
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      const int err = errno;
      ::close(fd);
      return Error{ExitCode::some_failed, std::strerror(err), ""};
    }
    if (r == 0) break;  // shrank while we read: index what is there
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  bytes.resize(got);
  return bytes;
}

/// Reads, decodes and parses a file (to promote a copy that is not in this run's work).
Result<Article> load_article(const std::string& path, size_t max_bytes) {
  Result<std::string> bytes = read_file(path, max_bytes);
  if (!bytes) return bytes.error();
  Result<DecodedText> text = to_utf8(*bytes);
  if (!text) return text.error();
  return parse_article(text->text, path);
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
  if (!article->published_ms) p.note += std::string(p.note.empty() ? "" : "; ") + "no publish time";
  p.article = std::move(*article);
  p.doc = builder.build(p.article, {FileCopy{file.path, file.abspath, p.article.published_ms}});
  p.kind = Prepared::Kind::indexed;
  return p;
}

// ---------------------------------------------------------------------------------------------
// The writer (calling thread): documents per URL and file records

class Writer {
 public:
  Writer(Xapian::WritableDatabase& db, const IndexOptions& options) : m_db(db), m_options(options) {}

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
        if (old && old->state == FileState::indexed && old->url != p.article.url) remove_copy(old->url, file.abspath);
        add_copy(FileCopy{file.path, file.abspath, p.article.published_ms}, p.article, p.doc);
        rec.state = FileState::indexed;
        rec.url = p.article.url;
        rec.published_ms = p.article.published_ms;
        outcome = FileOutcome::indexed;
        break;
      case Prepared::Kind::skipped:
      case Prepared::Kind::failed:
        if (old && old->state == FileState::indexed) remove_copy(old->url, file.abspath);
        rec.state = p.kind == Prepared::Kind::skipped ? FileState::skipped : FileState::failed;
        rec.reason = p.note;
        outcome = p.kind == Prepared::Kind::skipped ? FileOutcome::skipped : FileOutcome::failed;
        break;
    }
    m_db.set_metadata(record_key(file.abspath), encode_record(rec));
    return outcome;
  }

  /// A file that is gone: forget its record and its copy of the article.
  void forget(const std::string& key, const FileRecord& rec) {
    if (rec.state == FileState::indexed) remove_copy(rec.url, rec.abspath);
    m_db.set_metadata(key, "");
  }

 private:
  /// The stored article for `url`, if any, and its docid.
  std::optional<StoredArticle> load(const std::string& id_term, Xapian::docid& docid) {
    Xapian::PostingIterator it = m_db.postlist_begin(id_term);
    if (it == m_db.postlist_end(id_term)) return std::nullopt;
    docid = *it;
    return from_document_data(m_db.get_document(docid).get_data());
  }

  static void sort_copies(std::vector<FileCopy>& files) {
    std::sort(files.begin(), files.end(), [](const FileCopy& a, const FileCopy& b) { return copy_wins(a, b); });
  }

  static void drop(std::vector<FileCopy>& files, const std::string& abspath) {
    std::erase_if(files, [&](const FileCopy& f) { return f.abspath == abspath; });
  }

  /// Stores `files` as the copy list of the document `docid` without touching its terms.
  void set_files(Xapian::docid docid, StoredArticle stored, std::vector<FileCopy> files) {
    stored.files = std::move(files);
    Xapian::Document doc = m_db.get_document(docid);
    doc.set_data(to_document_data(stored));
    m_db.replace_document(docid, doc);
  }

  void add_copy(const FileCopy& copy, const Article& article, Xapian::Document& doc) {
    const std::string id_term = unique_id_term(article.url);
    Xapian::docid docid = 0;
    std::optional<StoredArticle> stored = load(id_term, docid);
    std::vector<FileCopy> files = stored ? stored->files : std::vector<FileCopy>{};
    drop(files, copy.abspath);
    files.push_back(copy);
    sort_copies(files);
    if (files[0].abspath == copy.abspath) {
      if (files.size() > 1) {
        doc.set_data(to_document_data(StoredArticle{article.path, article.url, article.title, article.published_ms,
                                                    article.source, article.author, article.text, files}));
      }
      m_db.replace_document(id_term, doc);
    } else if (stored && !stored->files.empty() && stored->files[0].abspath == files[0].abspath) {
      set_files(docid, std::move(*stored), std::move(files));
    } else {
      promote(id_term, std::move(files));  // this file was the indexed copy and now loses
    }
  }

  void remove_copy(const std::string& url, const std::string& abspath) {
    const std::string id_term = unique_id_term(url);
    Xapian::docid docid = 0;
    std::optional<StoredArticle> stored = load(id_term, docid);
    if (!stored) return;
    std::vector<FileCopy> files = stored->files;
    drop(files, abspath);
    if (files.empty()) {
      m_db.delete_document(id_term);
    } else if (!stored->files.empty() && stored->files[0].abspath != abspath) {
      set_files(docid, std::move(*stored), std::move(files));
    } else {
      promote(id_term, std::move(files));
    }
  }

  /// Indexes the best remaining copy (read again from disk); copies that no longer parse to this
  /// URL are dropped, and the document is deleted when none is left.
  void promote(const std::string& id_term, std::vector<FileCopy> files) {
    sort_copies(files);
    while (!files.empty()) {
      Result<Article> article = load_article(files[0].path, m_options.max_file_bytes);
      if (article && unique_id_term(article->url) == id_term) {
        files[0].published_ms = article->published_ms;
        if (!m_builder) m_builder = std::make_unique<DocumentBuilder>();  // rarely needed: ICU objects on demand
        m_db.replace_document(id_term, m_builder->build(*article, files));
        return;
      }
      files.erase(files.begin());
    }
    m_db.delete_document(id_term);
  }

  Xapian::WritableDatabase& m_db;
  const IndexOptions& m_options;
  std::unique_ptr<DocumentBuilder> m_builder;
};

void count(IndexReport& report, FileOutcome outcome, const std::optional<FileRecord>& old) {
  switch (outcome) {
    case FileOutcome::indexed: ++report.indexed; break;
    case FileOutcome::unchanged:
      if (old && old->state == FileState::failed) ++report.failed_earlier;
      else ++report.unchanged;
      break;
    case FileOutcome::skipped: ++report.skipped; break;
    case FileOutcome::failed: ++report.failed; break;
    case FileOutcome::removed: ++report.removed; break;
  }
}

bool stopped(const IndexOptions& o) { return o.stop && o.stop->load(std::memory_order_relaxed); }

/// Removes the records (and article copies) of files under `roots` that were not seen.
void sweep(Xapian::WritableDatabase& db, Writer& writer, const std::vector<std::string>& roots,
           const std::unordered_set<std::string>& seen_keys, IndexObserver& observer, IndexReport& report) {
  std::vector<std::string> keys;
  const std::string prefix(k_record_prefix);
  for (auto it = db.metadata_keys_begin(prefix); it != db.metadata_keys_end(prefix); ++it) {
    if (!seen_keys.count(*it)) keys.push_back(*it);
  }
  for (const std::string& key : keys) {
    std::optional<FileRecord> rec = decode_record(db.get_metadata(key));
    if (!rec) continue;
    const bool in_scope = std::any_of(roots.begin(), roots.end(), [&](const std::string& r) { return under_root(rec->abspath, r); });
    if (!in_scope) continue;
    writer.forget(key, *rec);
    ++report.removed;
    observer.on_file(rec->abspath, FileOutcome::removed, "");
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
};

/// Updates the live database in place with one writer: change detection against the file
/// records, then the deletion sweep. Commits every options.commit_every files.
void update_in_place(Run& run, Xapian::WritableDatabase& db) {
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

  Writer writer(db, run.options);
  size_t since_commit = 0;
  ordered_parallel_map<DocumentBuilder, Prepared>(
      tasks.size(), run.jobs, 8 * run.jobs,
      [&](size_t i, DocumentBuilder& builder) {
        Prepared p = prepare(tasks[i], files[tasks[i].file], run.options, builder);
        p.task = i;
        return p;
      },
      [&](Prepared&& p) {
        const Task& task = tasks[p.task];
        const InputFile& file = files[task.file];
        const FileOutcome outcome = writer.apply(file, task.old, p);
        count(run.report, outcome, task.old);
        if (outcome == FileOutcome::indexed && !p.note.empty()) ++run.report.warnings;
        if (outcome != FileOutcome::unchanged) run.observer.on_file(file.path, outcome, p.note);
        run.observer.on_progress(++done, files.size());
        if (++since_commit >= run.options.commit_every) {
          db.commit();
          since_commit = 0;
        }
        return !stopped(run.options);
      });
  run.report.interrupted = stopped(run.options);
  if (!run.report.interrupted && run.options.delete_missing) {
    sweep(db, writer, run.inputs.roots, seen_keys, run.observer, run.report);
  }
  db.commit();
}

/// Work for one bulk writer.
struct ShardJob {
  const InputFile* file = nullptr;
  Prepared prepared;
};

/// The databases one bulk writer thread fills, below ROOT. Each period (a single "main" when
/// unsharded) gets parts of at most IndexOptions::part_docs documents: a commit rewrites every B-tree block
/// it touches, which in a large database is most of the posting lists, so a bulk load into one
/// growing database slows down and turns I/O-bound (1,000,000 articles: 446 GB written for a
/// 6.9 GB database). Small parts keep commits cheap; the compaction at the end merges them (the
/// way Xapian's documentation advises for bulk loads). All copies of a URL go to the part of the
/// first copy seen; finish() moves each document whose winning copy belongs to another period.
class WriterParts {
 public:
  WriterParts(fs::path root, ShardBy by, const IndexOptions& options) : m_root(std::move(root)), m_by(by), m_options(options) {
    if (by == ShardBy::none) current("main");  // an empty run still makes a database
  }

  void apply(const InputFile& file, Prepared& p) {
    if (p.kind != Prepared::Kind::indexed) {
      // A sharded database is rebuilt on every run, so it keeps no records of unindexed files.
      if (m_by == ShardBy::none) m_parts[current("main")]->writer.apply(file, std::nullopt, p);
      return;
    }
    const std::string period = shard_period(p.article.published_ms, m_by);
    auto [it, first] = m_url_part.try_emplace(XXH3_64bits(p.article.url.data(), p.article.url.size()), 0);
    if (first) it->second = current(period);
    else if (m_parts[it->second]->period != period) m_mixed_urls.push_back(p.article.url);
    m_parts[it->second]->writer.apply(file, std::nullopt, p);
    if (++m_since_commit >= m_options.commit_every) commit();
  }

  /// Puts every document in a part of its winning copy's period, commits and closes. Returns
  /// (period, folder) of every part.
  std::vector<std::pair<std::string, fs::path>> finish() {
    for (const std::string& url : m_mixed_urls) {
      const std::string id_term = unique_id_term(url);
      Part& from = *m_parts[m_url_part.at(XXH3_64bits(url.data(), url.size()))];
      Xapian::PostingIterator it = from.db.postlist_begin(id_term);
      if (it == from.db.postlist_end(id_term)) continue;
      const Xapian::Document doc = from.db.get_document(*it);
      const std::string period = shard_period(from_document_data(doc.get_data()).published_ms, m_by);
      if (period == from.period) continue;
      m_parts[current(period)]->db.replace_document(id_term, doc);
      from.db.delete_document(id_term);
    }
    commit();
    std::vector<std::pair<std::string, fs::path>> parts;
    for (const auto& part : m_parts) {
      part->db.close();
      parts.emplace_back(part->period, part->path);
    }
    return parts;
  }

 private:
  struct Part {
    Part(std::string period_, fs::path path_, const IndexOptions& options)
        : period(std::move(period_)),
          path(std::move(path_)),
          db((fs::create_directories(path), path.string()), Xapian::DB_CREATE),
          writer(db, options) {
      stamp_schema(db);
    }
    std::string period;
    fs::path path;
    Xapian::WritableDatabase db;
    Writer writer;
  };

  /// The index of the part that takes new URLs of `period`, started when there is none or it is full.
  size_t current(const std::string& period) {
    auto [it, first] = m_current.try_emplace(period, 0);
    if (first || m_parts[it->second]->db.get_doccount() >= m_options.part_docs) {
      it->second = m_parts.size();
      m_parts.push_back(std::make_unique<Part>(period, m_root / fmt::format("{}.{}", period, m_parts.size()), m_options));
    }
    return it->second;
  }

  void commit() {
    for (const auto& part : m_parts) part->db.commit();  // cheap for parts without changes
    m_since_commit = 0;
  }

  fs::path m_root;
  ShardBy m_by;
  const IndexOptions& m_options;
  std::vector<std::unique_ptr<Part>> m_parts;
  std::map<std::string, size_t> m_current;             // period → its part that takes new URLs
  std::unordered_map<uint64_t, size_t> m_url_part;     // XXH3 of a URL → the part holding it
  std::vector<std::string> m_mixed_urls;               // URLs with copies in more than one period
  size_t m_since_commit = 0;
};

/// Builds a new generation from scratch: workers prepare documents; each is routed by URL (so
/// that copies of one URL meet in the same writer) to one of several writers, each with its own
/// temporary part databases (see WriterParts); each period's parts are then merged by
/// Xapian's compaction into the generation folder (or its period subfolder), which also packs
/// its B-trees full. Returns false if nothing should be published (interrupted rebuild of a
/// non-empty database); else the periods, empty when unsharded.
std::optional<std::vector<std::string>> bulk_build(Run& run, const std::string& generation, bool publish_partial,
                                                   ShardBy by) {
  const std::vector<InputFile>& files = run.inputs.files;
  const unsigned n_writers = std::clamp(run.jobs, 1u, 8u);
  const fs::path parts_root = fs::path(generation) / "parts";
  // The writers' memory is bounded in total: each commits after its share of the batch.
  IndexOptions writer_options = run.options;
  writer_options.commit_every = std::max<size_t>(1, run.options.commit_every / n_writers);

  std::vector<std::unique_ptr<WriterParts>> writers;
  std::vector<std::unique_ptr<BoundedQueue<ShardJob>>> queues;
  std::vector<std::exception_ptr> errors(n_writers);
  std::vector<std::vector<std::pair<std::string, fs::path>>> parts(n_writers);
  std::vector<std::thread> threads;
  for (unsigned k = 0; k < n_writers; ++k) {
    writers.push_back(std::make_unique<WriterParts>(parts_root / fmt::format("writer-{}", k), by, writer_options));
    queues.push_back(std::make_unique<BoundedQueue<ShardJob>>(64));
  }
  for (unsigned k = 0; k < n_writers; ++k) {
    threads.emplace_back([&, k] {
      try {
        while (std::optional<ShardJob> job = queues[k]->pop()) writers[k]->apply(*job->file, job->prepared);
        parts[k] = writers[k]->finish();
      } catch (...) {
        errors[k] = std::current_exception();
        while (queues[k]->pop()) {}  // keep draining so that the dispatcher never blocks
      }
    });
  }

  size_t done = 0;
  run.observer.on_progress(done, files.size());
  ordered_parallel_map<DocumentBuilder, Prepared>(
      files.size(), run.jobs, 8 * run.jobs,
      [&](size_t i, DocumentBuilder& builder) {
        Prepared p = prepare(Task{i, std::nullopt}, files[i], run.options, builder);
        p.task = i;
        return p;
      },
      [&](Prepared&& p) {
        const InputFile& file = files[p.task];
        const FileOutcome outcome = p.kind == Prepared::Kind::indexed ? FileOutcome::indexed
                                    : p.kind == Prepared::Kind::skipped ? FileOutcome::skipped
                                                                        : FileOutcome::failed;
        count(run.report, outcome, std::nullopt);
        if (outcome == FileOutcome::indexed && !p.note.empty()) ++run.report.warnings;
        run.observer.on_file(file.path, outcome, p.note);
        run.observer.on_progress(++done, files.size());
        const std::string& route = outcome == FileOutcome::indexed ? p.article.url : file.abspath;
        queues[XXH3_64bits(route.data(), route.size()) % n_writers]->push(ShardJob{&file, std::move(p)});
        return !stopped(run.options);
      });
  run.report.interrupted = stopped(run.options);
  for (auto& q : queues) q->close();
  for (auto& t : threads) t.join();
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  if (run.report.interrupted && !publish_partial) return std::nullopt;

  std::map<std::string, Xapian::Database> merged;  // period → its parts from every writer
  for (const auto& writer_parts : parts) {
    for (const auto& [period, path] : writer_parts) merged[period].add_database(Xapian::Database(path.string()));
  }
  if (merged.empty()) {  // nothing indexed into a sharded database: one empty shard keeps it valid
    Xapian::WritableDatabase empty((fs::path(generation) / "undated").string(), Xapian::DB_CREATE);
    stamp_schema(empty);
    empty.commit();
    return std::vector<std::string>{"undated"};
  }
  std::vector<std::string> names;
  for (auto& [period, db] : merged) {
    db.compact(by == ShardBy::none ? generation : (fs::path(generation) / period).string(), Xapian::Compactor::FULL);
    db.close();
    if (by != ShardBy::none) names.push_back(period);
  }
  fs::remove_all(parts_root);
  return names;
}

}  // namespace

Result<IndexReport> index_paths(const std::string& db_path, const std::vector<std::string>& inputs,
                                const IndexOptions& options, IndexObserver& observer) {
  IndexReport report;
  Result<Inputs> walked = collect_inputs(inputs, observer, report);
  if (!walked) return walked.error();
  Result<WriteLock> lock = WriteLock::acquire(db_path);
  if (!lock) return lock.error();
  remove_stale_generations(db_path);
  const unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  Run run{db_path, *walked, options, observer, report, jobs};

  try {
    // A rebuild never reads the live database (it may be of another version, or corrupt).
    bool publish_partial = false;
    const ShardBy live_by = live_sharding(db_path);
    const ShardBy by = options.shard_by.value_or(live_by);
    if (!options.rebuild && by == ShardBy::none && live_by == ShardBy::none) {
      Result<Xapian::WritableDatabase> live = open_live_for_update(db_path);
      if (!live) return live.error();
      const bool empty = live->get_doccount() == 0 &&
                         live->metadata_keys_begin(std::string(k_record_prefix)) ==
                             live->metadata_keys_end(std::string(k_record_prefix));
      if (!empty) {
        update_in_place(run, *live);
        live->close();
        return report;
      }
      // A first run is built like a rebuild (parallel shards, then merged), and when
      // interrupted it publishes what it finished: there is nothing to keep in its place.
      live->close();
      publish_partial = true;
    }
    Result<std::string> generation = create_generation(db_path);
    if (!generation) return generation.error();
    if (std::optional<std::vector<std::string>> periods = bulk_build(run, *generation, publish_partial, by)) {
      if (Status s = publish_generation(db_path, *generation, *periods); !s) return s.error();
    } else {
      report.discarded = true;
      remove_stale_generations(db_path);  // an interrupted rebuild leaves the live database as it was
    }
  } catch (const Xapian::Error& e) {
    return database_error(db_path, e);
  } catch (const fs::filesystem_error& e) {
    return Error{ExitCode::io_error, fmt::format("{}: {}", db_path, e.code().message()), ""};
  }
  return report;
}

}  // namespace newsidx
