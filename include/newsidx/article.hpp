// article.hpp — the feed-exported article format: parse one file into an Article.
//
// Format (see ../shared/corpus/README.md and docs/architecture.md):
//   <!--EPOCH_MS-->        12 or 13 digits, or NaN
//   [TITLE](URL)           split at the last "](", may span several lines
//   ------
//   (empty line)
//   BODY                   one line of HTML (or <div>/content/</div> lines)
// Variants also accepted: a Jekyll front-matter block before the header; China Digital
// Times files with no timestamp line and a `日期：<RFC 2822 date>` line after `------`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "newsidx/error.hpp"

namespace newsidx {

/// One parsed article. All strings are UTF-8.
struct Article {
  std::string path;    ///< path as given by the caller (never parsed for metadata)
  std::string url;     ///< link target from the header line
  std::string title;   ///< entity-decoded, trimmed; newlines folded to spaces
  std::optional<int64_t> published_ms;  ///< publish time, epoch milliseconds UTC; empty if unknown
  std::string source;  ///< lower-case host of url ("www.voachinese.com"); empty if url has none
  std::string author;  ///< author named in the body (NYT <address>, 2020 NYT <i>AUTHOR<br>date</i>)
  std::string text;    ///< visible body text: paragraphs separated by '\n', feedx footer removed
  std::string html;    ///< raw body HTML as found in the file (footer included)
};

/// Parses the bytes of one article file. `path` is only copied into Article::path.
/// Lines split on '\n' only; a '\r' before it is tolerated on header lines (CRLF checkouts).
/// A `<!--NaN-->` (or otherwise non-numeric) timestamp leaves published_ms to the front-matter
/// `date:`, else empty; the front-matter `title:` is used only when the link title is empty.
/// Errors (ExitCode::some_failed) carry a one-line reason without the path: "empty file",
/// k_reason_no_header (no `[` line followed by a `------` line: not an article), or
/// "malformed link line (expected [title](url) before ------)" (a damaged header).
Result<Article> parse_article(std::string_view bytes, std::string_view path);

/// Reason given by parse_article for files that are not articles at all (no header); the
/// indexer counts these as skipped, not failed.
inline constexpr std::string_view k_reason_no_header = "no article header (expected [title](url) and a ------ line)";

/// True if `e` says the file is not an article (as opposed to a damaged one).
inline bool is_not_article(const Error& e) { return e.message == k_reason_no_header; }

/// Extracts the host part of a URL, lower-cased, without port or user info.
/// Returns "" when the URL has no "scheme://host" part.
std::string url_host(std::string_view url);

/// Parses an RFC 2822 date ("Sat, 27 Jun 2020 13:30:55 +0000") into epoch milliseconds UTC.
std::optional<int64_t> parse_rfc2822_ms(std::string_view s);

/// Parses an ISO 8601 date-time ("2020-10-14T04:56:40.000Z", "2020-10-14 04:56:40") into
/// epoch milliseconds UTC; a missing zone means UTC.
std::optional<int64_t> parse_iso8601_ms(std::string_view s);

}  // namespace newsidx
