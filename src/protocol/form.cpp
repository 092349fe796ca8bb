#include "protocol/form.hpp"

#include "util/percent_encoding.hpp"
#include "util/utf8.hpp"

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
        // Every parameter becomes a JSON string, which must be UTF-8.
        if (!name || !value || !util::is_utf8(*name) || !util::is_utf8(*value)) return std::nullopt;
        params.insert_or_assign(std::move(*name), std::move(*value));
    }
    return params;
}

}  // namespace ecsbox::protocol
