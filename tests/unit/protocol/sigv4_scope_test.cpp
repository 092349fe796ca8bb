#include <catch2/catch.hpp>

#include "protocol/sigv4_scope.hpp"

using ecsbox::protocol::parse_credential_scope;

TEST_CASE("the credential scope of a SigV4 header gives key, region and service", "[protocol][sigv4]") {
    const auto scope = parse_credential_scope(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-central-1/ecs/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc");
    REQUIRE(scope);
    CHECK(scope->access_key == "AKIDEXAMPLE");
    CHECK(scope->region == "eu-central-1");
    CHECK(scope->service == "ecs");
}

TEST_CASE("headers that are not SigV4, or whose scope is malformed, give nothing", "[protocol][sigv4]") {
    CHECK_FALSE(parse_credential_scope(""));
    CHECK_FALSE(parse_credential_scope("Basic dXNlcjpwYXNz"));
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 SignedHeaders=host"));
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/ecs"));
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101/US EAST/ecs/aws4_request"));
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101/../../ecs/aws4_request"));
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101//ecs/aws4_request"));
}

TEST_CASE("a service signed by its endpoint prefix keeps its dot; a region never has one", "[protocol][sigv4]") {
    const auto scope = parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101/us-west-2/api.ecr/aws4_request");
    REQUIRE(scope);
    CHECK(scope->service == "api.ecr");
    CHECK(scope->region == "us-west-2");
    CHECK_FALSE(parse_credential_scope("AWS4-HMAC-SHA256 Credential=AK/20260101/us.west/ecr/aws4_request"));
}
