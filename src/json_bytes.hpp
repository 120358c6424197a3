// json_bytes.hpp — byte strings that need not be UTF-8 (file names) in JSON, losslessly (internal).
//
// A JSON string holds Unicode text, but a POSIX file name is any bytes but NUL and '/'. So a
// name is stored as two members: KEY holds it as text (JSON dumped with
// error_handler_t::replace shows each invalid UTF-8 sequence as U+FFFD), and, only when the
// name is not valid UTF-8, KEY_bytes holds its exact bytes in base64 (RFC 4648 §4, with
// padding). Readers that know only KEY (older newsidx versions) still get the text. Used for
// the paths in document data, in file records and in JSON output (output.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "newsidx/text.hpp"

namespace newsidx {

/// RFC 4648 §4 base64 (alphabet A–Z a–z 0–9 + /, '=' padding) of `bytes`.
std::string base64_encode(std::string_view bytes);

/// The bytes that `text` encodes, or nullopt when it is not padded RFC 4648 §4 base64.
std::optional<std::string> base64_decode(std::string_view text);

/// The name of the member that holds the bytes of member `key`.
inline std::string bytes_key(std::string_view key) { return std::string(key) + "_bytes"; }

/// Sets j[key] to `bytes`, and j[key + "_bytes"] to their base64 when they are not UTF-8.
template <class Json>
void put_bytes(Json& j, std::string_view key, const std::string& bytes) {
  j[std::string(key)] = bytes;
  if (!is_valid_utf8(bytes)) j[bytes_key(key)] = base64_encode(bytes);
}

/// The bytes put_bytes stored: KEY_bytes decoded when present and valid, else KEY. Throws
/// nlohmann::json::exception when KEY is missing or not a string.
template <class Json>
std::string get_bytes(const Json& j, std::string_view key) {
  if (auto it = j.find(bytes_key(key)); it != j.end() && it->is_string()) {
    if (std::optional<std::string> b = base64_decode(it->template get_ref<const std::string&>())) return *b;
  }
  return j.at(std::string(key)).template get<std::string>();
}

}  // namespace newsidx
