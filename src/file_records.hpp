// file_records.hpp — per-file indexing state, kept in the database's metadata (internal).
//
//   newsidx.file.<XXH3-128 hex of abspath> → {"abspath","mtime_ns","size","hash","state",
//                                             "url","published","version" | "reason"}
// with "abspath_bytes" after "abspath" when the path is not UTF-8 (json_bytes.hpp).
// Written by the indexer in the same commit as the documents; read by the indexer (change
// detection, deletion sweep) and by `show`/`similar` (finding an article by file path).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace newsidx {

inline constexpr std::string_view k_record_prefix = "newsidx.file.";

enum class FileState : uint8_t { indexed, skipped, failed };

struct FileRecord {
  std::string abspath;
  int64_t mtime_ns = 0;
  int64_t size = 0;
  std::string hash;  ///< XXH3-128 of the content, 32 hex digits
  FileState state = FileState::failed;
  std::string url;  ///< when indexed
  std::optional<int64_t> published_ms;
  std::optional<uint64_t> version;  ///< when indexed: version_hash of its content (schema.hpp)
  std::string reason;               ///< when skipped or failed
};

/// 32 hex digits of the XXH3-128 hash of `bytes`.
std::string hash_hex(std::string_view bytes);

/// The metadata key of the record of the file at `abspath`.
std::string record_key(std::string_view abspath);

std::string encode_record(const FileRecord& r);

/// nullopt for an empty value (no record) or one that does not parse (costs only a re-read).
std::optional<FileRecord> decode_record(const std::string& value);

/// Absolute, lexically normal form of a path, without a trailing '/': a file's identity.
std::string absolute_normal(const std::string& path);

}  // namespace newsidx
