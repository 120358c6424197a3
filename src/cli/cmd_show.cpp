// cmd_show.cpp — `newsidx show ID|PATH|URL`
#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/article.hpp"
#include "newsidx/text.hpp"

namespace newsidx::cli {
namespace {

struct ShowArgs {
  std::string ref;
  std::string format = "text";
  bool html = false;
};

/// The original body HTML, read again from the indexed file.
Result<std::string> original_html(const StoredArticle& a) {
  std::ifstream in(a.path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (!in) {
    return Error{ExitCode::io_error, fmt::format("{}: cannot read the article file", a.path),
                 "--html reads the original file; it has moved or gone since indexing"};
  }
  Result<DecodedText> text = to_utf8(bytes.str());
  if (!text) return Error{ExitCode::io_error, fmt::format("{}: {}", a.path, text.error().message), ""};
  Result<Article> article = parse_article(text->text, a.path);
  if (!article) return Error{ExitCode::io_error, fmt::format("{}: {}", a.path, article.error().message), ""};
  return article->html;
}

}  // namespace

void add_show_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<ShowArgs>();
  CLI::App* cmd = app.add_subcommand("show", "Print one article as clean text, JSON or its original HTML");
  cmd->add_option("article", args->ref, "Document id (from --format json), URL, or file path")->required();
  cmd->add_option("-f,--format", args->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--html", args->html,
                "Print the original body HTML (read again from the file; control characters escaped)");
  cmd->footer(
      "Examples:\n"
      "  newsidx show https://www.voachinese.com/a/7616035.html\n"
      "  newsidx show 1234 --format json | jq -r .text\n"
      "  newsidx search 普京 --format paths | head -1 | xargs -d '\\n' newsidx show\n");
  cmd->callback([&ctx, args] {
    std::optional<Searcher> searcher = open_searcher(ctx);
    if (!searcher) return;
    Result<Xapian::docid> docid = searcher->resolve(args->ref);
    if (failed(ctx, docid)) return;
    Result<StoredArticle> a = searcher->article(*docid);
    if (failed(ctx, a)) return;
    if (args->html) {
      Result<std::string> html = original_html(*a);
      if (failed(ctx, html)) return;
      print_clean(*html, stdout);  // line by line: the HTML's own newlines are kept
      return;
    }
    print_article(stdout, *docid, *a, args->format == "json");
  });
}

}  // namespace newsidx::cli
