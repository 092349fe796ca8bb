#pragma once
// The `pattern` constraint of botocore models: Java regular expressions, matched against the
// whole value. std::regex has no Unicode classes and works on bytes, so \p{L}, \p{N} and \p{Z}
// are widened to admit any non-ASCII byte: a multi-byte UTF-8 character passes them, as a
// letter, digit or space of another script would on AWS. Compiled once, at model load.
#include <regex>
#include <string>

namespace ecsbox::protocol {

// Throws std::regex_error for a pattern std::regex cannot express.
std::regex compile_model_pattern(const std::string& pattern);

// Longer values are not matched: libstdc++'s regex recurses once per repetition and would
// exhaust the stack on a hostile multi-megabyte value. Every patterned shape in the shipped
// models is either length-limited below this or never carries user text that long.
constexpr std::size_t k_max_pattern_input = 4096;

}  // namespace ecsbox::protocol
