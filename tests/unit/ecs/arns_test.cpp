#include <catch2/catch.hpp>

#include "ecs/arns.hpp"

using namespace ecsbox::ecs;

namespace {
const ecsbox::store::Scope k_scope{"123456789012", "us-east-1"};
}

TEST_CASE("ECS ARNs split into region, account, type and id", "[ecs][arns]") {
    const auto arn = parse_ecs_arn("arn:aws:ecs:us-east-1:123456789012:service/cluster/web");
    REQUIRE(arn);
    CHECK(arn->region == "us-east-1");
    CHECK(arn->account == "123456789012");
    CHECK(arn->resource_type == "service");
    CHECK(arn->resource_id == "cluster/web");
    CHECK_FALSE(parse_ecs_arn("arn:aws:s3:::bucket"));
    CHECK_FALSE(parse_ecs_arn("arn:aws:ecs:us-east-1:123456789012:cluster"));
    CHECK_FALSE(parse_ecs_arn("arn:aws:ecs:us-east-1:123456789012:cluster/"));
}

TEST_CASE("a cluster is named by name or by an ARN of this account and region", "[ecs][arns]") {
    CHECK(cluster_name_from(k_scope, "web") == "web");
    CHECK(cluster_name_from(k_scope, cluster_arn(k_scope, "web")) == "web");
    CHECK_FALSE(cluster_name_from(k_scope, "arn:aws:ecs:us-west-2:123456789012:cluster/web"));
    CHECK_FALSE(cluster_name_from(k_scope, "arn:aws:ecs:us-east-1:123456789012:service/web"));
    CHECK_FALSE(cluster_name_from(k_scope, "we b"));
}

TEST_CASE("task definitions are named by family, family:revision or ARN", "[ecs][arns]") {
    const auto bare = parse_task_definition_ref(k_scope, "web");
    REQUIRE(bare);
    CHECK(bare->family == "web");
    CHECK_FALSE(bare->revision);
    CHECK(parse_task_definition_ref(k_scope, "web:12")->revision == 12);
    const auto by_arn = parse_task_definition_ref(k_scope, task_definition_arn(k_scope, "web", 3));
    REQUIRE(by_arn);
    CHECK(by_arn->family == "web");
    CHECK(by_arn->revision == 3);
    for (const char* bad : {"web:", "web:0", "web:-1", "web:1x", ":1", "a b:1",
                            "arn:aws:ecs:us-east-1:123456789012:task-definition/web",
                            "arn:aws:ecs:us-east-1:999999999999:task-definition/web:1"}) {
        INFO(bad);
        CHECK_FALSE(parse_task_definition_ref(k_scope, bad));
    }
}
