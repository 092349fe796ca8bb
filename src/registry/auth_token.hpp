#pragma once
// Registry credentials: the password `docker login` gets from GetAuthorizationToken and sends
// back to /v2/ as HTTP Basic auth (user "AWS"). A token names the account and region whose
// repositories it opens and when it expires, signed with HMAC-SHA256 under a per-data-directory
// secret, so nothing needs to be stored per token and tokens survive restarts. Immutable after
// construction, so one object serves every thread. Knows nothing of ECR's API.
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::registry {

struct TokenScope {
    std::string account;
    std::string region;
};

class AuthTokens {
public:
    explicit AuthTokens(std::string secret) : m_secret(std::move(secret)) {}

    // A token for the scope, valid until `expires_at` (epoch seconds). The text has no
    // whitespace and no ':', so it passes as a Basic-auth password.
    std::string mint(const std::string& account, const std::string& region, double expires_at) const;
    // The scope of a token this secret signed and that has not expired at `now`; nullopt for
    // anything else (malformed, forged, expired).
    std::optional<TokenScope> verify(std::string_view token, double now) const;

private:
    std::string m_secret;
};

}  // namespace ecsbox::registry
