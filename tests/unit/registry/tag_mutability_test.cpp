#include "registry/tag_mutability.hpp"

#include <catch2/catch.hpp>

using ecsbox::registry::tag_is_immutable;
using ecsbox::registry::wildcard_match;

TEST_CASE("a wildcard filter matches any run of characters at its stars", "[registry][mutability]") {
    CHECK(wildcard_match("latest", "latest"));
    CHECK_FALSE(wildcard_match("latest", "latest2"));
    CHECK(wildcard_match("dev-*", "dev-"));
    CHECK(wildcard_match("dev-*", "dev-123"));
    CHECK_FALSE(wildcard_match("dev-*", "de"));
    CHECK(wildcard_match("*", ""));
    CHECK(wildcard_match("*-rc*", "1.0-rc2"));
    CHECK(wildcard_match("a*b*c", "aXbYbZc"));
    CHECK_FALSE(wildcard_match("a*b*c", "aXbYbZ"));
    CHECK(wildcard_match("**x", "x"));
}

TEST_CASE("tag immutability follows the setting and its exclusion filters", "[registry][mutability]") {
    CHECK_FALSE(tag_is_immutable("MUTABLE", {}, "latest"));
    CHECK(tag_is_immutable("IMMUTABLE", {}, "latest"));
    CHECK_FALSE(tag_is_immutable("IMMUTABLE_WITH_EXCLUSION", {"dev-*", "latest"}, "latest"));
    CHECK_FALSE(tag_is_immutable("IMMUTABLE_WITH_EXCLUSION", {"dev-*", "latest"}, "dev-1"));
    CHECK(tag_is_immutable("IMMUTABLE_WITH_EXCLUSION", {"dev-*", "latest"}, "v1"));
    CHECK(tag_is_immutable("MUTABLE_WITH_EXCLUSION", {"release-*-final"}, "release-1.0-final"));
    CHECK_FALSE(tag_is_immutable("MUTABLE_WITH_EXCLUSION", {"release-*-final"}, "release-1.0"));
}

TEST_CASE("tag immutability is read from a repository's settings", "[registry][mutability]") {
    ecsbox::store::EcrRepositoryRecord repository;
    repository.body = R"({"imageTagMutability":"IMMUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[
        {"filterType":"WILDCARD","filter":"dev-*"}]})";
    CHECK(tag_is_immutable(repository, "v1"));
    CHECK_FALSE(tag_is_immutable(repository, "dev-x"));
    repository.body = "{}";
    CHECK_FALSE(tag_is_immutable(repository, "v1"));
}
