// main.cpp — newsidx entry point: global options, subcommand dispatch, exit codes.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"

namespace newsidx::cli {

std::string Context::db_path() const { return db.empty() ? default_db_path() : db; }

int report(const Error& e) {
  fmt::print(stderr, "newsidx: {}\n", e.message);
  if (!e.hint.empty()) fmt::print(stderr, "hint: {}\n", e.hint);
  return static_cast<int>(e.code);
}

}  // namespace newsidx::cli

int main(int argc, char** argv) {
  using namespace newsidx;
  CLI::App app{"newsidx: index folders of feed-exported news articles and search them (Chinese and English)",
               "newsidx"};
  app.set_version_flag("--version", std::string("newsidx ") + NEWSIDX_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Database: --db PATH, else $NEWSIDX_DB, else $XDG_DATA_HOME/newsidx, else ~/.local/share/newsidx.\n"
      "Exit status: 0 ok, 1 no results, 2 usage error, 3 database missing, 4 database locked,\n"
      "5 database invalid, 6 some files failed, 7 input path unreadable, 70 internal error, 130 interrupted.");
  cli::Context ctx;
  app.add_option("--db", ctx.db, "Database folder (default: $NEWSIDX_DB or ~/.local/share/newsidx)");
  cli::add_index_command(app, ctx);
  cli::add_search_command(app, ctx);
  cli::add_show_command(app, ctx);
  cli::add_similar_command(app, ctx);
  cli::add_stats_command(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return static_cast<int>(ExitCode::usage);
  } catch (const std::exception& e) {
    return cli::report(Error{ExitCode::internal, fmt::format("internal error: {}", e.what()), ""});
  }
  return ctx.exit_code;
}
