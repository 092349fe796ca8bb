#include <catch2/catch.hpp>

#include "ecr/auth.hpp"
#include "support/service_harness.hpp"
#include "util/base64.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
// The password part of an authorizationToken ("AWS:<password>", base64).
std::string password_of(const json& data) {
    const auto decoded = ecsbox::util::base64_decode(data["authorizationToken"].get<std::string>());
    REQUIRE(decoded);
    REQUIRE(decoded->rfind("AWS:", 0) == 0);
    return decoded->substr(4);
}
}  // namespace

TEST_CASE("GetAuthorizationToken answers a docker login for the caller's registry, valid 12 hours",
          "[ecr][auth]") {
    ServiceHarness ecr{"ecr"};
    const auto out = ecr.ok("GetAuthorizationToken", json::object(), "eu-west-1");
    REQUIRE(out["authorizationData"].size() == 1);
    const auto& data = out["authorizationData"][0];
    CHECK(data["expiresAt"] == ecr.clock().now() + 12 * 3600);
    CHECK(data["proxyEndpoint"] == "http://localhost:4566");
    const auto scope = ecr.tokens().verify(password_of(data), ecr.clock().now());
    REQUIRE(scope);
    CHECK(scope->account == "123456789012");
    CHECK(scope->region == "eu-west-1");
    CHECK_FALSE(ecr.tokens().verify(password_of(data), ecr.clock().now() + 12 * 3600));
}

TEST_CASE("GetAuthorizationToken takes the caller's own registry id, and no other", "[ecr][auth]") {
    ServiceHarness ecr{"ecr"};
    CHECK(ecr.ok("GetAuthorizationToken", {{"registryIds", {"123456789012"}}})["authorizationData"].size() == 1);
    const auto other = ecr.call("GetAuthorizationToken", {{"registryIds", {"123456789012", "999999999999"}}});
    CHECK(other.error_code() == "InvalidParameterException");
    CHECK_THAT(other.message(), Catch::Contains("999999999999"));
    CHECK(ecr.call("GetAuthorizationToken", {{"registryIds", json::array()}}).error_code() ==
          "InvalidParameterException");
}

TEST_CASE("an authorization token stays valid across a restart", "[ecr][auth]") {
    ServiceHarness ecr{"ecr"};
    const auto data = ecr.ok("GetAuthorizationToken")["authorizationData"][0];
    ecr.reopen();
    CHECK(ecr.tokens().verify(password_of(data), ecr.clock().now()));
}
