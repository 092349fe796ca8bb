#include "registry/tag_mutability.hpp"

#include <catch2/catch.hpp>

using ecsbox::registry::tag_is_immutable;

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
