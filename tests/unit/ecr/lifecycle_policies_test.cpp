#include <catch2/catch.hpp>

#include "support/ecr_harness.hpp"

using ecsbox::testing::EcrHarness;
using nlohmann::json;

namespace {
const std::string k_policy = R"({"rules":[{"rulePriority":1,"description":"keep ten","selection":{)"
                             R"("tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},)"
                             R"("action":{"type":"expire"}}]})";
}

TEST_CASE("a lifecycle policy is put, read back as sent, and deleted", "[ecr][lifecycle]") {
    EcrHarness ecr;
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.ok("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", k_policy}}) ==
          json{{"registryId", "123456789012"}, {"repositoryName", "app"}, {"lifecyclePolicyText", k_policy}});
    const json with_evaluation = {{"registryId", "123456789012"},
                                  {"repositoryName", "app"},
                                  {"lifecyclePolicyText", k_policy},
                                  {"lastEvaluatedAt", 0}};
    CHECK(ecr.ok("GetLifecyclePolicy", {{"repositoryName", "app"}}) == with_evaluation);

    // A janitor's run shows as the last evaluation.
    const auto id = ecr.store().ecr_repositories().find({"123456789012", "us-east-1"}, "app")->id;
    ecr.store().ecr_repositories().mark_lifecycle_evaluated(id, 1767225700.5);
    CHECK(ecr.ok("GetLifecyclePolicy", {{"repositoryName", "app"}})["lastEvaluatedAt"] == 1767225700.5);

    auto deleted = with_evaluation;
    deleted["lastEvaluatedAt"] = 1767225700.5;
    CHECK(ecr.ok("DeleteLifecyclePolicy", {{"repositoryName", "app"}}) == deleted);
    const auto gone = ecr.call("GetLifecyclePolicy", {{"repositoryName", "app"}});
    CHECK(gone.error_code() == "LifecyclePolicyNotFoundException");
    CHECK(gone.message() ==
          "Lifecycle policy does not exist for the repository with name 'app' in the registry with id '123456789012'");
    CHECK(ecr.call("DeleteLifecyclePolicy", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyNotFoundException");
}

TEST_CASE("a lifecycle policy the parser refuses is InvalidParameterException", "[ecr][lifecycle]") {
    EcrHarness ecr;
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const std::string bad = R"({"rules":[{"rulePriority":1,"selection":{"tagStatus":"sometimes",)"
                            R"("countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]})";
    const auto reply = ecr.call("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", bad}});
    CHECK(reply.error_code() == "InvalidParameterException");
    CHECK_FALSE(reply.message().empty());
    // Shorter than the model's 100 characters.
    CHECK(ecr.call("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", "{}"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("GetLifecyclePolicy", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyNotFoundException");
}

TEST_CASE("lifecycle operations on a missing repository are RepositoryNotFoundException", "[ecr][lifecycle]") {
    EcrHarness ecr;
    CHECK(ecr.call("PutLifecyclePolicy", {{"repositoryName", "nope"}, {"lifecyclePolicyText", k_policy}}).error_code() ==
          "RepositoryNotFoundException");
    CHECK(ecr.call("GetLifecyclePolicy", {{"repositoryName", "nope"}}).error_code() == "RepositoryNotFoundException");
    CHECK(ecr.call("DeleteLifecyclePolicy", {{"repositoryName", "nope"}}).error_code() ==
          "RepositoryNotFoundException");
}

TEST_CASE("a lifecycle policy survives a restart and goes with its repository", "[ecr][lifecycle]") {
    EcrHarness ecr;
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    ecr.ok("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", k_policy}});
    ecr.reopen();
    CHECK(ecr.ok("GetLifecyclePolicy", {{"repositoryName", "app"}})["lifecyclePolicyText"] == k_policy);
    ecr.ok("DeleteRepository", {{"repositoryName", "app"}});
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.call("GetLifecyclePolicy", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyNotFoundException");
}
