#include "registry/auth_token.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <vector>

#include "util/base64.hpp"
#include "util/sha256.hpp"

namespace ecsbox::registry {

namespace {

// Bumped if the payload layout ever changes, so old tokens are refused rather than misread.
constexpr std::string_view k_version = "1";

std::string signature(const std::string& secret, std::string_view payload) {
    return util::to_hex(util::hmac_sha256(secret, payload));
}

// Compares without an early exit, so timing does not tell how much of a forgery was right.
bool same(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t pos = 0;;) {
        const auto next = text.find(separator, pos);
        parts.push_back(text.substr(pos, next == std::string_view::npos ? next : next - pos));
        if (next == std::string_view::npos) return parts;
        pos = next + 1;
    }
}

}  // namespace

// Token: base64("1|account|region|expiry in ms") "." hex(HMAC-SHA256(secret, that base64 text)).
// Standard base64 and hex have neither ':' nor whitespace; '.' appears in neither.
std::string AuthTokens::mint(const std::string& account, const std::string& region, double expires_at) const {
    const auto expires_ms = static_cast<std::int64_t>(std::llround(expires_at * 1000.0));
    const auto payload = util::base64_encode(std::string(k_version) + "|" + account + "|" + region + "|" +
                                             std::to_string(expires_ms));
    return payload + "." + signature(m_secret, payload);
}

std::optional<TokenScope> AuthTokens::verify(std::string_view token, double now) const {
    const auto dot = token.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto payload = token.substr(0, dot);
    if (!same(token.substr(dot + 1), signature(m_secret, payload))) return std::nullopt;

    const auto decoded = util::base64_decode(payload);
    if (!decoded) return std::nullopt;
    const auto fields = split(*decoded, '|');
    if (fields.size() != 4 || fields[0] != k_version || fields[1].empty() || fields[2].empty()) return std::nullopt;
    std::int64_t expires_ms = 0;
    const auto [end, ec] = std::from_chars(fields[3].data(), fields[3].data() + fields[3].size(), expires_ms);
    if (ec != std::errc() || end != fields[3].data() + fields[3].size()) return std::nullopt;
    if (static_cast<double>(expires_ms) <= now * 1000.0) return std::nullopt;
    return TokenScope{std::string(fields[1]), std::string(fields[2])};
}

}  // namespace ecsbox::registry
