// output.hpp — every search output format behind one printer interface.
//
// JSON shape (format version k_json_format_version), one object per hit:
//   {"rank": 1, "score": 12.3, "path": "...", "url": "...", "title": "...",
//    "date": "2024-05-17T15:59:03Z" | null, "source": "www.voachinese.com", "author": "...",
//    "snippet": "...", "highlights": [[start, end], ...], "duplicates": ["other/path.md", ...]}
// highlights are [start, end) offsets in Unicode code points of "snippet"; duplicates are the
// other files with the same URL (the indexed copy is "path").
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "newsidx/search.hpp"

namespace newsidx {

inline constexpr int k_json_format_version = 1;

enum class OutputFormat : uint8_t { text, jsonl };

struct OutputOptions {
  bool color = false;  ///< ANSI colour and bold (text format only)
};

/// Receives the results of one search, in rank order.
class ResultPrinter {
 public:
  virtual ~ResultPrinter() = default;
  virtual void hit(const Hit& hit) = 0;
  /// Called once after the last hit.
  virtual void finish(const SearchResults& results) { (void)results; }
};

std::unique_ptr<ResultPrinter> make_printer(OutputFormat format, std::FILE* out, const OutputOptions& options);

/// "2024-05-17T15:59:03Z" (UTC, second precision), or "" when unknown.
std::string iso8601_utc(std::optional<int64_t> ms);

/// The JSON object of one hit (shape above).
nlohmann::json hit_to_json(const Hit& hit);

}  // namespace newsidx
