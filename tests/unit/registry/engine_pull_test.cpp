#include "registry/engine_pull.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "util/base64.hpp"

using ecsbox::registry::AuthTokens;
using ecsbox::registry::engine_pull;

namespace {

const ecsbox::store::Scope k_task_scope{"123456789012", "eu-west-1"};

nlohmann::json decode(std::string text) {
    std::replace(text.begin(), text.end(), '-', '+');
    std::replace(text.begin(), text.end(), '_', '/');
    return nlohmann::json::parse(ecsbox::util::base64_decode(text).value());
}

}  // namespace

TEST_CASE("the engine pulls ECR images from ecsbox with a token of the repository's scope", "[registry][engine_pull]") {
    const AuthTokens tokens("secret");
    const auto pull = engine_pull("210987654321.dkr.ecr.us-east-2.amazonaws.com/web:1", "localhost:4566", k_task_scope,
                                  tokens, 1000.0);
    REQUIRE(pull);
    CHECK(pull->reference == "localhost:4566/web:1");
    CHECK(pull->registry_auth.find_first_of("+/") == std::string::npos);
    const auto credentials = decode(pull->registry_auth);
    CHECK(credentials["username"] == "AWS");
    CHECK(credentials["serveraddress"] == "localhost:4566");
    const auto scope = tokens.verify(credentials["password"].get<std::string>(), 1000.0 + 60);
    REQUIRE(scope);
    CHECK(scope->account == "210987654321");
    CHECK(scope->region == "us-east-2");
    CHECK_FALSE(tokens.verify(credentials["password"].get<std::string>(), 1000.0 + 2 * 3600));
}

TEST_CASE("images of the local repository URI open the task's own scope", "[registry][engine_pull]") {
    const AuthTokens tokens("secret");
    const auto pull = engine_pull("localhost:4566/web@sha256:abc", "localhost:4566", k_task_scope, tokens, 0);
    REQUIRE(pull);
    const auto scope = tokens.verify(decode(pull->registry_auth)["password"].get<std::string>(), 1);
    REQUIRE(scope);
    CHECK(scope->account == "123456789012");
    CHECK(scope->region == "eu-west-1");
}

TEST_CASE("images of other registries are pulled as they are named", "[registry][engine_pull]") {
    const AuthTokens tokens("secret");
    CHECK_FALSE(engine_pull("busybox", "localhost:4566", k_task_scope, tokens, 0));
    CHECK_FALSE(engine_pull("ghcr.io/org/app:1", "localhost:4566", k_task_scope, tokens, 0));
}
