#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_arn_prefix = "arn:aws:ecs:us-east-1:123456789012:cluster/";
}

TEST_CASE("CreateCluster answers the new cluster with its defaults", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    const auto cluster = ecs.ok("CreateCluster", {{"clusterName", "web"}})["cluster"];
    CHECK(cluster["clusterArn"] == k_arn_prefix + "web");
    CHECK(cluster["clusterName"] == "web");
    CHECK(cluster["status"] == "ACTIVE");
    CHECK(cluster["runningTasksCount"] == 0);
    CHECK(cluster["settings"] == json::array({{{"name", "containerInsights"}, {"value", "disabled"}}}));
    CHECK(cluster["capacityProviders"] == json::array());
    CHECK(cluster["tags"] == json::array());
}

TEST_CASE("CreateCluster without a name creates the default cluster", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.ok("CreateCluster")["cluster"]["clusterName"] == "default");
    CHECK(ecs.ok("DescribeClusters")["clusters"][0]["clusterName"] == "default");
}

TEST_CASE("CreateCluster is idempotent on the name", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    const auto first = ecs.ok("CreateCluster", {{"clusterName", "same"}, {"tags", {{{"key", "k"}, {"value", "1"}}}}});
    ecs.clock().advance(10);
    const auto second = ecs.ok("CreateCluster", {{"clusterName", "same"}});
    CHECK(first == second);
    CHECK(ecs.ok("ListClusters")["clusterArns"].size() == 1);
}

TEST_CASE("CreateCluster echoes settings, configuration and capacity providers", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    const json configuration = {{"executeCommandConfiguration", {{"logging", "DEFAULT"}}}};
    const json strategy = {{{"capacityProvider", "FARGATE"}, {"weight", 1}, {"base", 1}},
                           {{"capacityProvider", "FARGATE_SPOT"}, {"weight", 4}}};
    const auto cluster = ecs.ok("CreateCluster", {{"clusterName", "full"},
                                                  {"settings", {{{"name", "containerInsights"}, {"value", "enhanced"}}}},
                                                  {"configuration", configuration},
                                                  {"capacityProviders", {"FARGATE", "FARGATE_SPOT"}},
                                                  {"defaultCapacityProviderStrategy", strategy}})["cluster"];
    CHECK(cluster["settings"] == json::array({{{"name", "containerInsights"}, {"value", "enhanced"}}}));
    CHECK(cluster["configuration"] == configuration);
    CHECK(cluster["capacityProviders"] == json::array({"FARGATE", "FARGATE_SPOT"}));
    auto with_defaults = strategy;
    with_defaults[1]["base"] = 0;  // ECS spells out the default base
    CHECK(cluster["defaultCapacityProviderStrategy"] == with_defaults);
}

TEST_CASE("CreateCluster refuses bad names, unknown capacity providers and bad settings", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.call("CreateCluster", {{"clusterName", "has space"}}).error_code() == "InvalidParameterException");
    CHECK(ecs.call("CreateCluster", {{"clusterName", std::string(256, 'a')}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecs.call("CreateCluster", {{"clusterName", "c"}, {"capacityProviders", {"MY_ASG"}}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecs.call("CreateCluster", {{"clusterName", "c"},
                                     {"capacityProviders", {"FARGATE"}},
                                     {"defaultCapacityProviderStrategy", {{{"capacityProvider", "FARGATE_SPOT"}}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecs.call("CreateCluster", {{"clusterName", "c"}, {"settings", {{{"name", "containerInsights"}, {"value", "on"}}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecs.call("CreateCluster", {{"clusterName", "c"}, {"tags", {{{"key", "aws:reserved"}, {"value", "x"}}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecs.ok("ListClusters")["clusterArns"].empty());
}

TEST_CASE("the account's containerInsights default applies to new clusters", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("PutAccountSettingDefault", {{"name", "containerInsights"}, {"value", "enabled"}});
    CHECK(ecs.ok("CreateCluster", {{"clusterName", "c"}})["cluster"]["settings"][0]["value"] == "enabled");
}

TEST_CASE("DescribeClusters reports missing clusters as failures and includes what was asked", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "a"}, {"tags", {{{"key", "team"}, {"value", "blue"}}}}});
    const auto out = ecs.ok("DescribeClusters", {{"clusters", {"a", k_arn_prefix + "a", "ghost", k_arn_prefix + "gone"}}});
    REQUIRE(out["clusters"].size() == 2);
    CHECK(out["failures"] == json::array({{{"arn", k_arn_prefix + "ghost"}, {"reason", "MISSING"}},
                                          {{"arn", k_arn_prefix + "gone"}, {"reason", "MISSING"}}}));
    const auto& plain = out["clusters"][0];
    CHECK_FALSE(plain.contains("tags"));
    CHECK_FALSE(plain.contains("settings"));
    CHECK(plain["statistics"] == json::array());

    const auto full = ecs.ok("DescribeClusters", {{"clusters", {"a"}}, {"include", {"TAGS", "SETTINGS", "STATISTICS"}}});
    const auto& cluster = full["clusters"][0];
    CHECK(cluster["tags"] == json::array({{{"key", "team"}, {"value", "blue"}}}));
    CHECK(cluster["settings"][0]["name"] == "containerInsights");
    CHECK(cluster["statistics"].size() == 8);
}

TEST_CASE("a cluster ARN of another region or account is not found", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "a"}});
    const auto out = ecs.ok("DescribeClusters", {{"clusters", {"arn:aws:ecs:eu-west-1:123456789012:cluster/a",
                                                               "arn:aws:ecs:us-east-1:999999999999:cluster/a"}}});
    CHECK(out["clusters"].empty());
    CHECK(out["failures"].size() == 2);
}

TEST_CASE("clusters are separate per region", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.call("CreateCluster", {{"clusterName", "eu-only"}}, "eu-west-1");
    CHECK(ecs.ok("ListClusters")["clusterArns"].empty());
    CHECK(ecs.call("ListClusters", json::object(), "eu-west-1").body["clusterArns"] ==
          json::array({"arn:aws:ecs:eu-west-1:123456789012:cluster/eu-only"}));
}

TEST_CASE("ListClusters pages through every cluster once, in order", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    for (const char* name : {"e", "b", "d", "a", "c"}) ecs.ok("CreateCluster", {{"clusterName", name}});
    std::vector<std::string> seen;
    json input = {{"maxResults", 2}};
    for (int pages = 1;; ++pages) {
        const auto page = ecs.ok("ListClusters", input);
        CHECK(page["clusterArns"].size() <= 2);
        for (const auto& arn : page["clusterArns"]) seen.push_back(arn);
        if (!page.contains("nextToken")) {
            CHECK(pages == 3);
            break;
        }
        input["nextToken"] = page["nextToken"];
    }
    CHECK(seen == std::vector<std::string>{k_arn_prefix + "a", k_arn_prefix + "b", k_arn_prefix + "c",
                                           k_arn_prefix + "d", k_arn_prefix + "e"});
    CHECK(ecs.call("ListClusters", {{"maxResults", 101}}).error_code() == "InvalidParameterException");
    CHECK(ecs.call("ListClusters", {{"nextToken", "bogus"}}).error_code() == "InvalidParameterException");
}

TEST_CASE("UpdateCluster and UpdateClusterSettings change settings and configuration", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "u"}});
    const auto updated =
        ecs.ok("UpdateClusterSettings", {{"cluster", "u"}, {"settings", {{{"name", "containerInsights"}, {"value", "enabled"}}}}});
    CHECK(updated["cluster"]["settings"] == json::array({{{"name", "containerInsights"}, {"value", "enabled"}}}));

    const json configuration = {{"executeCommandConfiguration", {{"logging", "NONE"}}}};
    const auto reconfigured = ecs.ok("UpdateCluster", {{"cluster", k_arn_prefix + "u"}, {"configuration", configuration}});
    CHECK(reconfigured["cluster"]["configuration"] == configuration);
    CHECK(reconfigured["cluster"]["settings"][0]["value"] == "enabled");

    const auto described = ecs.ok("DescribeClusters", {{"clusters", {"u"}}, {"include", {"CONFIGURATIONS", "SETTINGS"}}});
    CHECK(described["clusters"][0]["configuration"] == configuration);
    CHECK(ecs.call("UpdateCluster", {{"cluster", "nope"}}).error_code() == "ClusterNotFoundException");
}

TEST_CASE("PutClusterCapacityProviders replaces providers and strategy", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "p"}, {"capacityProviders", {"FARGATE"}}});
    const auto out = ecs.ok("PutClusterCapacityProviders", {{"cluster", "p"},
                                                            {"capacityProviders", {"FARGATE_SPOT"}},
                                                            {"defaultCapacityProviderStrategy",
                                                             {{{"capacityProvider", "FARGATE_SPOT"}, {"weight", 1}}}}});
    CHECK(out["cluster"]["capacityProviders"] == json::array({"FARGATE_SPOT"}));
    CHECK(ecs.call("PutClusterCapacityProviders",
                   {{"cluster", "p"}, {"capacityProviders", {"NOPE"}}, {"defaultCapacityProviderStrategy", json::array()}})
              .error_code() == "InvalidParameterException");
}

TEST_CASE("DeleteCluster leaves an INACTIVE cluster that can be created again", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "d"}, {"tags", {{{"key", "old"}, {"value", "1"}}}}});
    CHECK(ecs.ok("DeleteCluster", {{"cluster", "d"}})["cluster"]["status"] == "INACTIVE");
    CHECK(ecs.ok("ListClusters")["clusterArns"].empty());
    CHECK(ecs.ok("DescribeClusters", {{"clusters", {"d"}}})["clusters"][0]["status"] == "INACTIVE");
    CHECK(ecs.call("DeleteCluster", {{"cluster", "d"}}).error_code() == "ClusterNotFoundException");
    CHECK(ecs.call("DeleteCluster", {{"cluster", "never"}}).error_code() == "ClusterNotFoundException");
    CHECK(ecs.call("UpdateClusterSettings", {{"cluster", "d"}, {"settings", json::array()}}).error_code() ==
          "ClusterNotFoundException");

    const auto again = ecs.ok("CreateCluster", {{"clusterName", "d"}})["cluster"];
    CHECK(again["status"] == "ACTIVE");
    CHECK(again["tags"] == json::array());
}

TEST_CASE("clusters survive a restart", "[ecs][clusters]") {
    ServiceHarness ecs{"ecs"};
    ecs.ok("CreateCluster", {{"clusterName", "kept"}, {"tags", {{{"key", "k"}, {"value", "v"}}}}});
    ecs.reopen();
    const auto out = ecs.ok("DescribeClusters", {{"clusters", {"kept"}}, {"include", {"TAGS"}}});
    CHECK(out["clusters"][0]["tags"] == json::array({{{"key", "k"}, {"value", "v"}}}));
}
