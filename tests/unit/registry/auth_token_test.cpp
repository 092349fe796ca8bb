#include "registry/auth_token.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "util/base64.hpp"

using ecsbox::registry::AuthTokens;

namespace {
constexpr double k_now = 1767225600.0;
}

TEST_CASE("a minted token verifies to its scope until it expires", "[registry][auth]") {
    const AuthTokens tokens("secret");
    const auto token = tokens.mint("123456789012", "eu-west-1", k_now + 3600);
    const auto scope = tokens.verify(token, k_now);
    REQUIRE(scope);
    CHECK(scope->account == "123456789012");
    CHECK(scope->region == "eu-west-1");
    CHECK(tokens.verify(token, k_now + 3599.5));
    CHECK_FALSE(tokens.verify(token, k_now + 3600));
    CHECK_FALSE(tokens.verify(token, k_now + 86400));
}

TEST_CASE("a token passes as a Basic-auth password", "[registry][auth]") {
    const auto token = AuthTokens("secret").mint("123456789012", "us-east-1", k_now);
    CHECK(token.find(':') == std::string::npos);
    CHECK(token.find_first_of(" \t\r\n") == std::string::npos);
    CHECK_FALSE(token.empty());
}

TEST_CASE("a token signed under another secret, or altered, does not verify", "[registry][auth]") {
    const AuthTokens tokens("secret");
    const auto token = tokens.mint("123456789012", "us-east-1", k_now + 60);
    CHECK_FALSE(AuthTokens("other secret").verify(token, k_now));

    // Each single-character change anywhere is refused.
    for (std::size_t i = 0; i < token.size(); ++i) {
        auto altered = token;
        altered[i] = altered[i] == 'A' ? 'B' : 'A';
        INFO(i);
        CHECK_FALSE(tokens.verify(altered, k_now));
    }

    // A payload naming another account, re-signed by no one, is refused.
    const auto dot = token.find('.');
    const auto forged = ecsbox::util::base64_encode("1|999999999999|us-east-1|99999999999999") + token.substr(dot);
    CHECK_FALSE(tokens.verify(forged, k_now));
}

TEST_CASE("malformed tokens are refused, not misread", "[registry][auth]") {
    const AuthTokens tokens("secret");
    for (const char* text : {"", ".", "abc", "abc.def", "AWS:abc.def", "....."}) {
        INFO(text);
        CHECK_FALSE(tokens.verify(text, k_now));
    }
}
