#include <algorithm>
#include <catch2/catch.hpp>

#include "ecr/ecr_service.hpp"
#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

TEST_CASE("DescribeRegistry names the account's registry, which replicates nowhere", "[ecr][registry]") {
    ServiceHarness ecr{"ecr"};
    CHECK(ecr.ok("DescribeRegistry") ==
          json{{"registryId", "123456789012"}, {"replicationConfiguration", {{"rules", json::array()}}}});
}

TEST_CASE("an ECR operation ecsbox lacks is refused by name", "[ecr][registry]") {
    ServiceHarness ecr{"ecr"};
    const auto reply = ecr.call("CreatePullThroughCacheRule",
                                {{"ecrRepositoryPrefix", "hub"}, {"upstreamRegistryUrl", "registry-1.docker.io"}});
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "ValidationException");
    CHECK_THAT(reply.message(), Catch::Contains("CreatePullThroughCacheRule"));
}

TEST_CASE("ECR calls are routed by their target prefix and the region of their signature", "[ecr][registry]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}}, "ap-south-1");
    CHECK(ecr.ok("DescribeRepositories", json::object(), "ap-south-1")["repositories"].size() == 1);
    CHECK(ecr.ok("DescribeRepositories")["repositories"].empty());
    CHECK(ecr.call("LaunchRocket").error_code() == "UnknownOperationException");
}

TEST_CASE("every implemented ECR operation is in the model", "[ecr][registry]") {
    const auto model = ecsbox::testing::ecr_model();
    const auto implemented = ecsbox::ecr::service_spec().implemented();
    CHECK(implemented.size() >= 12);
    for (const auto& name : implemented) {
        INFO(name);
        CHECK(model->find_operation(name));
    }
}
