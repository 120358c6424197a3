// article.hpp — the feed-exported article format: parse one file into an Article.
//
// Format (see ../shared/corpus/README.md and docs/architecture.md):
//   <!--EPOCH_MS-->        12 or 13 digits, or NaN
//   [TITLE](URL)           split at the last "](", may span several lines
//   ------
//   (empty line)
//   BODY                   one line of HTML (or <div>/content/</div> lines)
// Variants also accepted: a Jekyll front-matter block before the header; China Digital
// Times files with no timestamp line and a `日期：<RFC 2822 date>` line after `------`; and
// front-matter posts (nei.st pages of NodeBE4 archives) whose only header is the front matter
// (`title:`, `date:`, `author:`, `from:` URL), then a scraped HTML page.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "newsidx/error.hpp"

namespace newsidx {

/// One parsed article. All strings are UTF-8.
struct Article {
  std::string path;                     ///< path as given by the caller (never parsed for metadata)
  std::string url;                      ///< link target from the header line
  std::string title;                    ///< entity-decoded, trimmed; newlines folded to spaces
  std::optional<int64_t> published_ms;  ///< publish time, epoch milliseconds UTC; empty if unknown
  std::string source;                   ///< lower-case host of url ("www.voachinese.com"); empty if url has none
  std::string author;                   ///< author named in the body (NYT <address>, 2020 NYT <i>AUTHOR<br>date</i>);
                                        ///< else the front matter's `author:` (a site, or a video's channel)
  std::string text;                     ///< visible body text: paragraphs separated by '\n', feed footers removed
  std::string html;                     ///< raw body HTML as found in the file (footer included)
};

/// Parses the bytes of one article file. `path` is only copied into Article::path.
/// Lines split on '\n' only; a '\r' before it is tolerated on header lines (CRLF checkouts).
/// A `<!--NaN-->` timestamp (or one outside the years 0001-9999, or a comment that holds no
/// number before a link header) leaves published_ms to the front-matter `date:`, else empty;
/// another HTML comment that holds no number is no timestamp line.
/// The front-matter `title:` is used only when the link title is empty. Titles are
/// entity-decoded with decode_double_escaped.
/// A front-matter post (no link header, a `from:` URL of the form scheme://host) takes its
/// title, publish time (`date:`, ISO 8601), URL and source from the front matter and its text
/// from the page with html_to_text(…, HtmlSource::scraped_page).
/// The body's text loses its feed footers: feedx's (from `获取更多RSS` to the end), the Better
/// Feed plugin's (`© AUTHOR for SITE, YEAR. | Permalink | N comments | Add to del.icio.us`,
/// `Post tags: …`, `Feed enhanced by Better Feed from Ozh`: cut, the tag names kept as a last
/// paragraph) and WordPress's last `The post TITLE appeared first on SITE.` paragraph.
/// Errors (ExitCode::some_failed) carry a one-line reason without the path: "empty file",
/// one of k_not_article_reasons (not an article: skipped), or a damaged header
/// ("malformed link line (expected [title](url) before ------)", "truncated …").
Result<Article> parse_article(std::string_view bytes, std::string_view path);

/// Reasons given by parse_article for files that are not articles at all; the indexer counts
/// these as skipped, not failed.
/// No link header and no front matter (README, LICENSE, notes, HTML templates).
inline constexpr std::string_view k_reason_no_header =
    "no article header (neither [title](url) and a ------ line, nor front matter with a from: URL)";
/// No link header, and the text looks like a JSON value or JSON Lines ('{' then '"', or '[' then
/// the start of a value; '}' or ']' at the end): manifests, package.json, search indexes.
inline constexpr std::string_view k_reason_json = "JSON data, not an article";
/// Front matter without a `from:` URL and no link header: a site page (about, lists, 404).
inline constexpr std::string_view k_reason_no_url = "site page, not an article: front matter has no from: URL";
/// A front-matter post whose page has no text once its chrome is dropped.
inline constexpr std::string_view k_reason_no_body = "front matter with no body text";
inline constexpr std::array<std::string_view, 4> k_not_article_reasons = {k_reason_no_header, k_reason_json,
                                                                          k_reason_no_url, k_reason_no_body};

/// True if `e` says the file is not an article (as opposed to a damaged one).
inline bool is_not_article(const Error& e) {
  return std::find(k_not_article_reasons.begin(), k_not_article_reasons.end(), e.message) !=
         k_not_article_reasons.end();
}

/// Extracts the host part of a URL, lower-cased, without port or user info.
/// Returns "" when the URL has no "scheme://host" part.
std::string url_host(std::string_view url);

/// Parses an RFC 2822 date ("Sat, 27 Jun 2020 13:30:55 +0000") into epoch milliseconds UTC.
std::optional<int64_t> parse_rfc2822_ms(std::string_view s);

/// Parses an ISO 8601 date-time ("2020-10-14T04:56:40.000Z", "2020-10-14 04:56:40") into
/// epoch milliseconds UTC; a missing zone means UTC.
std::optional<int64_t> parse_iso8601_ms(std::string_view s);

}  // namespace newsidx
