#pragma once
// "8000-8010": a port range as ECS writes containerPortRange and hostPortRange. Pure.
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

namespace ecsbox::util {

// nullopt unless both ends are ports (1-65535) and the first is below the second.
inline std::optional<std::pair<int, int>> parse_port_range(std::string_view text) {
    const auto dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    int first = 0, last = 0;
    const auto read = [](std::string_view part, int& out) {
        const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
        return ec == std::errc() && end == part.data() + part.size() && out >= 1 && out <= 65535;
    };
    if (!read(text.substr(0, dash), first) || !read(text.substr(dash + 1), last) || first >= last) return std::nullopt;
    return std::pair{first, last};
}

}  // namespace ecsbox::util
