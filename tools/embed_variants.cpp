// embed_variants.cpp — build-time tool: turns data/variants/variants.tsv and sources.tsv into a
// C++ fragment of sorted arrays (src/variants.cpp includes it), so that the built-in variant
// table is compiled into the binary and needs no parsing at run time.
//
// usage: embed_variants VARIANTS.tsv SOURCES.tsv OUTPUT.inc
// Input: VARIANTS.tsv has one class per line (forms separated by spaces); SOURCES.tsv one line
// per form, "FORM<TAB>SOURCES". Output (in namespace-less constants, prefixed k_):
//   k_forms, k_form_offsets[n + 1]   every form, sorted by bytes: form i = k_forms[off[i], off[i+1])
//   k_form_class[n]                  the class of form i (classes numbered in file order)
//   k_class_first[c + 1], k_class_forms   the forms of class c: k_class_forms[first[c], first[c+1])
//   k_sources, k_source_offsets[n + 1]    the sources of form i
// Errors (exit 1, message on stderr): a form in two classes, a class of fewer than two forms, a
// form without sources or sources of no form, a byte that cannot appear in a form.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "variant_lines.hpp"

namespace {

std::string read_all(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "embed_variants: cannot read %s\n", path);
    std::exit(1);
  }
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

[[noreturn]] void fail(const char* path, size_t line, const std::string& why) {
  std::fprintf(stderr, "embed_variants: %s:%zu: %s\n", path, line, why.c_str());
  std::exit(1);
}

void write_string(std::FILE* out, const char* name, const std::vector<std::string>& parts) {
  std::fprintf(out, "constexpr char %s[] =\n", name);
  for (const std::string& p : parts) {
    std::fputs("    \"", out);
    for (const char c : p) {
      if (c == '"' || c == '\\') std::fputc('\\', out);
      std::fputc(c, out);
    }
    std::fputs("\"\n", out);
  }
  std::fputs("    \"\";\n", out);
}

void write_numbers(std::FILE* out, const char* name, const std::vector<uint32_t>& v) {
  std::fprintf(out, "constexpr uint32_t %s[] = {", name);
  for (size_t i = 0; i < v.size(); ++i) std::fprintf(out, "%s%u,", i % 16 == 0 ? "\n    " : " ", v[i]);
  std::fputs("\n};\n", out);
}

std::vector<uint32_t> offsets(const std::vector<std::string>& parts) {
  std::vector<uint32_t> off{0};
  for (const std::string& p : parts) off.push_back(off.back() + static_cast<uint32_t>(p.size()));
  return off;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: embed_variants VARIANTS.tsv SOURCES.tsv OUTPUT.inc\n");
    return 2;
  }
  std::map<std::string, uint32_t> class_of;  // form → class, sorted by bytes
  uint32_t classes = 0;
  newsidx::for_each_line(read_all(argv[1]), [&](size_t line_no, std::string_view line) {
    const std::vector<std::string_view> forms = newsidx::variant_line_fields(line);
    if (forms.empty()) return;
    if (forms.size() < 2) fail(argv[1], line_no, "a class needs at least two forms");
    for (std::string_view f : forms) {
      if (f.find_first_of("\"\\") != std::string_view::npos) fail(argv[1], line_no, "a form holds '\"' or '\\'");
      if (!class_of.emplace(std::string(f), classes).second) {
        fail(argv[1], line_no, "form " + std::string(f) + " is in two classes");
      }
    }
    ++classes;
  });
  std::map<std::string, std::string> sources;
  newsidx::for_each_line(read_all(argv[2]), [&](size_t line_no, std::string_view line) {
    if (line.empty() || line[0] == '#') return;
    const size_t tab = line.find('\t');
    const std::string form(line.substr(0, tab));
    if (tab == std::string_view::npos || !class_of.contains(form)) fail(argv[2], line_no, "not a form of the table");
    std::string src(line.substr(tab + 1));
    if (src.find_first_of("\"\\") != std::string::npos) fail(argv[2], line_no, "sources hold '\"' or '\\'");
    sources[form] = std::move(src);
  });

  std::vector<std::string> form_text;
  std::vector<std::string> source_text;
  std::vector<uint32_t> form_class;
  std::vector<std::vector<uint32_t>> members(classes);
  for (const auto& [form, cls] : class_of) {
    auto it = sources.find(form);
    if (it == sources.end()) fail(argv[2], 0, "no sources for form " + form);
    members[cls].push_back(static_cast<uint32_t>(form_text.size()));
    form_text.push_back(form);
    source_text.push_back(it->second);
    form_class.push_back(cls);
  }
  std::vector<uint32_t> class_first{0};
  std::vector<uint32_t> class_forms;
  for (const std::vector<uint32_t>& m : members) {
    class_forms.insert(class_forms.end(), m.begin(), m.end());
    class_first.push_back(static_cast<uint32_t>(class_forms.size()));
  }

  std::FILE* out = std::fopen(argv[3], "w");
  if (!out) {
    std::fprintf(stderr, "embed_variants: cannot write %s\n", argv[3]);
    return 1;
  }
  std::fprintf(out, "// Generated by tools/embed_variants.cpp from %s. Do not edit.\n", argv[1]);
  write_string(out, "k_forms", form_text);
  write_numbers(out, "k_form_offsets", offsets(form_text));
  write_numbers(out, "k_form_class", form_class);
  write_numbers(out, "k_class_first", class_first);
  write_numbers(out, "k_class_forms", class_forms);
  write_string(out, "k_sources", source_text);
  write_numbers(out, "k_source_offsets", offsets(source_text));
  if (std::fclose(out) != 0) return 1;
  std::fprintf(stderr, "embed_variants: %u classes, %zu forms\n", classes, form_text.size());
  return 0;
}
