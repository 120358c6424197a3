// variants.cpp — the variant table: built-in sorted arrays plus the user's classes.
#include "newsidx/variants.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "newsidx/text.hpp"
#include "variant_lines.hpp"

namespace newsidx {

namespace {

// k_forms, k_form_offsets, k_form_class, k_class_first, k_class_forms, k_sources,
// k_source_offsets: see tools/embed_variants.cpp.
#include "variants_table.inc"

constexpr uint32_t k_builtin_forms = std::size(k_form_offsets) - 1;
constexpr uint32_t k_builtin_classes = std::size(k_class_first) - 1;
constexpr std::string_view k_dot = "\u00B7";

std::string_view builtin_form(uint32_t i) {
  return {k_forms + k_form_offsets[i], k_form_offsets[i + 1] - k_form_offsets[i]};
}

std::string_view builtin_sources(uint32_t i) {
  return {k_sources + k_source_offsets[i], k_source_offsets[i + 1] - k_source_offsets[i]};
}

/// Han ideographs (the unified blocks and extensions, and the compatibility block).
bool is_han(int32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0x20000 && c <= 0x3134F);
}

/// Whether the code point `c` at [pos, next) of `text` stands for a name dot: one of · ・ ‧ • ∙
/// anywhere, or one of . - ‐ ‑ between two ideographs.
bool is_name_dot(std::string_view text, size_t pos, size_t next, int32_t c) {
  switch (c) {
    case 0x00B7:
    case 0x30FB:
    case 0x2027:
    case 0x2022:
    case 0x2219:
      return true;
    case '.':
    case '-':
    case 0x2010:
    case 0x2011: {
      if (pos == 0 || next == text.size()) return false;
      size_t unused = 0;
      return is_han(code_point_at(text, previous_code_point(text, pos), &unused)) &&
             is_han(code_point_at(text, next, &unused));
    }
    default:
      return false;
  }
}

/// Appends the canonical bytes of the code point at byte `pos` of `text` to `key` (a name dot
/// becomes "·"; anything else, even an invalid byte, is copied) and returns the next position.
size_t append_canonical(std::string_view text, size_t pos, std::string& key) {
  size_t next = 0;
  const int32_t c = code_point_at(text, pos, &next);
  if (is_name_dot(text, pos, next, c)) {
    key += k_dot;
  } else {
    key.append(text.data() + pos, next - pos);
  }
  return next;
}

/// Binary-search state over forms sorted by bytes: [lo, hi) are the forms that start with the
/// key seen so far. `form(i)` gives form i.
template <class Form>
struct PrefixRange {
  const Form& form;
  size_t lo;
  size_t hi;

  /// Narrows to the forms that start with `key`; true if one of them equals it.
  bool narrow(std::string_view key) {
    const auto first = [&](auto&& pred) {
      size_t a = lo, b = hi;
      while (a < b) {
        const size_t mid = a + (b - a) / 2;
        if (pred(form(mid))) {
          a = mid + 1;
        } else {
          b = mid;
        }
      }
      return a;
    };
    lo = first([&](std::string_view f) { return f.substr(0, key.size()) < key; });
    hi = first([&](std::string_view f) { return f.substr(0, key.size()) <= key; });
    return lo < hi && form(lo).size() == key.size();
  }
};

}  // namespace

VariantTable VariantTable::builtin() {
  VariantTable t;
  t.m_has_builtin = true;
  t.m_builtin_removed.assign(k_builtin_classes, false);
  return t;
}

size_t VariantTable::builtin_classes() const { return m_has_builtin ? k_builtin_classes : 0; }

bool VariantTable::builtin_live(uint32_t class_id) const {
  return class_id < builtin_classes() && !m_builtin_removed[class_id];
}

std::string VariantTable::canonical(std::string_view folded) {
  std::string key;
  for (size_t i = 0; i < folded.size();) i = append_canonical(folded, i, key);
  return key;
}

std::optional<uint32_t> VariantTable::find_class(std::string_view form) const {
  const std::string key = canonical(form);
  if (auto it = m_user_class_of.find(key); it != m_user_class_of.end()) return it->second;
  PrefixRange<decltype(builtin_form)> r{builtin_form, 0, m_has_builtin ? k_builtin_forms : 0};
  if (r.narrow(key) && builtin_live(k_form_class[r.lo])) return k_form_class[r.lo];
  return std::nullopt;
}

std::vector<VariantForm> VariantTable::forms(uint32_t class_id) const {
  std::vector<VariantForm> out;
  if (builtin_live(class_id)) {
    for (uint32_t k = k_class_first[class_id]; k < k_class_first[class_id + 1]; ++k) {
      out.push_back({builtin_form(k_class_forms[k]), builtin_sources(k_class_forms[k])});
    }
  } else if (class_id >= builtin_classes() && class_id - builtin_classes() < m_user.size()) {
    const UserClass& u = m_user[class_id - builtin_classes()];
    for (size_t k = 0; k < u.forms.size(); ++k) out.push_back({u.forms[k], u.sources[k]});
  }
  return out;
}

std::vector<VariantMatch> VariantTable::find_all(std::string_view folded_text) const {
  std::vector<VariantMatch> out;
  const auto user_form = [&](size_t i) -> std::string_view { return m_user_sorted[i].first; };
  std::string key;
  for (size_t begin = 0; begin < folded_text.size();) {
    PrefixRange<decltype(builtin_form)> b{builtin_form, 0, m_has_builtin ? k_builtin_forms : 0};
    PrefixRange<decltype(user_form)> u{user_form, 0, m_user_sorted.size()};
    key.clear();
    const size_t next = append_canonical(folded_text, begin, key);
    for (size_t end = next; b.lo < b.hi || u.lo < u.hi;) {
      if (b.lo < b.hi && b.narrow(key) && builtin_live(k_form_class[b.lo])) {
        out.push_back({begin, end, k_form_class[b.lo]});
      }
      if (u.lo < u.hi && u.narrow(key)) out.push_back({begin, end, m_user_sorted[u.lo].second});
      if (end == folded_text.size()) break;
      end = append_canonical(folded_text, end, key);
    }
    begin = next;
  }
  return out;
}

std::vector<VariantMatch> VariantTable::find_longest(std::string_view text) const {
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  const auto inside_word = [&](size_t edge) {
    return edge > 0 && edge < text.size() && alnum(text[edge - 1]) && alnum(text[edge]);
  };
  std::vector<VariantMatch> out;
  for (const VariantMatch& m : find_all(text)) {  // by begin, then end
    if (inside_word(m.begin) || inside_word(m.end)) continue;
    if (!out.empty() && out.back().begin == m.begin) {
      out.back() = m;  // a longer form at the same place
    } else if (out.empty() || m.begin >= out.back().end) {
      out.push_back(m);
    }
  }
  return out;
}

size_t VariantTable::class_count() const {
  size_t n = std::count(m_builtin_removed.begin(), m_builtin_removed.end(), false);
  for (const UserClass& u : m_user) n += u.forms.empty() ? 0 : 1;
  return n;
}

size_t VariantTable::form_count() const {
  size_t n = m_user_class_of.size();
  for (uint32_t c = 0; c < builtin_classes(); ++c) {
    if (!m_builtin_removed[c]) n += k_class_first[c + 1] - k_class_first[c];
  }
  return n;
}

void VariantTable::remove_class(uint32_t class_id) {
  if (class_id < builtin_classes()) {
    m_builtin_removed[class_id] = true;
    return;
  }
  UserClass& u = m_user[class_id - builtin_classes()];
  for (const std::string& f : u.forms) m_user_class_of.erase(f);
  u.forms.clear();
  u.sources.clear();
}

Result<std::vector<std::string>> VariantTable::merge(std::string_view text, std::string_view origin) {
  struct Line {
    size_t number;
    std::vector<std::string> forms;  // canonical folded forms
    bool remove;
  };
  std::vector<Line> lines;
  std::optional<Error> error;
  for_each_line(text, [&](size_t line_no, std::string_view line) {
    const std::vector<std::string_view> fields = variant_line_fields(line);
    if (fields.empty() || error) return;
    Line l{line_no, {}, fields[0].starts_with('-')};
    for (std::string_view f : fields) l.forms.push_back(canonical(fold(l.remove ? f.substr(1) : f)));
    if (l.remove) {
      if (fields.size() != 1 || l.forms[0].empty()) {
        error = Error{ExitCode::usage,
                      std::string(origin) + ":" + std::to_string(line_no) + ": a removal is `-FORM`, one form",
                      "write one class per line (FORM FORM...), or -FORM to remove the class of FORM"};
      }
    }
    lines.push_back(std::move(l));
  });
  if (error) return *error;

  std::vector<std::string> warnings;
  const auto where = [&](const Line& l) { return std::string(origin) + ":" + std::to_string(l.number); };
  for (Line& l : lines) {
    if (l.remove) {
      if (auto c = find_class(l.forms[0])) {
        remove_class(*c);
      } else {
        warnings.push_back(where(l) + ": " + l.forms[0] + " is in no class; nothing removed");
      }
      continue;
    }
    std::sort(l.forms.begin(), l.forms.end());
    l.forms.erase(std::unique(l.forms.begin(), l.forms.end()), l.forms.end());
    if (l.forms.size() < 2) {
      warnings.push_back(where(l) + ": a class needs two different forms after folding; line ignored");
      continue;
    }
    // The new class absorbs every class that holds one of its forms, with their sources.
    std::set<uint32_t> absorbed;
    for (const std::string& f : l.forms) {
      if (auto c = find_class(f)) absorbed.insert(*c);
    }
    std::vector<std::pair<std::string, std::string>> members;  // form, sources
    for (const uint32_t c : absorbed) {
      for (const VariantForm& f : forms(c)) members.emplace_back(f.text, f.sources);
    }
    const std::string source = "user:" + where(l);
    for (const std::string& f : l.forms) {
      auto it = std::find_if(members.begin(), members.end(), [&](const auto& m) { return m.first == f; });
      if (it == members.end()) {
        members.emplace_back(f, source);
      } else {
        it->second += " " + source;
      }
    }
    for (const uint32_t c : absorbed) remove_class(c);
    std::sort(members.begin(), members.end());
    const auto id = static_cast<uint32_t>(builtin_classes() + m_user.size());
    UserClass& u = m_user.emplace_back();
    for (auto& [form, sources] : members) {
      m_user_class_of[form] = id;
      u.forms.push_back(std::move(form));
      u.sources.push_back(std::move(sources));
    }
  }
  m_user_sorted.assign(m_user_class_of.begin(), m_user_class_of.end());
  std::sort(m_user_sorted.begin(), m_user_sorted.end());
  return warnings;
}

}  // namespace newsidx
