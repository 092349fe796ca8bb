#include "protocol/form.hpp"

#include "util/percent_encoding.hpp"

namespace ecsbox::protocol {

std::optional<std::map<std::string, std::string>> parse_form(std::string_view body) {
    std::map<std::string, std::string> params;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const auto pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = util::percent_decode(pair.substr(0, eq));
        auto value = util::percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        params.insert_or_assign(std::move(*name), std::move(*value));
    }
    return params;
}

}  // namespace ecsbox::protocol
