#pragma once
// application/x-www-form-urlencoded bodies, as the AWS query protocol sends its parameters.
// Pure functions.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::protocol {

// Name -> value, names and values percent-decoded and '+' read as a space; a later repeat of a
// name wins. nullopt when an escape is malformed or a name or value is not UTF-8.
std::optional<std::map<std::string, std::string>> parse_form(std::string_view body);

}  // namespace ecsbox::protocol
