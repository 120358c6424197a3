// cmd_variants.cpp — `newsidx variants WORD`, and the variant table that `search` expands with.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "newsidx/text.hpp"

namespace newsidx::cli {
namespace fs = std::filesystem;

namespace {

/// $XDG_CONFIG_HOME/newsidx/variants, else ~/.config/newsidx/variants ("" without a home).
fs::path user_variants_path() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return fs::path(xdg) / "newsidx" / "variants";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".config" / "newsidx" / "variants";
  return {};
}

struct VariantsArgs {
  std::string word;
  std::string file;
  std::string format = "text";
};

}  // namespace

Result<std::shared_ptr<const VariantTable>> load_variants(const std::string& file) {
  auto table = std::make_shared<VariantTable>(VariantTable::builtin());
  const fs::path path = file.empty() ? user_variants_path() : fs::path(file);
  std::error_code ec;
  if (path.empty() || (file.empty() && !fs::exists(path, ec))) return std::shared_ptr<const VariantTable>(table);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in || fs::is_directory(path, ec)) {
    return Error{ExitCode::usage, fmt::format("cannot read the variants file {}", path.string()),
                 "give a readable file to --variants (see `man newsidx`, VARIANTS)"};
  }
  Result<std::vector<std::string>> warnings = table->merge(text.str(), path.string());
  if (!warnings) return warnings.error();
  for (const std::string& w : *warnings) print_clean("newsidx: warning: " + w);
  return std::shared_ptr<const VariantTable>(table);
}

void add_variants_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<VariantsArgs>();
  CLI::App* cmd = app.add_subcommand("variants", "Show the regional-vocabulary class of a word (特朗普 = 川普)");
  cmd->add_option("word", args->word, "A word (any script); or a text, whose forms are each shown")->required();
  cmd->add_option("--variants", args->file, "The user's variants file (default: $XDG_CONFIG_HOME/newsidx/variants)");
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer(R"(Prints each form of the class and where it comes from: cgroup:PAGE:REGION (a Chinese
Wikipedia conversion group), opencc:DICTIONARY:REGION, or user:FILE:LINE. A text that is not one
form lists the class of each form found in it, as `search` expands it.

Examples:
  newsidx variants 川普
  newsidx variants 特朗普政府 --format json

Exit status: 0 a class found, 1 none, 2 usage error.)");
  cmd->callback([&ctx, args] {
    Result<std::shared_ptr<const VariantTable>> table = load_variants(args->file);
    if (failed(ctx, table)) return;
    const VariantTable& t = **table;
    const std::string folded = fold(args->word);
    std::vector<VariantMatch> matches;
    if (std::optional<uint32_t> c = t.find_class(folded)) {
      matches.push_back({0, folded.size(), *c});
    } else {
      matches = t.find_longest(folded);
    }
    nlohmann::json classes = nlohmann::json::array();
    std::string text;
    for (const VariantMatch& m : matches) {
      const std::string form = folded.substr(m.begin, m.end - m.begin);
      nlohmann::json forms = nlohmann::json::array();
      text += fmt::format("{} (class {}):\n", form, m.class_id);
      for (const VariantForm& f : t.forms(m.class_id)) {
        std::vector<std::string> sources;
        std::istringstream items{std::string(f.sources)};
        for (std::string s; items >> s;) sources.push_back(s);
        forms.push_back({{"form", f.text}, {"sources", sources}});
        text += fmt::format("  {}  {}\n", f.text, f.sources);
      }
      classes.push_back({{"form", form}, {"class", m.class_id}, {"forms", std::move(forms)}});
    }
    if (args->format == "json") {
      fmt::print("{}\n", nlohmann::json{{"word", args->word}, {"folded", folded}, {"classes", classes}}.dump(
                             -1, ' ', false, nlohmann::json::error_handler_t::replace));
    } else if (matches.empty()) {
      print_clean(fmt::format("{}: in no class", folded));
    } else {
      print_clean(text.substr(0, text.size() - 1), stdout);
    }
    ctx.exit_code = static_cast<int>(matches.empty() ? ExitCode::no_results : ExitCode::ok);
  });
}

}  // namespace newsidx::cli
