// variant_lines.hpp — the line format of variant files (data/variants/*.tsv and the user's file),
// shared by src/variants.cpp and the build-time tool tools/embed_variants.cpp.
#pragma once

#include <string_view>
#include <vector>

namespace newsidx {

/// The fields of one line of a variants file: split at spaces, tabs and '\r'; a '#' that starts
/// the line or follows a space or tab starts a comment that runs to the end of the line.
inline std::vector<std::string_view> variant_line_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i == line.size() || line[i] == '#') break;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    fields.push_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

/// Calls visit(line_number, line) for each '\n'-separated line of `text` (numbered from 1).
template <class Visit>
void for_each_line(std::string_view text, Visit&& visit) {
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    visit(++line_no, text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

}  // namespace newsidx
