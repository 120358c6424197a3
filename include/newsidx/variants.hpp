// variants.hpp — regional vocabulary: classes of folded forms that name the same thing
// (特朗普 = 川普, 悉尼 = 雪梨, 软件 = 软体), compiled in and extended by the user's own file.
//
// The built-in classes are data/variants/variants.tsv, made by tools/gen_variants.py from
// Chinese Wikipedia's CGroup conversion groups (CC BY-SA 4.0) and OpenCC's regional phrase
// tables (Apache-2.0); see docs/variants.md and data/variants/LICENSE. The build turns the file
// into sorted arrays (tools/embed_variants.cpp), so the table needs no file and no parsing at run
// time: a lookup is a binary search over the forms.
//
// A form is folded text (newsidx::fold: NFKC_Casefold, then Traditional→Simplified), with name
// dots written U+00B7 "·" (唐纳·川普). In a text searched with find_all() and in a form looked up,
// any of the name dots · ・ ‧ • ∙, and any of . - ‐ ‑ between two ideographs, stands for "·".
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "newsidx/error.hpp"

namespace newsidx {

/// One form of a class and where it comes from. Views into the table: valid while the table
/// lives and is not merged into again.
struct VariantForm {
  std::string_view text;  ///< the folded form, name dots as "·"
  /// Where it comes from: space-separated items. Built-in forms: FAMILY:NAME:TAG, e.g.
  /// "cgroup:PresidentsUS:zh-tw" (a CGroup page and the region tag of the text), or
  /// "opencc:TWPhrases:tw" (an OpenCC dictionary and the region of the side); "<=" after the tag
  /// marks the left side of a one-way rule. User forms: "user:FILE:LINE".
  std::string_view sources;
};

/// One occurrence of a form in a text given to VariantTable::find_all().
struct VariantMatch {
  size_t begin = 0;  ///< byte offsets [begin, end) into that text
  size_t end = 0;
  uint32_t class_id = 0;

  friend bool operator==(const VariantMatch&, const VariantMatch&) = default;
};

/// Classes of equivalent forms. Every form is in at most one class. Class ids are stable for
/// the life of the table (a removed class keeps its id and is empty).
class VariantTable {
 public:
  /// An empty table (no classes).
  VariantTable() = default;

  /// The built-in table, compiled in from data/variants/. Costs nothing to create.
  static VariantTable builtin();

  /// Applies a user variants file (`$XDG_CONFIG_HOME/newsidx/variants` or --variants FILE):
  /// UTF-8 text, one instruction per line, in file order:
  ///   `FORM FORM...`  a class: forms separated by spaces or tabs, folded here (any script).
  ///                   It is merged with every class that already holds one of its forms.
  ///   `-FORM`         removes the class that holds FORM (built-in or from an earlier line).
  ///   `# ...`         a comment (also after the forms of a line); blank lines are skipped.
  /// `origin` names the file in messages and in the forms' sources ("user:ORIGIN:LINE").
  /// Returns one warning per line that changed nothing (a class with fewer than two distinct
  /// forms after folding, a removal of a form in no class). Error (ExitCode::usage, "ORIGIN:LINE:
  /// reason"): a removal line without exactly one form; the table is then left as it was.
  Result<std::vector<std::string>> merge(std::string_view text, std::string_view origin);

  /// The class holding `form` (folded, or only differing from a folded form by its name dots).
  [[nodiscard]] std::optional<uint32_t> find_class(std::string_view form) const;

  /// The forms of a class, sorted by their UTF-8 bytes; empty for a removed class or an id
  /// that is not one.
  [[nodiscard]] std::vector<VariantForm> forms(uint32_t class_id) const;

  /// Every occurrence of every form in `folded_text` (folded, e.g. a CJK run of a query or a
  /// whole literal), overlapping ones included, sorted by begin, then end. Substring matching
  /// on UTF-8 code point boundaries: 特朗普政府 holds 特朗普 at [0, 9). Cost: per code point of
  /// the text, a few binary searches over the forms that share its prefix.
  [[nodiscard]] std::vector<VariantMatch> find_all(std::string_view folded_text) const;

  /// The forms of `folded_text` that query expansion replaces: of find_all()'s matches, the
  /// leftmost-longest ones that do not overlap, without those that start or end inside a Latin
  /// word (an ASCII letter or digit on both sides of an edge: a form "ai" is not in "said").
  [[nodiscard]] std::vector<VariantMatch> find_longest(std::string_view folded_text) const;

  /// Classes that have forms, and their forms.
  [[nodiscard]] size_t class_count() const;
  [[nodiscard]] size_t form_count() const;

  /// `folded` with each name dot (see the file comment) replaced by "·": the form's key.
  [[nodiscard]] static std::string canonical(std::string_view folded);

 private:
  struct UserClass {
    std::vector<std::string> forms;  // sorted by bytes, distinct
    std::vector<std::string> sources;
  };
  [[nodiscard]] size_t builtin_classes() const;
  [[nodiscard]] bool builtin_live(uint32_t class_id) const;
  void remove_class(uint32_t class_id);

  bool m_has_builtin = false;
  std::vector<bool> m_builtin_removed;  // by built-in class id; removed, or merged into a user class
  std::vector<UserClass> m_user;        // class id = builtin_classes() + index
  std::unordered_map<std::string, uint32_t> m_user_class_of;    // user form → class id
  std::vector<std::pair<std::string, uint32_t>> m_user_sorted;  // the same pairs, sorted (find_all)
};

}  // namespace newsidx
