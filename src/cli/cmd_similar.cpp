// cmd_similar.cpp — `newsidx similar ID|PATH|URL`
#include "commands.hpp"

namespace newsidx::cli {
namespace {

struct SimilarArgs {
  std::string ref;
  ListArgs list;
};

}  // namespace

void add_similar_command(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SimilarArgs>();
  CLI::App* cmd = app.add_subcommand("similar", "List articles related to one article (\"more like this\")");
  cmd->add_option("article", args->ref, "Document id, URL, or file path")->required();
  add_list_options(cmd, args->list);
  cmd->footer(
      "The article's most distinctive words (ICU words and English words, weighted by Xapian's\n"
      "expansion) are OR-ed into a query; the article itself is left out.\n"
      "Examples:\n"
      "  newsidx similar https://cn.nytimes.com/world/20240517/putin-xi-china-russia/\n"
      "  newsidx similar 1234 --since 2020-07 --format jsonl\n");
  cmd->callback([&ctx, args] {
    Result<SearchOptions> options = search_options(args->list);
    if (failed(ctx, options)) return;
    std::optional<Searcher> searcher = open_searcher(ctx);
    if (!searcher) return;
    Result<Xapian::docid> docid = searcher->resolve(args->ref);
    if (failed(ctx, docid)) return;
    Result<SearchResults> results = searcher->similar(*docid, *options);
    if (failed(ctx, results)) return;
    ctx.exit_code = print_results(*results, args->list);
  });
}

}  // namespace newsidx::cli
