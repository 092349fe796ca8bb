#pragma once
// Reads the credential scope of a SigV4 Authorization header
// ("AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/ecs/aws4_request, ...").
// Signatures are not verified: ecsbox trusts its local clients. Pure functions.
#include <optional>
#include <string>
#include <string_view>

namespace ecsbox::protocol {

struct CredentialScope {
    std::string access_key;
    std::string region;
    std::string service;
};

// nullopt when the header is absent, not SigV4, or its region or service is malformed.
std::optional<CredentialScope> parse_credential_scope(std::string_view authorization);

}  // namespace ecsbox::protocol
