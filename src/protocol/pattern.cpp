#include "protocol/pattern.hpp"

#include <string_view>

namespace ecsbox::protocol {

namespace {

// Bracket-expression contents standing in for Unicode property classes.
std::string_view unicode_class(std::string_view name) {
    if (name == "L") return "a-zA-Z\\x80-\\xff";
    if (name == "N") return "0-9\\x80-\\xff";
    if (name == "Z") return " \\x80-\\xff";
    return {};
}

}  // namespace

std::regex compile_model_pattern(const std::string& pattern) {
    std::string translated;
    bool in_brackets = false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
            if (pattern[i + 1] == 'p' && i + 3 < pattern.size() && pattern[i + 2] == '{') {
                const auto close = pattern.find('}', i + 3);
                const auto cls = close == std::string::npos ? std::string_view() : unicode_class(std::string_view(pattern).substr(i + 3, close - i - 3));
                if (cls.empty()) throw std::regex_error(std::regex_constants::error_escape);
                translated += in_brackets ? std::string(cls) : "[" + std::string(cls) + "]";
                i = close;
                continue;
            }
            translated += c;
            translated += pattern[++i];
            continue;
        }
        if (c == '[' && !in_brackets) in_brackets = true;
        else if (c == ']' && in_brackets) in_brackets = false;
        translated += c;
    }
    return std::regex(translated, std::regex::ECMAScript | std::regex::optimize);
}

}  // namespace ecsbox::protocol
