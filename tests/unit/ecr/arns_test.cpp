#include "ecr/arns.hpp"

#include <catch2/catch.hpp>

using namespace ecsbox::ecr;

TEST_CASE("a repository ARN is made and read back", "[ecr][arns]") {
    const auto arn = repository_arn({"123456789012", "eu-west-1"}, "team/app");
    CHECK(arn == "arn:aws:ecr:eu-west-1:123456789012:repository/team/app");
    const auto parsed = parse_repository_arn(arn);
    REQUIRE(parsed);
    CHECK(parsed->scope.account == "123456789012");
    CHECK(parsed->scope.region == "eu-west-1");
    CHECK(parsed->name == "team/app");
}

TEST_CASE("strings that are not repository ARNs are refused", "[ecr][arns]") {
    for (const char* text : {"", "app", "arn:aws:ecs:us-east-1:1:cluster/app", "arn:aws:ecr:us-east-1:1:repository/",
                             "arn:aws:ecr:us-east-1:1:image/app", "arn:aws:ecr::1:repository/app",
                             "arn:aws:ecr:us-east-1::repository/app", "arn:aws:ecr:us-east-1"}) {
        INFO(text);
        CHECK_FALSE(parse_repository_arn(text));
    }
}

TEST_CASE("a repository URI is the registry host and the name", "[ecr][arns]") {
    CHECK(repository_uri("localhost:4566", "team/app") == "localhost:4566/team/app");
}
