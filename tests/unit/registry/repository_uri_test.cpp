#include "registry/repository_uri.hpp"

#include <catch2/catch.hpp>

using ecsbox::registry::resolve_registry_image;
using ecsbox::store::Scope;

namespace {
const Scope k_task_scope{"000000000000", "eu-west-1"};
}

TEST_CASE("ECR image URIs point at ecsbox's registry in the account and region they name", "[registry][repository_uri]") {
    const auto image = resolve_registry_image("123456789012.dkr.ecr.us-east-2.amazonaws.com/team/web:1.2",
                                              "localhost:4566", k_task_scope);
    REQUIRE(image);
    CHECK(image->reference == "localhost:4566/team/web:1.2");
    CHECK(image->scope.account == "123456789012");
    CHECK(image->scope.region == "us-east-2");
    const auto pinned = resolve_registry_image("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web@sha256:abc",
                                               "localhost:4566", k_task_scope);
    REQUIRE(pinned);
    CHECK(pinned->reference == "localhost:4566/web@sha256:abc");
}

TEST_CASE("repositoryUris of ecsbox itself belong to the task's account and region", "[registry][repository_uri]") {
    const auto image = resolve_registry_image("localhost:4566/web:latest", "localhost:4566", k_task_scope);
    REQUIRE(image);
    CHECK(image->reference == "localhost:4566/web:latest");
    CHECK(image->scope.region == "eu-west-1");
}

TEST_CASE("other registries' images are left alone", "[registry][repository_uri]") {
    for (const char* other : {"nginx:1", "library/nginx", "ghcr.io/org/app:1", "localhost:5000/web",
                              "12345.dkr.ecr.us-east-1.amazonaws.com/short-account",
                              "123456789012.dkr.ecr.us-east-1.example.com/web", "localhost:4566/"})
        CHECK_FALSE(resolve_registry_image(other, "localhost:4566", k_task_scope));
}
