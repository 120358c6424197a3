// index.cpp — article → Xapian document, and the indexing pipeline (workers + one writer).
#include "newsidx/index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "newsidx/schema.hpp"
#include "pipeline.hpp"

namespace fs = std::filesystem;

namespace newsidx {

std::string to_document_data(const StoredArticle& a) {
  nlohmann::json j = {{"path", a.path},     {"url", a.url},       {"title", a.title},
                      {"published", nullptr}, {"source", a.source}, {"author", a.author},
                      {"text", a.text}};
  if (a.published_ms) j["published"] = *a.published_ms;
  // Replace invalid UTF-8 rather than throw: the text was already decoded once by the parser.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

StoredArticle from_document_data(std::string_view data) {
  const nlohmann::json j = nlohmann::json::parse(data);
  StoredArticle a;
  a.path = j.at("path").get<std::string>();
  a.url = j.at("url").get<std::string>();
  a.title = j.at("title").get<std::string>();
  if (const auto& p = j.at("published"); !p.is_null()) a.published_ms = p.get<int64_t>();
  a.source = j.at("source").get<std::string>();
  a.author = j.at("author").get<std::string>();
  a.text = j.at("text").get<std::string>();
  return a;
}

DocumentBuilder::DocumentBuilder() = default;

void DocumentBuilder::add_field(const TokenStream& ts, Field field, Xapian::termcount wdf) {
  const FieldPrefixes& p = field_prefixes(field);
  const auto& toks = ts.tokens;
  auto add = [&](std::string_view prefix, std::string_view a, std::string_view b = {}) {
    if (prefix.size() + a.size() + b.size() > k_max_term_bytes) return;
    m_term.assign(prefix);
    m_term += a;
    m_term += b;
    m_doc.add_term(m_term, wdf);
  };
  for (size_t i = 0; i < toks.size(); ++i) {
    const Token& t = toks[i];
    const std::string_view text = ts.text(t);
    if (t.kind != TokenKind::cjk) {
      add(p.word, text);
      if (t.kind == TokenKind::word) add(p.stem, m_stemmer(std::string(text)));
      continue;
    }
    add(p.gram, text);  // unigram
    const bool next_joined = i + 1 < toks.size() && toks[i + 1].kind == TokenKind::cjk && toks[i + 1].gap == Gap::joined;
    if (next_joined) add(p.gram, text, ts.text(toks[i + 1]));  // bigram
    if (t.word_len >= 2 && i + t.word_len <= toks.size()) {
      // An ICU dictionary word: its characters are contiguous in the folded text.
      const Token& last = toks[i + t.word_len - 1];
      add(p.word, std::string_view(ts.folded).substr(t.begin, last.end - t.begin));
    }
  }
}

namespace {

struct Ymd {
  int year, month, day;
};

Ymd utc_date(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

void add_host_terms(Xapian::Document& doc, std::string_view host) {
  // "www.voachinese.com" → H www.voachinese.com, H voachinese.com, H com: `source:` matches any suffix.
  while (!host.empty()) {
    doc.add_boolean_term(std::string(k_prefix_host) + std::string(host));
    const size_t dot = host.find('.');
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
}

}  // namespace

Xapian::Document DocumentBuilder::build(const Article& a) {
  m_doc = Xapian::Document();
  m_segmenter.tokenize(a.title, m_tokens);
  add_field(m_tokens, Field::title, 1);
  add_field(m_tokens, Field::all, k_title_wdf);
  m_segmenter.tokenize(a.text, m_tokens);
  add_field(m_tokens, Field::all, 1);
  if (!a.author.empty()) {
    m_segmenter.tokenize(a.author, m_tokens);
    add_field(m_tokens, Field::author, 1);
  }

  m_doc.add_boolean_term(unique_id_term(a.url));
  if (!a.source.empty()) {
    add_host_terms(m_doc, a.source);
    m_doc.add_value(k_slot_source, a.source);
  }
  if (a.published_ms) {
    const Ymd d = utc_date(*a.published_ms);
    m_doc.add_boolean_term(fmt::format("{}{:04}", k_prefix_year, d.year));
    m_doc.add_boolean_term(fmt::format("{}{:04}{:02}", k_prefix_month, d.year, d.month));
    m_doc.add_boolean_term(fmt::format("{}{:04}{:02}{:02}", k_prefix_day, d.year, d.month, d.day));
    m_doc.add_value(k_slot_published, Xapian::sortable_serialise(static_cast<double>(*a.published_ms) / 1000.0));
    m_doc.add_value(k_slot_month, fmt::format("{:04}-{:02}", d.year, d.month));
  }
  m_doc.set_data(to_document_data(
      StoredArticle{a.path, a.url, a.title, a.published_ms, a.source, a.author, a.text}));
  Xapian::Document out = std::move(m_doc);
  m_doc = Xapian::Document();
  return out;
}

std::string default_db_path() {
  if (const char* env = std::getenv("NEWSIDX_DB"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg) return (fs::path(xdg) / "newsidx").string();
  const char* home = std::getenv("HOME");
  return (fs::path(home && *home ? home : ".") / ".local" / "share" / "newsidx").string();
}

namespace {

/// One input file to index: the path to print and store.
struct InputFile {
  std::string path;
};

/// Expands inputs into a sorted list of files. Folders are walked recursively without following
/// symlinked folders; entries whose name starts with '.' are skipped.
Result<std::vector<InputFile>> collect_files(const std::vector<std::string>& inputs, IndexObserver& observer,
                                             IndexReport& report) {
  std::vector<InputFile> files;
  for (const std::string& input : inputs) {
    std::error_code ec;
    const fs::file_status st = fs::status(input, ec);
    if (ec || !fs::exists(st)) {
      return Error{ExitCode::io_error, fmt::format("{}: no such file or directory", input), ""};
    }
    if (!fs::is_directory(st)) {
      files.push_back({input});
      continue;
    }
    std::vector<InputFile> found;
    auto it = fs::recursive_directory_iterator(input, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      const std::string name = entry.path().filename().string();
      if (!name.empty() && name[0] == '.') {
        if (entry.is_directory()) it.disable_recursion_pending();
        continue;
      }
      std::error_code type_ec;
      if (entry.is_directory(type_ec)) continue;
      found.push_back({entry.path().string()});
    }
    if (ec) {
      observer.on_file(input, FileOutcome::failed, ec.message());
      ++report.failed;
    }
    std::sort(found.begin(), found.end(), [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
    files.insert(files.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
  }
  return files;
}

/// Reads a whole regular file. Refuses FIFOs, devices and sockets (reading them could block).
Result<std::string> read_file(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat below then refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  int saved = errno;
  if (fd < 0) return Error{ExitCode::some_failed, std::strerror(saved), ""};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error{ExitCode::some_failed, "not a regular file", ""};
  }
  std::string bytes;
  bytes.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes.size()) {
    const ssize_t r = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      saved = errno;
      ::close(fd);
      return Error{ExitCode::some_failed, std::strerror(saved), ""};
    }
    if (r == 0) break;
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  bytes.resize(got);
  return bytes;
}

struct Prepared {
  size_t index = 0;  // position in the sorted file list
  FileOutcome outcome = FileOutcome::failed;
  std::string reason;
  std::string id_term;
  Xapian::Document doc;
};

Prepared prepare(const InputFile& file, DocumentBuilder& builder) {
  Prepared out;
  Result<std::string> bytes = read_file(file.path);
  if (!bytes) {
    out.reason = bytes.error().message;
    return out;
  }
  Result<Article> article = parse_article(*bytes, file.path);
  if (!article) {
    out.outcome = is_not_article(article.error()) ? FileOutcome::skipped : FileOutcome::failed;
    out.reason = article.error().message;
    return out;
  }
  out.doc = builder.build(*article);
  out.id_term = unique_id_term(article->url);
  out.outcome = FileOutcome::indexed;
  return out;
}

Result<Xapian::WritableDatabase> open_writable(const std::string& db_path) {
  try {
    const fs::path parent = fs::path(db_path).parent_path();
    if (!parent.empty()) fs::create_directories(parent);
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OPEN);
    if (Status s = check_schema(db); !s) return s.error();
    return db;
  } catch (const Xapian::DatabaseLockError&) {
    return Error{ExitCode::db_locked, fmt::format("{}: database is locked by another newsidx index", db_path),
                 "wait for the other run to finish"};
  } catch (const Xapian::DatabaseError& e) {
    return Error{ExitCode::db_invalid, fmt::format("{}: not a usable Xapian database: {}", db_path, e.get_msg()),
                 "point --db at a newsidx database, or at a new path to create one"};
  } catch (const fs::filesystem_error& e) {
    return Error{ExitCode::io_error, fmt::format("{}: {}", db_path, e.code().message()), ""};
  }
}

}  // namespace

Result<IndexReport> index_paths(const std::string& db_path, const std::vector<std::string>& inputs,
                                const IndexOptions& options, IndexObserver& observer) {
  IndexReport report;
  Result<std::vector<InputFile>> files = collect_files(inputs, observer, report);
  if (!files) return files.error();
  Result<Xapian::WritableDatabase> opened = open_writable(db_path);
  if (!opened) return opened.error();
  Xapian::WritableDatabase& db = *opened;

  const unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  const std::vector<InputFile>& list = *files;
  size_t since_commit = 0;
  try {
    stamp_schema(db);
    ordered_parallel_map<DocumentBuilder, Prepared>(
        list.size(), jobs, 8 * jobs,
        [&](size_t i, DocumentBuilder& builder) {
          Prepared p = prepare(list[i], builder);
          p.index = i;
          return p;
        },
        [&](Prepared&& p) {
          const std::string& path = list[p.index].path;
          switch (p.outcome) {
            case FileOutcome::indexed:
              db.replace_document(p.id_term, p.doc);
              ++report.indexed;
              if (++since_commit >= options.commit_every) {
                db.commit();
                since_commit = 0;
              }
              break;
            case FileOutcome::skipped: ++report.skipped; break;
            case FileOutcome::failed: ++report.failed; break;
          }
          observer.on_file(path, p.outcome, p.reason);
          return true;
        });
    db.commit();
  } catch (const Xapian::Error& e) {
    return Error{ExitCode::internal, fmt::format("{}: {}", db_path, e.get_description()), ""};
  }
  return report;
}

}  // namespace newsidx
