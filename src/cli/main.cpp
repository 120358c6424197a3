// main.cpp — newsidx entry point: global options, subcommand dispatch, exit codes.
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include <fmt/format.h>

#include "commands.hpp"
#include "newsidx/index.hpp"
#include "newsidx/text.hpp"

namespace newsidx::cli {

Result<std::string> Context::db_path() const {
  if (dbs.empty()) return default_db_path();
  if (dbs.size() > 1 || dbs[0].starts_with("tcp://")) {
    return Error{ExitCode::usage, "index writes one local database: give one --db folder", ""};
  }
  return dbs[0];
}

std::vector<std::string> Context::search_dbs() const {
  return dbs.empty() ? std::vector<std::string>{default_db_path()} : dbs;
}

void print_clean(std::string_view text, std::FILE* to) {
  std::string out;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    out += printable(text.substr(0, nl));
    out += '\n';
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
  fmt::print(to, "{}", out);
}

Result<int64_t> now_ms() {
  const char* env = std::getenv("NEWSIDX_NOW_MS");
  if (env == nullptr || *env == '\0') {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  int64_t ms = 0;
  const char* end = env + std::strlen(env);
  if (const auto [p, ec] = std::from_chars(env, end, ms); ec != std::errc() || p != end) {
    return Error{ExitCode::usage, fmt::format("NEWSIDX_NOW_MS: not a time in epoch ms: '{}'", env), ""};
  }
  return ms;
}

int report(const Error& e) {
  print_clean("newsidx: " + e.message);
  if (!e.hint.empty()) print_clean("hint: " + e.hint);
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
      "5 database invalid, 6 some files failed, 7 input path unreadable, 8 remote shard unavailable,\n"
      "70 internal error, 74 database write failed (disk full), 130 interrupted.");
  cli::Context ctx;
  app.add_option("--db", ctx.dbs,
                 "Database folder, or tcp://HOST:PORT of an xapian-tcpsrv; repeat to search several as one "
                 "(default: $NEWSIDX_DB or ~/.local/share/newsidx)");
  app.add_flag("--allow-partial", ctx.open.allow_partial,
               "Search the shards that answer when a remote shard is down (with a warning) instead of failing");
  app.add_option("--remote-timeout", ctx.open.remote_timeout_ms, "Connect and reply timeout of remote shards, in ms")
      ->capture_default_str();
  cli::add_index_command(app, ctx);
  cli::add_search_command(app, ctx);
  cli::add_show_command(app, ctx);
  cli::add_similar_command(app, ctx);
  cli::add_stats_command(app, ctx);
  cli::add_compact_command(app, ctx);
  cli::add_variants_command(app, ctx);
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
