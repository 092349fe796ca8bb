#pragma once
// Guards run before the JSON parser sees a body: a request nested thousands of levels deep is
// refused cheaply instead of building (and recursively destroying) a huge tree.
#include <cstddef>
#include <string_view>

namespace ecsbox::protocol {

constexpr std::size_t k_max_json_depth = 64;

// The deepest nesting of objects and arrays, ignoring brackets inside strings.
std::size_t json_nesting_depth(std::string_view text);

}  // namespace ecsbox::protocol
