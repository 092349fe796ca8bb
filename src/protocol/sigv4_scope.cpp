#include "protocol/sigv4_scope.hpp"

#include <cctype>
#include <vector>

namespace ecsbox::protocol {

namespace {

// Region and service names go into ARNs and the store: only the characters AWS uses. Service
// names may also have a dot: some clients sign with the endpoint prefix ("api.ecr").
bool is_name(std::string_view s, bool allow_dot) {
    if (s.empty() || s.size() > 64) return false;
    for (const char c : s)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-' ||
              (allow_dot && c == '.')))
            return false;
    return true;
}

}  // namespace

std::optional<CredentialScope> parse_credential_scope(std::string_view authorization) {
    constexpr std::string_view k_algorithm = "AWS4-HMAC-SHA256";
    constexpr std::string_view k_credential = "Credential=";
    if (authorization.substr(0, k_algorithm.size()) != k_algorithm) return std::nullopt;
    const auto start = authorization.find(k_credential);
    if (start == std::string_view::npos) return std::nullopt;
    auto value = authorization.substr(start + k_credential.size());
    value = value.substr(0, value.find_first_of(", "));

    std::vector<std::string_view> parts;
    for (std::size_t pos = 0;;) {
        const auto slash = value.find('/', pos);
        parts.push_back(value.substr(pos, slash == std::string_view::npos ? slash : slash - pos));
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    if (parts.size() != 5 || parts[4] != "aws4_request" || !is_name(parts[2], false) || !is_name(parts[3], true))
        return std::nullopt;
    return CredentialScope{std::string(parts[0]), std::string(parts[2]), std::string(parts[3])};
}

}  // namespace ecsbox::protocol
