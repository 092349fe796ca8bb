#include <catch2/catch.hpp>

#include "ecs/task_definitions.hpp"
#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_cluster = "arn:aws:ecs:us-east-1:123456789012:cluster/tagged";
const std::string k_task_definition = "arn:aws:ecs:us-east-1:123456789012:task-definition/td:1";

void create_resources(ServiceHarness& ecs) {
    ecs.ok("CreateCluster", {{"clusterName", "tagged"}});
    ecs.ok("RegisterTaskDefinition",
           {{"family", "td"}, {"containerDefinitions", {{{"name", "a"}, {"image", "b"}, {"memory", 64}}}}});
}
}  // namespace

TEST_CASE("tags are added, overwritten, listed in order and removed", "[ecs][tags]") {
    ServiceHarness ecs{"ecs"};
    create_resources(ecs);
    for (const auto& arn : {k_cluster, k_task_definition}) {
        INFO(arn);
        ecs.ok("TagResource", {{"resourceArn", arn}, {"tags", {{{"key", "b"}, {"value", "1"}}, {{"key", "a"}, {"value", "2"}}}}});
        ecs.ok("TagResource", {{"resourceArn", arn}, {"tags", {{{"key", "b"}, {"value", "3"}}, {{"key", "c"}, {"value", ""}}}}});
        CHECK(ecs.ok("ListTagsForResource", {{"resourceArn", arn}})["tags"] ==
              json::array({{{"key", "b"}, {"value", "3"}}, {{"key", "a"}, {"value", "2"}}, {{"key", "c"}, {"value", ""}}}));
        ecs.ok("UntagResource", {{"resourceArn", arn}, {"tagKeys", {"b", "not-there"}}});
        CHECK(ecs.ok("ListTagsForResource", {{"resourceArn", arn}})["tags"] ==
              json::array({{{"key", "a"}, {"value", "2"}}, {{"key", "c"}, {"value", ""}}}));
    }
}

TEST_CASE("tags only go on resources that exist", "[ecs][tags]") {
    ServiceHarness ecs{"ecs"};
    create_resources(ecs);
    const json tags = {{{"key", "k"}, {"value", "v"}}};
    CHECK(ecs.call("TagResource", {{"resourceArn", "arn:aws:ecs:us-east-1:123456789012:cluster/none"}, {"tags", tags}})
              .error_code() == "ClusterNotFoundException");
    CHECK(ecs.call("TagResource", {{"resourceArn", "arn:aws:ecs:us-east-1:123456789012:task-definition/td:2"}, {"tags", tags}})
              .error_code() == "ResourceNotFoundException");
    CHECK(ecs.call("ListTagsForResource", {{"resourceArn", "arn:aws:ecs:us-east-1:123456789012:service/c/s"}})
              .error_code() == "ResourceNotFoundException");
    CHECK(ecs.call("ListTagsForResource", {{"resourceArn", "arn:aws:ecs:eu-west-1:123456789012:cluster/tagged"}})
              .error_code() == "ResourceNotFoundException");
    CHECK(ecs.call("ListTagsForResource", {{"resourceArn", "not-an-arn"}}).error_code() == "InvalidParameterException");
    ecs.ok("DeleteCluster", {{"cluster", "tagged"}});
    CHECK(ecs.call("TagResource", {{"resourceArn", k_cluster}, {"tags", tags}}).error_code() == "ClusterNotFoundException");
}

TEST_CASE("reserved prefixes, duplicate keys and more than 50 tags are refused", "[ecs][tags]") {
    ServiceHarness ecs{"ecs"};
    create_resources(ecs);
    const auto tag = [&](const json& tags) { return ecs.call("TagResource", {{"resourceArn", k_cluster}, {"tags", tags}}); };
    CHECK(tag({{{"key", "AWS:thing"}, {"value", "v"}}}).error_code() == "InvalidParameterException");
    CHECK(tag({{{"key", "k"}, {"value", "aws:v"}}}).error_code() == "InvalidParameterException");
    CHECK(tag({{{"key", "k"}, {"value", "1"}}, {{"key", "k"}, {"value", "2"}}}).error_code() == "InvalidParameterException");

    json forty = json::array(), eleven = json::array();
    for (int i = 0; i < 40; ++i) forty.push_back({{"key", "a" + std::to_string(i)}, {"value", "v"}});
    for (int i = 0; i < 11; ++i) eleven.push_back({{"key", "b" + std::to_string(i)}, {"value", "v"}});
    CHECK(tag(forty).status == 200);
    CHECK(tag(eleven).error_code() == "InvalidParameterException");
    CHECK(ecs.ok("ListTagsForResource", {{"resourceArn", k_cluster}})["tags"].size() == 40);  // nothing half-applied
}

TEST_CASE("tags of a purged task definition revision go with it", "[ecs][tags]") {
    ServiceHarness ecs{"ecs"};
    create_resources(ecs);
    ecs.ok("TagResource", {{"resourceArn", k_task_definition}, {"tags", {{{"key", "k"}, {"value", "v"}}}}});
    ecs.ok("DeregisterTaskDefinition", {{"taskDefinition", "td:1"}});
    ecs.ok("DeleteTaskDefinitions", {{"taskDefinitions", {"td:1"}}});
    ecs.clock().advance(60);
    ecsbox::ecs::purge_deleted_task_definitions(ecs.ecs());
    CHECK(ecs.store().tags().list(k_task_definition).empty());
}
