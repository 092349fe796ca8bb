#pragma once
// Standard base64 (RFC 4648, with padding). decode() returns nullopt on malformed input.
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::util {

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ecsbox::util
