// error.hpp — errors as values across module boundaries, and the process exit codes.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace newsidx {

/// Process exit status. Defined here once; docs/newsidx.1 and README.md list the same values.
enum class ExitCode : int {
  ok = 0,             ///< success; for search: at least one result
  no_results = 1,     ///< search ran and matched nothing
  usage = 2,          ///< bad command line or unparsable query
  db_missing = 3,     ///< database does not exist (run `newsidx index` first)
  db_locked = 4,      ///< another `newsidx index` holds the write lock
  db_invalid = 5,     ///< not a newsidx database, corrupt, or built by another schema/tokenizer version
  some_failed = 6,    ///< index finished, but some files could not be read or parsed
  io_error = 7,       ///< an input path does not exist or cannot be read at all
  unavailable = 8,    ///< a remote shard cannot be reached or timed out (see --allow-partial)
  internal = 70,      ///< unexpected internal error (EX_SOFTWARE)
  write_failed = 74,  ///< the database could not be written: disk full, I/O error (EX_IOERR); committed work is kept
  interrupted = 130,  ///< stopped by SIGINT/SIGTERM after committing finished work (128 + SIGINT)
};

/// An error with the exit code it maps to, a one-line message and an optional hint
/// (what the user can do about it).
struct Error {
  ExitCode code = ExitCode::internal;
  std::string message;
  std::string hint;
};

/// Minimal stand-in for C++23 std::expected: either a value or an Error.
template <class T>
class Result {
 public:
  Result(T value) : m_v(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : m_v(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  [[nodiscard]] const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

/// Result for operations that return nothing on success.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Unit{}; }

}  // namespace newsidx
