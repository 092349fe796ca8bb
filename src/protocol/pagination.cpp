#include "protocol/pagination.hpp"

#include "protocol/aws_error.hpp"
#include "util/base64.hpp"

namespace ecsbox::protocol {

namespace {
constexpr std::string_view k_token_prefix = "ecsbox:1:";
}

PageRequest read_page_request(const nlohmann::json& request, PageLimits limits, const std::string& error_code,
                              const PageParameters& names) {
    PageRequest page{limits.default_size, std::nullopt};
    if (const auto it = request.find(names.size); it != request.end() && !it->is_null()) {
        const auto value = it->get<std::int64_t>();
        if (value < 1 || value > static_cast<std::int64_t>(limits.max_size))
            throw AwsError(error_code, names.size + " must be between 1 and " + std::to_string(limits.max_size) + ".");
        page.limit = static_cast<std::size_t>(value);
    }
    if (const auto it = request.find(names.token); it != request.end() && !it->is_null()) {
        const auto decoded = util::base64_decode(it->get<std::string>());
        if (!decoded || decoded->compare(0, k_token_prefix.size(), k_token_prefix) != 0)
            throw AwsError(error_code, "Invalid " + names.token + ".");
        auto key = nlohmann::json::parse(decoded->substr(k_token_prefix.size()), nullptr, false);
        if (key.is_discarded()) throw AwsError(error_code, "Invalid " + names.token + ".");
        page.after = std::move(key);
    }
    return page;
}

std::string encode_page_token(const nlohmann::json& sort_key) {
    return util::base64_encode(std::string(k_token_prefix) + sort_key.dump());
}

}  // namespace ecsbox::protocol
