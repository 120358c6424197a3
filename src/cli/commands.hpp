// commands.hpp — the subcommands of the newsidx executable (one file each).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "newsidx/error.hpp"

namespace newsidx::cli {

/// Options shared by all subcommands, and the exit code the chosen one sets.
struct Context {
  std::string db;  ///< --db; empty = default_db_path()
  int exit_code = 0;
  [[nodiscard]] std::string db_path() const;
};

/// Prints "newsidx: MESSAGE" (and "hint: HINT") on stderr; returns the exit code.
int report(const Error& e);

void add_index_command(CLI::App& app, Context& ctx);
void add_search_command(CLI::App& app, Context& ctx);

}  // namespace newsidx::cli
