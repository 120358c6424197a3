// document.cpp — article → Xapian document (terms, values, data) following schema.hpp.
#include "newsidx/document.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "json_bytes.hpp"
#include "newsidx/schema.hpp"

namespace newsidx {

bool copy_wins(const FileCopy& a, const FileCopy& b) {
  if (a.published_ms != b.published_ms) return a.published_ms > b.published_ms;  // nullopt is oldest
  return a.abspath > b.abspath;
}

std::string to_document_data(const StoredArticle& a) {
  nlohmann::json files = nlohmann::json::array();
  for (const FileCopy& f : a.files) {
    nlohmann::json file = nlohmann::json::object();
    put_bytes(file, "path", f.path);
    put_bytes(file, "abspath", f.abspath);
    file["published"] = f.published_ms ? nlohmann::json(*f.published_ms) : nlohmann::json();
    files.push_back(std::move(file));
  }
  nlohmann::json j = nlohmann::json::object();
  put_bytes(j, "path", a.path);
  j["url"] = a.url;
  j["title"] = a.title;
  j["published"] = a.published_ms ? nlohmann::json(*a.published_ms) : nlohmann::json();
  j["source"] = a.source;
  j["author"] = a.author;
  j["files"] = std::move(files);
  if (a.first_indexed_ms) j["first_indexed"] = *a.first_indexed_ms;
  // Text fields are valid UTF-8 (to_utf8 made them so); paths that are not keep their bytes in
  // the *_bytes members (json_bytes.hpp).
  std::string data = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  data += '\0';  // never inside the JSON, which escapes control characters
  data += a.text;
  return data;
}

StoredArticle from_document_data(std::string_view data) {
  const size_t nul = data.find('\0');
  const nlohmann::json j = nlohmann::json::parse(data.substr(0, nul));
  StoredArticle a;
  a.path = get_bytes(j, "path");
  a.url = j.at("url").get<std::string>();
  a.title = j.at("title").get<std::string>();
  if (const auto& p = j.at("published"); !p.is_null()) a.published_ms = p.get<int64_t>();
  a.source = j.at("source").get<std::string>();
  a.author = j.at("author").get<std::string>();
  a.text = nul == std::string_view::npos ? j.at("text").get<std::string>() : std::string(data.substr(nul + 1));
  if (auto it = j.find("files"); it != j.end()) {
    for (const auto& f : *it) {
      FileCopy c;
      c.path = get_bytes(f, "path");
      c.abspath = get_bytes(f, "abspath");
      if (const auto& p = f.at("published"); !p.is_null()) c.published_ms = p.get<int64_t>();
      a.files.push_back(std::move(c));
    }
  }
  if (auto it = j.find("first_indexed"); it != j.end()) a.first_indexed_ms = it->get<int64_t>();
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
    const bool next_joined =
        i + 1 < toks.size() && toks[i + 1].kind == TokenKind::cjk && toks[i + 1].gap == Gap::joined;
    // A bigram that is exactly an ICU dictionary word is stored once, as the word term: queries
    // match a bigram as OP_SYNONYM(gram, word) (see compile_literal), so recall is unchanged and
    // the index holds about 15 % fewer postings.
    if (next_joined && t.word_len != 2) add(p.gram, text, ts.text(toks[i + 1]));  // bigram
    if (t.word_len >= 2 && i + t.word_len <= toks.size()) {
      // An ICU dictionary word: its characters are contiguous in the folded text.
      const Token& last = toks[i + t.word_len - 1];
      add(p.word, std::string_view(ts.folded).substr(t.begin, last.end - t.begin));
    }
  }
}

namespace {

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

Xapian::Document DocumentBuilder::build(const Article& a, const std::vector<FileCopy>& files) {
  m_doc = Xapian::Document();
  m_segmenter.tokenize(a.title, m_tokens, Segmenter::k_dictionary_words);
  add_field(m_tokens, Field::title, 1);
  add_field(m_tokens, Field::all, k_title_wdf);
  m_segmenter.tokenize(a.text, m_tokens, Segmenter::k_dictionary_words);
  add_field(m_tokens, Field::all, 1);
  if (!a.author.empty()) {
    m_segmenter.tokenize(a.author, m_tokens, Segmenter::k_dictionary_words);
    add_field(m_tokens, Field::author, 1);
  }

  m_doc.add_boolean_term(url_term(a.url));
  m_doc.add_boolean_term(version_term(a.url, version_hash(a.title, a.author, a.text)));
  m_doc.add_value(k_slot_url, collapse_key(a.url));
  if (!a.source.empty()) {
    add_host_terms(m_doc, a.source);
    m_doc.add_value(k_slot_source, a.source);
  }
  if (a.published_ms) {
    const UtcDate d = utc_date(*a.published_ms);
    for (DatePrecision p : {DatePrecision::year, DatePrecision::month, DatePrecision::day}) {
      m_doc.add_boolean_term(date_term(d, p));
    }
    m_doc.add_value(k_slot_published, Xapian::sortable_serialise(static_cast<double>(*a.published_ms) / 1000.0));
    m_doc.add_value(k_slot_month, fmt::format("{:04}-{:02}", d.year, d.month));
  }
  m_doc.set_data(to_document_data(
      StoredArticle{a.path, a.url, a.title, a.published_ms, a.source, a.author, a.text, files, std::nullopt}));
  Xapian::Document out = std::move(m_doc);
  m_doc = Xapian::Document();
  return out;
}

}  // namespace newsidx
