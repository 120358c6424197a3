// query.cpp — query lexer/parser, candidate Xapian query, and the exact verifier.
#include "newsidx/query.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <map>
#include <unordered_set>

#include <fmt/format.h>

#include "newsidx/schema.hpp"

namespace newsidx {
namespace {

// ---------------------------------------------------------------------------------------------
// Lexer

enum class LexKind { lparen, rparen, op_and, op_or, op_not, minus, term };

struct Lexeme {
  LexKind kind = LexKind::term;
  std::string field;  // "", "title", "author", "source", "date"
  std::string text;
  bool quoted = false;
  size_t offset = 0;  // byte offset in the query, for error messages
  size_t length = 0;  // bytes of the query it spans
};

bool is_query_space(int32_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x3000; }
bool is_open_quote(int32_t c) { return c == '"' || c == 0x201C; }
bool is_close_quote(int32_t c) { return c == '"' || c == 0x201D; }
bool is_lparen(int32_t c) { return c == '(' || c == 0xFF08; }
bool is_rparen(int32_t c) { return c == ')' || c == 0xFF09; }

constexpr std::string_view k_fields[] = {"title", "author", "source", "date"};

/// True for a code point that shows nothing on a terminal or acts on it: C0 and C1 controls,
/// DEL, the soft hyphen, zero-width and bidirectional formatting characters, and the BOM.
bool is_invisible(int32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0xAD || (c >= 0x200B && c <= 0x200F) ||
         (c >= 0x2028 && c <= 0x202E) || (c >= 0x2060 && c <= 0x206F) || c == 0xFEFF;
}

/// `token` (a non-empty slice of the query) as an error message names it: in single quotes, at
/// most 40 code points (then "…"), with invisible characters written as <U+200B> and bytes
/// that are not UTF-8 as <0xFF>, so that the name is never empty or blank.
std::string quote_token(std::string_view token) {
  constexpr size_t k_shown = 40;
  std::string out = "'";
  size_t shown = 0;
  for (size_t i = 0, next = 0; i < token.size(); i = next) {
    if (shown++ == k_shown) {
      out += "…";
      break;
    }
    const int32_t c = code_point_at(token, i, &next);
    if (c < 0) {
      out += fmt::format("<0x{:02X}>", static_cast<unsigned char>(token[i]));
    } else if (is_invisible(c)) {
      out += fmt::format("<U+{:04X}>", c);
    } else {
      out.append(token.substr(i, next - i));
    }
  }
  return out + "'";
}

Result<std::vector<Lexeme>> lex(std::string_view q) {
  std::vector<Lexeme> out;
  size_t i = 0;
  while (i < q.size()) {
    size_t next;
    int32_t c = code_point_at(q, i, &next);
    if (is_query_space(c)) {
      i = next;
      continue;
    }
    if (is_lparen(c) || is_rparen(c)) {
      out.push_back({is_lparen(c) ? LexKind::lparen : LexKind::rparen, "", "", false, i, next - i});
      i = next;
      continue;
    }
    const size_t start = i;
    if (c == '-' && next < q.size()) {
      size_t after;
      int32_t c2 = code_point_at(q, next, &after);
      if (!is_query_space(c2) && !is_rparen(c2)) {
        out.push_back({LexKind::minus, "", "", false, i, 1});
        i = next;
        continue;
      }
    }
    Lexeme lx;
    lx.offset = start;
    // field:
    for (std::string_view f : k_fields) {
      if (q.substr(i, f.size()) == f && i + f.size() < q.size() && q[i + f.size()] == ':') {
        lx.field = f;
        i += f.size() + 1;
        break;
      }
    }
    if (i < q.size()) c = code_point_at(q, i, &next);
    if (i < q.size() && is_open_quote(c)) {
      size_t j = next;
      bool closed = false;
      while (j < q.size()) {
        size_t after;
        int32_t d = code_point_at(q, j, &after);
        if (is_close_quote(d)) {
          lx.text = std::string(q.substr(next, j - next));
          i = after;
          closed = true;
          break;
        }
        j = after;
      }
      if (!closed) {
        return Error{ExitCode::usage,
                     fmt::format("unterminated quote {} at byte {}", quote_token(q.substr(start)), start + 1), ""};
      }
      lx.quoted = true;
    } else {
      const size_t b = i;
      while (i < q.size()) {
        size_t after;
        int32_t d = code_point_at(q, i, &after);
        if (is_query_space(d) || is_lparen(d) || is_rparen(d) || is_open_quote(d)) break;
        i = after;
      }
      lx.text = std::string(q.substr(b, i - b));
      if (lx.field.empty()) {
        if (lx.text == "AND") lx.kind = LexKind::op_and;
        if (lx.text == "OR") lx.kind = LexKind::op_or;
        if (lx.text == "NOT") lx.kind = LexKind::op_not;
      }
    }
    lx.length = i - start;
    out.push_back(std::move(lx));
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Query tree

struct Literal {
  Field field = Field::all;
  std::string typed;
  TokenStream tokens;
  bool stem = false;       // single unquoted Latin word: inflections match too
  std::string stem_text;   // its stem
  bool exact = false;      // the candidate terms alone decide a match
  std::string cjk_run;     // folded text, when every token is CJK and joined to the one before
  Xapian::Query query;     // candidate (and ranking) query
  Xapian::Query head;      // its first candidate group (one term per occurrence of the literal)
  std::string typed_form;  // folded without Traditional→Simplified, for the script bonus ("" if split
                           // or a variant)
  bool variant = false;    // added by query expansion
};

struct Node {
  enum class Kind { literal, all_of, any_of, negate, date, added, source, wildcard, everything };
  Kind kind = Kind::everything;
  std::vector<Node> children;
  size_t literal = 0;
  int64_t from_ms = INT64_MIN;  // date: [from_ms, to_ms); added: first indexed at or after from_ms
  int64_t to_ms = INT64_MAX;
  std::string text;  // source host, wildcard prefix (folded), or the date term of a
                     // whole year, month or day (schema.hpp: Y2020, M202007, D20200701)
  Field field = Field::all;
  bool exact = true;     // the candidate query of this node is exact
  bool synonym = false;  // any_of of a chunk's alternatives (query expansion), typed one first
};

class Verifier;

struct CompiledQuery::Impl {
  std::vector<Literal> literals;
  Node root;
  Xapian::Query query;
  std::unique_ptr<Verifier> verifier;
  size_t wildcards = 0;                          ///< wildcard terms in the query
  std::shared_ptr<const VariantTable> variants;  ///< query expansion, or nullptr
  std::vector<std::string> expansions;           ///< for explain(): "特朗普 → 卓林普 川普 特鲁姆普"
  size_t variant_literals = 0;                   ///< literals added by query expansion
  Xapian::Stem stemmer{"english"};
  Segmenter segmenter;
};

namespace {

Field field_of(std::string_view name) {
  if (name == "title") return Field::title;
  if (name == "author") return Field::author;
  return Field::all;
}

std::string_view field_name(Field f) {
  switch (f) {
    case Field::title:
      return "title";
    case Field::author:
      return "author";
    case Field::all:
      break;
  }
  return "all";
}

/// Candidate terms (and ranking boosts) kept of one literal; see compile_literal.
constexpr size_t k_max_literal_terms = 32;

/// Builds the candidate query of a literal and decides whether it is exact.
void compile_literal(Literal& lit, const Xapian::Stem& stemmer) {
  const FieldPrefixes& p = field_prefixes(lit.field);
  const TokenStream& ts = lit.tokens;
  const auto& t = ts.tokens;
  auto joined_cjk = [&](size_t a, size_t b) {  // tokens a and b=a+1 are adjacent CJK characters
    return b < t.size() && t[a].kind == TokenKind::cjk && t[b].kind == TokenKind::cjk && t[b].gap == Gap::joined;
  };
  std::vector<std::string> terms;  // the first term of each candidate query
  std::unordered_set<std::string> seen;
  std::vector<Xapian::Query> candidates;
  auto add = [&](std::string term, std::string word = {}) {
    if (term.size() > k_max_term_bytes || !seen.insert(term).second) return;
    // A bigram that was an ICU dictionary word in the document is stored as the word term only.
    candidates.push_back(word.empty()
                             ? Xapian::Query(term)
                             : Xapian::Query(Xapian::Query::OP_SYNONYM, Xapian::Query(term), Xapian::Query(word)));
    terms.push_back(std::move(term));
  };
  std::vector<Xapian::Query> boosts;
  for (size_t i = 0; i < t.size(); ++i) {
    const std::string text(ts.text(t[i]));
    if (t[i].kind != TokenKind::cjk) {
      add(std::string(p.word) + text);
      continue;
    }
    if (joined_cjk(i, i + 1)) {
      const std::string bigram = text + std::string(ts.text(t[i + 1]));
      add(std::string(p.gram) + bigram, std::string(p.word) + bigram);
    } else if (i == 0 || !joined_cjk(i - 1, i)) {
      add(std::string(p.gram) + text);  // a lone character
    }
    // ICU dictionary words of the query rank documents where they are whole words higher. A
    // 2-character word is already the word half of its bigram's OP_SYNONYM: boosting it again
    // would read its posting list twice (for 香港, 44 % of a large archive) for the same signal.
    if (t[i].word_len >= 3 && i + t[i].word_len <= t.size()) {
      const Token& last = t[i + t[i].word_len - 1];
      boosts.emplace_back(std::string(p.word) + ts.folded.substr(t[i].begin, last.end - t[i].begin));
    }
  }
  lit.stem = lit.stem && t.size() == 1 && t[0].kind == TokenKind::word;
  lit.exact = t.size() == 1 || (t.size() == 2 && joined_cjk(0, 1));
  bool run = !t.empty() && t[0].kind == TokenKind::cjk;
  for (size_t i = 1; run && i < t.size(); ++i) run = joined_cjk(i - 1, i);
  if (run) lit.cjk_run = ts.folded.substr(t.front().begin, t.back().end - t.front().begin);
  if (terms.empty()) {
    lit.query = lit.head = Xapian::Query::MatchNothing;
    return;
  }
  // A long literal (a pasted passage) is verified, so a spread of its terms selects candidates
  // about as well as all of them would, and Xapian opens a posting list per term: 21,000 bigrams
  // took 3.7 s to match on the 24,000-article corpus.
  const auto spread = [](std::vector<Xapian::Query>& qs) {
    if (qs.size() <= k_max_literal_terms) return;
    const size_t n = qs.size();
    std::vector<Xapian::Query> kept;
    for (size_t k = 0; k < k_max_literal_terms; ++k) kept.push_back(qs[k * (n - 1) / (k_max_literal_terms - 1)]);
    qs = std::move(kept);
  };
  spread(candidates);
  spread(boosts);
  lit.head = candidates[0];
  if (lit.stem) {
    lit.stem_text = stemmer(std::string(ts.text(t[0])));
    // The stem finds every inflection; the exact form adds weight where it appears as typed.
    lit.query = Xapian::Query(Xapian::Query::OP_OR, Xapian::Query(std::string(p.stem) + lit.stem_text),
                              Xapian::Query(terms[0]));
    return;
  }
  lit.query = Xapian::Query(Xapian::Query::OP_AND, candidates.begin(), candidates.end());
  if (!boosts.empty()) {
    lit.query = Xapian::Query(Xapian::Query::OP_AND_MAYBE, lit.query,
                              Xapian::Query(Xapian::Query::OP_OR, boosts.begin(), boosts.end()));
  }
}

}  // namespace

Error wildcard_error(const Xapian::WildcardError& e) {
  // Xapian's message: "Wildcard <term prefix><prefix>* expands to more than <N> terms".
  const std::string& msg = e.get_msg();
  constexpr std::string_view k_head = "Wildcard ", k_tail = " expands to more than ";
  const size_t tail = msg.find(k_tail);
  std::string what = msg;
  if (msg.starts_with(k_head) && tail != std::string::npos) {
    std::string_view pattern = std::string_view(msg).substr(k_head.size(), tail - k_head.size());
    while (!pattern.empty() && pattern[0] >= 'A' && pattern[0] <= 'Z') pattern.remove_prefix(1);  // term prefix
    const std::string_view count = std::string_view(msg).substr(tail + k_tail.size());
    what = fmt::format("wildcard '{}' matches more than {} words", pattern, count.substr(0, count.find(' ')));
  }
  return Error{ExitCode::usage,
               fmt::format("{} (the limit: {} words for all the wildcards of a query)", what, k_max_wildcard_expansion),
               "make the prefix longer, or use fewer wildcards"};
}

namespace {

// ---------------------------------------------------------------------------------------------
// Parser: or_expr := and_expr (OR and_expr)* ; and_expr := unary ([AND] unary)* ;
//         unary := NOT unary | - primary | primary ; primary := ( or_expr ) | term

/// Characters in the longest run of joined CJK tokens of `ts`.
size_t longest_cjk_run(const TokenStream& ts) {
  size_t longest = 0, run = 0;
  for (const Token& t : ts.tokens) {
    run = t.kind != TokenKind::cjk ? 0 : run > 0 && t.gap == Gap::joined ? run + 1 : 1;
    longest = std::max(longest, run);
  }
  return longest;
}

/// Removes from `nodes` each literal that an earlier one of `nodes` already is ("a OR a").
void drop_repeated_literals(std::vector<Node>& nodes) {
  std::vector<size_t> seen;
  std::erase_if(nodes, [&](const Node& n) {
    if (n.kind != Node::Kind::literal) return false;
    if (std::find(seen.begin(), seen.end(), n.literal) != seen.end()) return true;
    seen.push_back(n.literal);
    return false;
  });
}

class Parser {
 public:
  Parser(std::string_view query, const std::vector<Lexeme>& lx, CompiledQuery::Impl& q)
      : m_query(query), m_lx(lx), m_q(q) {}

  Result<Node> parse() {
    if (m_lx.empty()) return fail("empty query");
    Result<Node> n = or_expr();
    if (!n) return n;
    if (n->kind == Node::Kind::everything) {
      const auto term = std::find_if(m_lx.begin(), m_lx.end(), [](const Lexeme& l) { return l.kind == LexKind::term; });
      return fail(term == m_lx.end()
                      ? "query has no searchable text"
                      : "query has no searchable text (only punctuation, such as " + quoted(*term) + ")");
    }
    if (m_pos < m_lx.size()) {
      const Lexeme& lx = m_lx[m_pos];
      return fail_at((lx.kind == LexKind::rparen ? "unbalanced " : "unexpected ") + quoted(lx), lx);
    }
    return n;
  }

 private:
  Error fail(std::string what) const {
    return Error{ExitCode::usage, std::move(what), "see `newsidx search --help` for the query syntax"};
  }
  Error fail_at(const std::string& what, const Lexeme& lx) const {
    return fail(fmt::format("{} at byte {}", what, lx.offset + 1));
  }
  /// The lexeme as typed, quoted (quote_token).
  std::string quoted(const Lexeme& lx) const { return quote_token(m_query.substr(lx.offset, lx.length)); }
  bool at(LexKind k) const { return m_pos < m_lx.size() && m_lx[m_pos].kind == k; }

  /// Enters one more level of nesting ('(', NOT or '-' at `lx`); fails past k_max_query_depth.
  /// Every recursion of the parser, and so of everything that walks the tree it builds (the
  /// candidate query, the verifier), passes through here.
  std::optional<Error> enter(const Lexeme& lx) {
    if (++m_depth <= k_max_query_depth) return std::nullopt;
    return fail_at(fmt::format("query nests deeper than {} levels (the limit): {}", k_max_query_depth, quoted(lx)), lx);
  }

  /// Counts one more term (a literal, wildcard, date or source) at `lx`; fails past k_max_query_terms.
  std::optional<Error> count_term(const Lexeme& lx) {
    if (++m_terms <= k_max_query_terms) return std::nullopt;
    return fail_at(fmt::format("query has more than {} terms (the limit): {}", k_max_query_terms, quoted(lx)), lx);
  }

  Result<Node> or_expr() {
    Result<Node> first = and_expr();
    if (!first) return first;
    if (!at(LexKind::op_or)) return first;
    Node any;
    any.kind = Node::Kind::any_of;
    any.children.push_back(std::move(*first));
    while (at(LexKind::op_or)) {
      const Lexeme& op = m_lx[m_pos++];
      if (m_pos >= m_lx.size()) return fail_at(quoted(op) + " needs something after it", op);
      Result<Node> next = and_expr();
      if (!next) return next;
      any.children.push_back(std::move(*next));
    }
    // A branch with nothing searchable in it (only punctuation) is dropped, not matched-all.
    std::erase_if(any.children, [](const Node& c) { return c.kind == Node::Kind::everything; });
    drop_repeated_literals(any.children);
    if (any.children.size() <= 1) return any.children.empty() ? Node{} : std::move(any.children[0]);
    return any;
  }

  Result<Node> and_expr() {
    Node all;
    all.kind = Node::Kind::all_of;
    bool seen = false;  // any operand, even one without searchable text
    while (m_pos < m_lx.size() && !at(LexKind::op_or) && !at(LexKind::rparen)) {
      if (at(LexKind::op_and)) {
        const Lexeme& op = m_lx[m_pos++];
        if (!seen || m_pos >= m_lx.size() || at(LexKind::op_or) || at(LexKind::rparen)) {
          return fail_at(quoted(op) + " needs something on both sides", op);
        }
        continue;
      }
      Result<Node> u = unary();
      if (!u) return u;
      if (u->kind != Node::Kind::everything) all.children.push_back(std::move(*u));
      seen = true;
    }
    if (all.children.empty() && seen) return Node{};  // only punctuation: nothing to search
    if (all.children.empty()) {
      if (m_pos >= m_lx.size()) return fail("missing search terms");
      return fail_at("missing search terms before " + quoted(m_lx[m_pos]), m_lx[m_pos]);
    }
    drop_repeated_literals(all.children);
    if (all.children.size() == 1) return std::move(all.children[0]);
    return all;
  }

  Result<Node> unary() {
    if (at(LexKind::op_not) || at(LexKind::minus)) {
      const Lexeme& op = m_lx[m_pos];
      const bool minus = at(LexKind::minus);
      ++m_pos;
      if (m_pos >= m_lx.size() || at(LexKind::op_or) || at(LexKind::op_and) || at(LexKind::rparen)) {
        return fail_at(quoted(op) + (minus ? " needs a word after it" : " needs something after it"), op);
      }
      if (std::optional<Error> deep = enter(op)) return *deep;
      m_negated = !m_negated;
      Result<Node> inner = minus ? primary() : unary();
      m_negated = !m_negated;
      --m_depth;
      if (!inner) return inner;
      if (inner->kind == Node::Kind::everything) return inner;  // "-，" excludes nothing
      Node neg;
      neg.kind = Node::Kind::negate;
      neg.children.push_back(std::move(*inner));
      return neg;
    }
    return primary();
  }

  Result<Node> primary() {
    if (at(LexKind::lparen)) {
      const Lexeme& open = m_lx[m_pos++];
      if (std::optional<Error> deep = enter(open)) return *deep;
      Result<Node> inner = or_expr();
      --m_depth;
      if (!inner) return inner;
      if (!at(LexKind::rparen)) return fail_at("unbalanced " + quoted(open), open);
      ++m_pos;
      return inner;
    }
    const Lexeme& lx = m_lx[m_pos++];
    if (lx.kind == LexKind::rparen) return fail_at("unbalanced " + quoted(lx), lx);
    if (lx.kind != LexKind::term) return fail_at("unexpected " + quoted(lx), lx);
    return term(lx);
  }

  Result<Node> term(const Lexeme& lx) {
    if (lx.text.empty() && !lx.quoted) {  // "title:" followed by a space, a parenthesis or nothing
      return fail_at(quoted(lx) + (lx.field == "source" ? " needs a host name" : " needs a word after it"), lx);
    }
    if (lx.field == "date") return date_node(lx);
    if (lx.field == "source") {
      Node n;
      n.kind = Node::Kind::source;
      n.text = fold(lx.text);
      if (n.text.empty()) return fail_at(quoted(lx) + " needs a host name", lx);
      if (std::optional<Error> many = count_term(lx)) return *many;
      return n;
    }
    const Field field = field_of(lx.field);
    std::string text = lx.text;
    if (!lx.quoted && text.size() > 1 && text.back() == '*') {
      text.pop_back();
      TokenStream ts;
      m_q.segmenter.tokenize(text, ts);
      if (ts.tokens.size() == 1 && ts.tokens[0].kind != TokenKind::cjk) {
        Node n;
        n.kind = Node::Kind::wildcard;
        n.field = field;
        n.text = std::string(ts.text(ts.tokens[0]));
        if (std::optional<Error> many = count_term(lx)) return *many;
        ++m_q.wildcards;
        return n;
      }
    }
    Result<Node> typed = literals(lx, field, text, false);
    if (!typed || lx.quoted || !m_q.variants || typed->kind == Node::Kind::everything) return typed;
    Node any;
    any.kind = Node::Kind::any_of;
    any.synonym = true;
    any.children.push_back(std::move(*typed));
    for (const std::string& alternative : variant_alternatives(fold(text))) {
      Result<Node> n = literals(lx, field, alternative, true);
      if (!n) return n;
      if (n->kind != Node::Kind::everything) any.children.push_back(std::move(*n));
    }
    if (any.children.size() == 1) return std::move(any.children[0]);
    return any;
  }

  /// `text` (chunk `lx` of the query without its field, or a variant of it) as the literals it
  /// splits into: one literal node, or an all_of of them. A variant's literals count against
  /// k_max_variant_literals (and are dropped past it), the typed ones against k_max_query_terms.
  Result<Node> literals(const Lexeme& lx, Field field, const std::string& text, bool variant) {
    TokenStream ts;
    m_q.segmenter.tokenize(text, ts);
    // ICU's CJK dictionary only adds boosts for words of 3 or more characters, which a negated
    // literal never needs. Loading it takes about 2 ms (once per process), so a query asks for
    // it only when it has such a run to look up.
    if (!m_negated && longest_cjk_run(ts) >= 3) m_q.segmenter.tokenize(text, ts, Segmenter::k_dictionary_words);
    // An unquoted chunk is split where punctuation touches CJK text ("特朗普，拜登" is two
    // literals); Latin punctuation stays inside the literal ("covid-19", "u.s."), and so does
    // the name dot of a variant's form (卡玛拉·哈里斯 is one name).
    std::vector<TokenStream> pieces(1);
    for (size_t i = 0; i < ts.tokens.size(); ++i) {
      const Token& tok = ts.tokens[i];
      const bool name_dot =
          variant && i > 0 && ts.folded.substr(ts.tokens[i - 1].end, tok.begin - ts.tokens[i - 1].end) == "\u00B7";
      const bool split = !lx.quoted && !name_dot && i > 0 && tok.gap == Gap::brk &&
                         (tok.kind == TokenKind::cjk || ts.tokens[i - 1].kind == TokenKind::cjk);
      if (split) pieces.emplace_back();
      TokenStream& piece = pieces.back();
      Token copy = tok;
      copy.begin = static_cast<uint32_t>(piece.folded.size());
      piece.folded.append(ts.text(tok));
      copy.end = static_cast<uint32_t>(piece.folded.size());
      if (piece.tokens.empty()) copy.gap = Gap::brk;
      piece.tokens.push_back(copy);
    }
    if (variant) {
      const auto n = static_cast<size_t>(
          std::count_if(pieces.begin(), pieces.end(), [](const TokenStream& p) { return !p.tokens.empty(); }));
      if (m_q.variant_literals + n > k_max_variant_literals) return Node{};
      m_q.variant_literals += n;
    }
    Node all;
    all.kind = Node::Kind::all_of;
    for (TokenStream& piece : pieces) {
      if (piece.tokens.empty()) continue;
      if (!variant) {
        if (std::optional<Error> many = count_term(lx)) return *many;
      }
      Literal lit;
      lit.field = field;
      lit.typed = variant ? text : lx.text;
      lit.variant = variant;
      if (pieces.size() == 1 && !variant) lit.typed_form = fold(text, false);
      lit.tokens = std::move(piece);
      lit.stem = !lx.quoted;
      // A literal that occurs again is the same literal: its candidate query, verification and
      // highlights are made once.
      // (Each text is preceded by its length, so that no two literals have the same key.)
      std::string key = fmt::format("{}:{}:{}:{}:{}", static_cast<int>(lit.field), lit.stem, lit.variant,
                                    lit.typed_form.size(), lit.typed_form);
      for (const Token& t : lit.tokens.tokens) {
        const std::string_view text = lit.tokens.text(t);
        key += fmt::format(":{}:{}:{}:{}", static_cast<int>(t.gap), t.word_len, text.size(), text);
      }
      const auto [seen, added] = m_literal_ids.try_emplace(std::move(key), m_q.literals.size());
      Node n;
      n.kind = Node::Kind::literal;
      n.literal = seen->second;
      if (added) {
        compile_literal(lit, m_q.stemmer);
        m_q.literals.push_back(std::move(lit));
      }
      n.exact = m_q.literals[n.literal].exact;
      all.children.push_back(std::move(n));
    }
    if (all.children.empty()) return Node{};  // only punctuation: nothing to search for
    if (all.children.size() == 1) return std::move(all.children[0]);
    return all;
  }

  /// The texts that `folded` (a folded chunk) also matches by query expansion, without itself:
  /// each form found in it replaced by each other form of its class (see compile_query).
  std::vector<std::string> variant_alternatives(const std::string& folded) {
    std::vector<std::string> texts{folded};
    size_t product = 1;
    for (const VariantMatch& m : m_q.variants->find_longest(folded)) {
      const std::vector<VariantForm> forms = m_q.variants->forms(m.class_id);
      if (product * forms.size() > k_max_variant_alternatives) break;
      product *= forms.size();
      const std::string_view typed = std::string_view(folded).substr(m.begin, m.end - m.begin);
      std::string note = fmt::format("{} →", typed);
      for (const VariantForm& form : forms) {
        if (form.text != VariantTable::canonical(typed)) note += fmt::format(" {}", form.text);
      }
      m_q.expansions.push_back(std::move(note));
      // The forms are replaced left to right: each text so far ends as `folded` does from m.begin.
      std::vector<std::string> next;
      const std::string_view tail = std::string_view(folded).substr(m.end);
      for (const std::string& t : texts) {
        const std::string_view head = std::string_view(t).substr(0, t.size() - (folded.size() - m.begin));
        for (const VariantForm& form : forms) next.push_back(fmt::format("{}{}{}", head, form.text, tail));
      }
      texts = std::move(next);
    }
    std::vector<std::string> out;
    std::unordered_set<std::string> seen{VariantTable::canonical(folded)};
    for (std::string& t : texts) {
      if (seen.insert(VariantTable::canonical(t)).second) out.push_back(std::move(t));
    }
    return out;
  }

  Result<Node> date_node(const Lexeme& lx) {
    Node n;
    n.kind = Node::Kind::date;
    const std::string& v = lx.text;
    const size_t dots = v.find("..");
    auto bad = [&] {
      return fail_at(fmt::format("bad date {} (use 2024, 2020-07, 2020-07-01, or a range a..b, a.., ..b)", quoted(lx)),
                     lx);
    };
    if (std::optional<Error> many = count_term(lx)) return *many;
    if (dots == std::string::npos) {
      auto p = parse_date_period(v);
      if (!p) return bad();
      n.from_ms = p->first;
      n.to_ms = p->second;
      // A whole year (2020), month (2020-07) or day (2020-07-01) has a boolean term, whose
      // posting list is far shorter than a scan of the publish-time value slot.
      const UtcDate start = utc_date(n.from_ms);
      if (v.size() == 4) n.text = date_term(start, DatePrecision::year);
      if (v.size() == 7) n.text = date_term(start, DatePrecision::month);
      if (v.size() == 10) n.text = date_term(start, DatePrecision::day);
      return n;
    }
    const std::string lo = v.substr(0, dots);
    const std::string hi = v.substr(dots + 2);
    if (lo.empty() && hi.empty()) return bad();
    if (!lo.empty()) {
      auto p = parse_date_period(lo);
      if (!p) return bad();
      n.from_ms = p->first;
    }
    if (!hi.empty()) {
      auto p = parse_date_period(hi);
      if (!p) return bad();
      n.to_ms = p->second;
    }
    if (n.from_ms >= n.to_ms) return bad();
    return n;
  }

  std::string_view m_query;
  const std::vector<Lexeme>& m_lx;
  CompiledQuery::Impl& m_q;
  size_t m_pos = 0;
  bool m_negated = false;                       ///< parsing inside an odd number of NOT / '-'
  size_t m_depth = 0;                           ///< '(', NOT and '-' around the current lexeme
  size_t m_terms = 0;                           ///< terms so far
  std::map<std::string, size_t> m_literal_ids;  ///< a literal's field, form and tokens → its index
};

// ---------------------------------------------------------------------------------------------
// Candidate query

bool compute_exact(Node& n, const std::vector<Literal>& lits) {
  switch (n.kind) {
    case Node::Kind::literal:
      n.exact = lits[n.literal].exact;
      break;
    case Node::Kind::all_of:
    case Node::Kind::any_of:
    case Node::Kind::negate:
      n.exact = true;
      for (Node& c : n.children) n.exact = compute_exact(c, lits) && n.exact;
      break;
    default:
      n.exact = true;
  }
  return n.exact;
}

Xapian::Query date_query(const Node& n) {
  if (!n.text.empty()) return Xapian::Query(n.text);
  const double lo = static_cast<double>(n.from_ms) / 1000.0;
  const double hi = static_cast<double>(n.to_ms - 1) / 1000.0;  // VALUE_RANGE is inclusive
  if (n.from_ms == INT64_MIN)
    return Xapian::Query(Xapian::Query::OP_VALUE_LE, k_slot_published, Xapian::sortable_serialise(hi));
  if (n.to_ms == INT64_MAX)
    return Xapian::Query(Xapian::Query::OP_VALUE_GE, k_slot_published, Xapian::sortable_serialise(lo));
  return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, k_slot_published, Xapian::sortable_serialise(lo),
                       Xapian::sortable_serialise(hi));
}

Xapian::Query build(const Node& n, const CompiledQuery::Impl& q) {
  using Q = Xapian::Query;
  const std::vector<Literal>& lits = q.literals;
  switch (n.kind) {
    case Node::Kind::literal:
      return lits[n.literal].query;
    case Node::Kind::everything:
      return Q::MatchAll;
    case Node::Kind::date:
      return date_query(n);
    case Node::Kind::added:
      return Xapian::Query(Xapian::Query::OP_VALUE_GE, k_slot_first_indexed, first_indexed_value(n.from_ms));
    case Node::Kind::source:
      return Q(std::string(k_prefix_host) + n.text);
    case Node::Kind::wildcard: {
      // The query's wildcards share k_max_wildcard_expansion words; past its share, matching
      // throws Xapian::WildcardError (see wildcard_error).
      const auto share = static_cast<Xapian::termcount>(std::max<size_t>(1, k_max_wildcard_expansion / q.wildcards));
      return Q(Q::OP_WILDCARD, std::string(field_prefixes(n.field).word) + n.text, share, Q::WILDCARD_LIMIT_ERROR);
    }
    case Node::Kind::any_of: {
      std::vector<Q> qs;
      for (const Node& c : n.children) qs.push_back(build(c, q));
      if (!n.synonym) return Q(Q::OP_OR, qs.begin(), qs.end());
      // An expanded chunk matches any alternative, weighted as one term: an OP_SYNONYM of each
      // alternative's first candidate group (a synonym of whole alternatives would count each
      // of their bigrams, so a longer form would weigh more); the typed alternative adds its own
      // weight, so that among otherwise equal matches the typed form ranks first.
      std::vector<Q> heads;
      for (const Node& c : n.children)
        heads.push_back(lits[(c.kind == Node::Kind::literal ? c : c.children[0]).literal].head);
      const Q any(Q::OP_FILTER, Q(Q::OP_SYNONYM, heads.begin(), heads.end()), Q(Q::OP_OR, qs.begin(), qs.end()));
      return Q(Q::OP_AND_MAYBE, any, qs[0]);
    }
    case Node::Kind::negate:
      return n.children[0].exact ? Q(Q::OP_AND_NOT, Q::MatchAll, build(n.children[0], q)) : Q::MatchAll;
    case Node::Kind::all_of: {
      std::vector<Q> weighted, filters, excluded;
      for (const Node& c : n.children) {
        if (c.kind == Node::Kind::negate) {
          if (c.children[0].exact) excluded.push_back(build(c.children[0], q));
        } else if (c.kind == Node::Kind::date || c.kind == Node::Kind::added || c.kind == Node::Kind::source) {
          filters.push_back(build(c, q));
        } else if (c.kind != Node::Kind::everything) {
          weighted.push_back(build(c, q));
        }
      }
      Q q = weighted.empty() ? Q(Q::MatchAll) : Q(Q::OP_AND, weighted.begin(), weighted.end());
      if (!filters.empty()) q = Q(Q::OP_FILTER, q, Q(Q::OP_AND, filters.begin(), filters.end()));
      if (!excluded.empty()) q = Q(Q::OP_AND_NOT, q, Q(Q::OP_OR, excluded.begin(), excluded.end()));
      return q;
    }
  }
  return Q::MatchNothing;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Verifier

namespace {

/// True if document word `w` matches a stemmed literal: the same word, or one with its stem.
bool stem_matches(const Literal& lit, std::string_view w, const Xapian::Stem& stemmer) {
  const std::string_view word = lit.tokens.text(lit.tokens.tokens[0]);
  return w == word || (!w.empty() && w[0] == word[0] && stemmer(std::string(w)) == lit.stem_text);
}

/// True if `needle` occurs in `text` verbatim.
bool contains(std::string_view text, std::string_view needle) { return text.find(needle) != std::string_view::npos; }

/// True if literal `lit` occurs in `ts`.
bool literal_in(const Literal& lit, const TokenStream& ts, const Xapian::Stem& stemmer) {
  if (!lit.stem) return find_phrase(ts, lit.tokens) < ts.tokens.size();
  return std::any_of(ts.tokens.begin(), ts.tokens.end(), [&](const Token& t) {
    return t.kind == TokenKind::word && stem_matches(lit, ts.text(t), stemmer);
  });
}

}  // namespace

class Verifier : public Xapian::MatchDecider {
 public:
  explicit Verifier(CompiledQuery::Impl& q) : m_q(q) {}

  bool operator()(const Xapian::Document& doc) const override {
    try {
      m_article = from_document_data(doc.get_data());
    } catch (const std::exception&) {
      return false;  // not our document data: cannot confirm a match
    }
    for (FieldText& f : m_fields) f.folded = f.tokenized = f.hashed = f.listed = f.stemmed = false, f.scans = 0;
    return eval(m_q.root, true);
  }

 private:
  /// What the verifier derived from one field of the current document, each made when first needed.
  struct FieldText {
    bool folded = false, tokenized = false, hashed = false, listed = false, stemmed = false;
    size_t scans = 0;  ///< literal and wildcard checks so far (see hashed())
    std::string text;  ///< folded (when folded and not tokenized)
    TokenStream tokens;
    std::vector<uint32_t> heads;            ///< hash table of token texts: its first token, or k_none
    std::vector<uint32_t> next;             ///< per token: the next one in the same bucket, or k_none
    std::vector<std::string_view> words;    ///< distinct texts of the tokens that are not CJK, sorted
    std::unordered_set<std::string> stems;  ///< first letter + stem of each word token
  };

  /// Scans of one field (for literals and wildcards) in one document after which its tokens
  /// are hashed, so that each further check is a lookup: a query of 256 literals, each scanning
  /// a 10 KB article, took 10 ms per candidate.
  static constexpr size_t k_scans_before_hashing = 2;
  static constexpr uint32_t k_none = UINT32_MAX;

  /// The article's title, author or body as stored.
  const std::string& raw(Field f) const {
    return f == Field::title ? m_article.title : f == Field::author ? m_article.author : m_article.text;
  }
  /// The field's tokens, made once per document.
  const TokenStream& tokens(Field f) const {
    FieldText& c = m_fields[static_cast<size_t>(f)];
    if (!c.tokenized) m_q.segmenter.tokenize(raw(f), c.tokens), c.tokenized = true;
    return c.tokens;
  }
  /// The field folded as the tokenizer folds it (text.hpp), without tokenizing it if it was not.
  const std::string& folded(Field f) const {
    FieldText& c = m_fields[static_cast<size_t>(f)];
    if (c.tokenized) return c.tokens.folded;
    if (!c.folded) c.text = fold(raw(f)), c.folded = true;
    return c.text;
  }
  /// The field with its tokens hashed, once it has been scanned often enough in this document
  /// to pay for that; else nullptr.
  FieldText* hashed(Field f) const {
    FieldText& c = m_fields[static_cast<size_t>(f)];
    if (c.hashed) return &c;
    if (++c.scans <= k_scans_before_hashing) return nullptr;
    const TokenStream& ts = tokens(f);
    const auto n = static_cast<uint32_t>(ts.tokens.size());
    c.heads.assign(std::bit_ceil(2 * n + 1), k_none);  // chained buckets, at most half full
    c.next.resize(n);
    for (uint32_t i = n; i-- > 0;) {  // each bucket lists its tokens in document order
      uint32_t& head = c.heads[bucket(c, ts.text(ts.tokens[i]))];
      c.next[i] = head;
      head = i;
    }
    c.hashed = true;
    return &c;
  }
  static size_t bucket(const FieldText& c, std::string_view text) {
    return std::hash<std::string_view>{}(text) & (c.heads.size() - 1);
  }
  /// The sorted distinct texts of a hashed field's tokens that are not CJK.
  const std::vector<std::string_view>& words(FieldText& c) const {
    if (c.listed) return c.words;
    c.words.clear();
    for (const Token& t : c.tokens.tokens) {
      if (t.kind != TokenKind::cjk) c.words.push_back(c.tokens.text(t));
    }
    std::sort(c.words.begin(), c.words.end());
    c.words.erase(std::unique(c.words.begin(), c.words.end()), c.words.end());
    c.listed = true;
    return c.words;
  }
  /// First letter + stem of each word token of a hashed field (see stem_matches).
  const std::unordered_set<std::string>& stems(FieldText& c) const {
    if (c.stemmed) return c.stems;
    c.stems.clear();
    for (const Token& t : c.tokens.tokens) {
      if (t.kind != TokenKind::word) continue;
      const std::string_view w = c.tokens.text(t);
      c.stems.insert(std::string(w.substr(0, 1)) + m_q.stemmer(std::string(w)));
    }
    c.stemmed = true;
    return c.stems;
  }

  /// True if `test` holds in field `f`; Field::all means the title or the body.
  template <class Test>
  bool in_field(Field f, const Test& test) const {
    return f == Field::all ? test(Field::title) || test(Field::all) : test(f);
  }

  /// A run of joined CJK characters occurs in a text exactly when its folded characters are a
  /// substring of the folded text: the tokenizer makes every CJK character a token, joined to
  /// the one before inside a run. Folding maps an already folded run to itself, so a verbatim
  /// occurrence in the stored text is one too, and most matches need no folding at all.
  bool cjk_run_in(Field f, const std::string& run) const { return contains(raw(f), run) || contains(folded(f), run); }

  /// True if literal `lit` occurs in field `f` (literal_in, or for a CJK run cjk_run_in).
  bool occurs(const Literal& lit, Field f) const {
    FieldText* c = hashed(f);
    if (!c) return lit.cjk_run.empty() ? literal_in(lit, tokens(f), m_q.stemmer) : cjk_run_in(f, lit.cjk_run);
    const std::string_view first = lit.tokens.text(lit.tokens.tokens[0]);
    if (lit.stem) return stems(*c).contains(std::string(first.substr(0, 1)) + lit.stem_text);
    for (uint32_t i = c->heads[bucket(*c, first)]; i != k_none; i = c->next[i]) {
      if (phrase_at(c->tokens, i, lit.tokens)) return true;  // (compares the texts too)
    }
    return false;
  }

  /// True if a token of field `f` that is not CJK starts with `prefix`.
  bool has_prefix(Field f, const std::string& prefix) const {
    if (FieldText* c = hashed(f)) {
      const std::vector<std::string_view>& w = words(*c);
      const auto at = std::lower_bound(w.begin(), w.end(), std::string_view(prefix));
      return at != w.end() && at->starts_with(prefix);
    }
    const TokenStream& ts = tokens(f);
    return std::any_of(ts.tokens.begin(), ts.tokens.end(),
                       [&](const Token& t) { return t.kind != TokenKind::cjk && ts.text(t).starts_with(prefix); });
  }

  bool eval(const Node& n, bool guaranteed) const {
    if (guaranteed && n.exact) return true;
    switch (n.kind) {
      case Node::Kind::literal: {
        const Literal& lit = m_q.literals[n.literal];
        return in_field(lit.field, [&](Field f) { return occurs(lit, f); });
      }
      case Node::Kind::all_of:
        for (const Node& c : n.children) {
          const bool g = guaranteed && (c.kind != Node::Kind::negate || c.exact);
          if (!eval(c, g)) return false;
        }
        return true;
      case Node::Kind::any_of:
        // The alternatives of an expanded chunk: a verbatim occurrence of any of them first,
        // before one of them folds the field to look further.
        if (n.synonym) {
          for (const Node& c : n.children) {
            const Literal* lit = c.kind == Node::Kind::literal ? &m_q.literals[c.literal] : nullptr;
            if (lit && !lit->cjk_run.empty() &&
                in_field(lit->field, [&](Field f) { return contains(raw(f), lit->cjk_run); })) {
              return true;
            }
          }
        }
        for (const Node& c : n.children) {
          if (eval(c, false)) return true;
        }
        return false;
      case Node::Kind::negate:
        return !eval(n.children[0], false);
      case Node::Kind::date:
        return m_article.published_ms && *m_article.published_ms >= n.from_ms && *m_article.published_ms < n.to_ms;
      case Node::Kind::added:
        return m_article.first_indexed_ms && *m_article.first_indexed_ms >= n.from_ms;
      case Node::Kind::source: {
        const std::string& host = m_article.source;
        return host == n.text ||
               (host.size() > n.text.size() && host.compare(host.size() - n.text.size(), n.text.size(), n.text) == 0 &&
                host[host.size() - n.text.size() - 1] == '.');
      }
      case Node::Kind::wildcard:
        return in_field(n.field, [&](Field f) { return has_prefix(f, n.text); });
      case Node::Kind::everything:
        return true;
    }
    return false;
  }

  CompiledQuery::Impl& m_q;
  mutable StoredArticle m_article;
  mutable std::array<FieldText, 3> m_fields;  ///< indexed by Field
};

// ---------------------------------------------------------------------------------------------
// CompiledQuery

CompiledQuery::CompiledQuery() : m_impl(std::make_unique<Impl>()) {}
CompiledQuery::~CompiledQuery() = default;
CompiledQuery::CompiledQuery(CompiledQuery&&) noexcept = default;
CompiledQuery& CompiledQuery::operator=(CompiledQuery&&) noexcept = default;

const Xapian::Query& CompiledQuery::xapian_query() const { return m_impl->query; }
Xapian::MatchDecider* CompiledQuery::verifier() const { return m_impl->verifier.get(); }

namespace {
bool has_inexact_negation(const Node& n) {
  if (n.kind == Node::Kind::negate && !n.children[0].exact) return true;
  return std::any_of(n.children.begin(), n.children.end(), has_inexact_negation);
}
}  // namespace

bool CompiledQuery::verifies_exclusions() const { return has_inexact_negation(m_impl->root); }

namespace {
/// True if every code point of `s` is a CJK unified ideograph (the basic block, extension A, or
/// extensions B to G).
bool unified_ideographs_only(std::string_view s) {
  for (size_t i = 0, next = 0; i < s.size(); i = next) {
    const int32_t c = code_point_at(s, i, &next);
    if (!((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x3134F))) return false;
  }
  return true;
}

/// The literals and wildcards of `n` outside any NOT, each once.
void positive_nodes(const Node& n, std::vector<const Node*>& out) {
  if (n.kind == Node::Kind::negate) return;
  const auto same = [&](const Node* o) {
    return o->kind == n.kind &&
           (n.kind == Node::Kind::literal ? o->literal == n.literal : o->field == n.field && o->text == n.text);
  };
  if ((n.kind == Node::Kind::literal || n.kind == Node::Kind::wildcard) && std::none_of(out.begin(), out.end(), same)) {
    out.push_back(&n);
  }
  for (const Node& c : n.children) positive_nodes(c, out);
}
}  // namespace

std::vector<TokenRange> CompiledQuery::highlights(const TokenStream& body) const {
  std::vector<const Node*> nodes;
  positive_nodes(m_impl->root, nodes);
  std::vector<TokenRange> out;
  for (size_t term = 0; term < nodes.size(); ++term) {
    const Node* n = nodes[term];
    if (n->field != Field::all && n->kind == Node::Kind::wildcard) continue;
    if (n->kind == Node::Kind::wildcard) {
      for (size_t i = 0; i < body.tokens.size(); ++i) {
        const Token& t = body.tokens[i];
        if (t.kind != TokenKind::cjk && body.text(t).substr(0, n->text.size()) == n->text)
          out.push_back({i, i + 1, term});
      }
      continue;
    }
    const Literal& lit = m_impl->literals[n->literal];
    if (lit.field != Field::all) continue;
    if (lit.stem) {
      for (size_t i = 0; i < body.tokens.size(); ++i) {
        const Token& t = body.tokens[i];
        if (t.kind == TokenKind::word && stem_matches(lit, body.text(t), m_impl->stemmer))
          out.push_back({i, i + 1, term});
      }
      continue;
    }
    for (size_t i = find_phrase(body, lit.tokens); i < body.tokens.size(); i = find_phrase(body, lit.tokens, i + 1)) {
      out.push_back({i, i + lit.tokens.tokens.size(), term});
    }
  }
  std::sort(out.begin(), out.end(), [](const TokenRange& a, const TokenRange& b) {
    return a.first != b.first ? a.first < b.first : a.last > b.last;
  });
  return out;
}

double CompiledQuery::typed_form_bonus(const StoredArticle& a) const {
  std::vector<const Node*> nodes;
  positive_nodes(m_impl->root, nodes);
  size_t considered = 0, found = 0;
  std::string doc_form;
  const auto occurs = [&](const std::string& form) {
    // Most articles hold the form as it is stored: look there first, and fold the whole article
    // (a tenth of a millisecond each) only when that fails. (The typed form is folded, so it
    // occurs in the folded article wherever it occurs verbatim.) Folding without
    // Traditional→Simplified leaves unified ideographs as they are, so a form of nothing else
    // that is not there verbatim is not there folded either (but for compatibility ideographs).
    if (contains(a.title, form) || contains(a.text, form)) return true;
    if (unified_ideographs_only(form)) return false;
    if (doc_form.empty()) doc_form = fold(a.title + "\n" + a.text, false);
    return contains(doc_form, form);
  };
  for (const Node* n : nodes) {
    if (n->kind != Node::Kind::literal) continue;
    const Literal& lit = m_impl->literals[n->literal];
    if (lit.typed_form.empty() || lit.field == Field::author) continue;
    // Each literal scans the article (two or three times where it is absent): 256 of them took
    // 30 ms per article reranked. The first few tell the script of the query as well.
    if (considered == k_typed_form_literals) break;
    ++considered;
    found += occurs(lit.typed_form);
  }
  return considered ? 1.0 + k_typed_form_bonus * static_cast<double>(found) / static_cast<double>(considered) : 1.0;
}

std::string CompiledQuery::explain() const {
  std::string out;
  for (const Literal& lit : m_impl->literals) {
    std::string toks;
    for (const Token& t : lit.tokens.tokens) {
      if (!toks.empty()) toks += t.gap == Gap::joined ? "·" : t.gap == Gap::space ? " " : " | ";
      toks += lit.tokens.text(t);
    }
    out += fmt::format("{} {:?} field={} tokens=[{}] {}{}\n", lit.variant ? "variant" : "literal", lit.typed,
                       field_name(lit.field), toks, lit.exact ? "exact" : "verified",
                       lit.stem ? fmt::format(" stem={}", lit.stem_text) : "");
  }
  for (const std::string& e : m_impl->expansions) out += fmt::format("variants: {}\n", e);
  out += fmt::format("xapian: {}\n", m_impl->query.get_description());
  out += fmt::format("verify: {}\n", m_impl->verifier ? "yes (exact phrase check on stored text)" : "no");
  return out;
}

Result<CompiledQuery> compile_query(std::string_view query, const QueryFilters& filters) {
  CompiledQuery cq;
  CompiledQuery::Impl& q = *cq.m_impl;
  q.variants = filters.variants;
  Result<std::vector<Lexeme>> lexemes = lex(query);
  if (!lexemes) return lexemes.error();
  Node root;
  if (lexemes->empty() && filters.restricts()) {
    root.kind = Node::Kind::everything;
  } else {
    Parser parser(query, *lexemes, q);
    Result<Node> parsed = parser.parse();
    if (!parsed) return parsed.error();
    root = std::move(*parsed);
  }
  if (filters.restricts()) {
    Node all;
    all.kind = Node::Kind::all_of;
    all.children.push_back(std::move(root));
    if (filters.since_ms || filters.until_ms) {
      Node d;
      d.kind = Node::Kind::date;
      if (filters.since_ms) d.from_ms = *filters.since_ms;
      if (filters.until_ms) d.to_ms = *filters.until_ms;
      all.children.push_back(std::move(d));
    }
    if (filters.added_since_ms) {
      Node added;
      added.kind = Node::Kind::added;
      added.from_ms = *filters.added_since_ms;
      all.children.push_back(std::move(added));
    }
    if (!filters.sources.empty()) {
      Node any;
      any.kind = Node::Kind::any_of;
      for (const std::string& s : filters.sources) {
        Node src;
        src.kind = Node::Kind::source;
        src.text = fold(s);
        any.children.push_back(std::move(src));
      }
      all.children.push_back(std::move(any));
    }
    root = std::move(all);
  }
  compute_exact(root, q.literals);
  q.root = std::move(root);
  q.query = build(q.root, q);
  if (!q.root.exact) q.verifier = std::make_unique<Verifier>(q);
  return cq;
}

}  // namespace newsidx
