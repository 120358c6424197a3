// file_records.cpp — encoding of per-file indexing state (see file_records.hpp).
#include "file_records.hpp"

#include <filesystem>

#include <fmt/format.h>
#include <xxhash.h>
#include <nlohmann/json.hpp>

#include "json_bytes.hpp"

namespace newsidx {

std::string hash_hex(std::string_view bytes) {
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

std::string record_key(std::string_view abspath) { return std::string(k_record_prefix) + hash_hex(abspath); }

std::string encode_record(const FileRecord& r) {
  static constexpr const char* k_states[] = {"indexed", "skipped", "failed"};
  nlohmann::json j = nlohmann::json::object();
  put_bytes(j, "abspath", r.abspath);  // a file name need not be UTF-8 (json_bytes.hpp)
  j["mtime_ns"] = r.mtime_ns;
  j["size"] = r.size;
  j["hash"] = r.hash;
  j["state"] = k_states[static_cast<int>(r.state)];
  if (r.state == FileState::indexed) {
    j["url"] = r.url;
    j["published"] = r.published_ms ? nlohmann::json(*r.published_ms) : nlohmann::json();
    if (r.version) j["version"] = fmt::format("{:016x}", *r.version);
  } else {
    j["reason"] = r.reason;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<FileRecord> decode_record(const std::string& value) {
  if (value.empty()) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(value);
    FileRecord r;
    r.abspath = get_bytes(j, "abspath");
    r.mtime_ns = j.at("mtime_ns").get<int64_t>();
    r.size = j.at("size").get<int64_t>();
    r.hash = j.at("hash").get<std::string>();
    const std::string state = j.at("state").get<std::string>();
    r.state = state == "indexed" ? FileState::indexed : state == "skipped" ? FileState::skipped : FileState::failed;
    if (r.state == FileState::indexed) {
      r.url = j.at("url").get<std::string>();
      if (const auto& p = j.at("published"); !p.is_null()) r.published_ms = p.get<int64_t>();
      if (const auto v = j.find("version"); v != j.end()) r.version = std::stoull(v->get<std::string>(), nullptr, 16);
    } else {
      r.reason = j.value("reason", "");
    }
    return r;
  } catch (const std::exception&) {  // nlohmann's, or a malformed version
    return std::nullopt;
  }
}

std::string absolute_normal(const std::string& path) {
  std::error_code ec;
  std::filesystem::path a = std::filesystem::absolute(path, ec).lexically_normal();
  if (a.has_relative_path() && a.filename().empty()) a = a.parent_path();  // drop a trailing '/'
  return a.string();
}

}  // namespace newsidx
