#pragma once
// Percent-decoding as forms and query strings write it (RFC 3986 escapes, '+' for a space). Pure.
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::util {

// nullopt when an escape is cut short or not hexadecimal.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace ecsbox::util
