#include <catch2/catch.hpp>
#include <set>

#include "ecr/lifecycle_policies.hpp"
#include "support/service_harness.hpp"
#include "support/ecr_push.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_policy = R"({"rules":[{"rulePriority":1,"description":"keep ten","selection":{)"
                             R"("tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},)"
                             R"("action":{"type":"expire"}}]})";
}

TEST_CASE("a lifecycle policy is put, read back as sent, and deleted", "[ecr][lifecycle]") {
    ServiceHarness ecr{"ecr"};
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
    ServiceHarness ecr{"ecr"};
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
    ServiceHarness ecr{"ecr"};
    CHECK(ecr.call("PutLifecyclePolicy", {{"repositoryName", "nope"}, {"lifecyclePolicyText", k_policy}}).error_code() ==
          "RepositoryNotFoundException");
    CHECK(ecr.call("GetLifecyclePolicy", {{"repositoryName", "nope"}}).error_code() == "RepositoryNotFoundException");
    CHECK(ecr.call("DeleteLifecyclePolicy", {{"repositoryName", "nope"}}).error_code() ==
          "RepositoryNotFoundException");
}

TEST_CASE("a lifecycle policy survives a restart and goes with its repository", "[ecr][lifecycle]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    ecr.ok("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", k_policy}});
    ecr.reopen();
    CHECK(ecr.ok("GetLifecyclePolicy", {{"repositoryName", "app"}})["lifecyclePolicyText"] == k_policy);
    ecr.ok("DeleteRepository", {{"repositoryName", "app"}});
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.call("GetLifecyclePolicy", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyNotFoundException");
}

namespace {

std::string rule_policy(const nlohmann::json& selection) {
    return nlohmann::json{{"rules",
                           {{{"rulePriority", 1},
                             {"description", "test rule"},
                             {"selection", selection},
                             {"action", {{"type", "expire"}}}}}}}
        .dump();
}

std::set<std::string> image_digests(const ServiceHarness& ecr, const std::string& repository) {
    std::set<std::string> out;
    const auto details = ecr.ok("DescribeImages", {{"repositoryName", repository}})["imageDetails"];
    for (const auto& image : details)
        out.insert(image["imageDigest"].get<std::string>());
    return out;
}

}  // namespace

TEST_CASE("applying lifecycle policies expires images beyond a count", "[ecr][lifecycle]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    ecr.ok("CreateRepository", {{"repositoryName", "untouched"}});
    std::vector<std::string> pushed;
    for (const auto* seed : {"one", "two", "three", "four"}) {
        pushed.push_back(ecsbox::testing::push_image(ecr, "app", std::string("v-") + seed, seed));
        ecsbox::testing::push_image(ecr, "untouched", std::string("v-") + seed, seed);
        ecr.clock().advance(60);
    }
    ecr.ok("PutLifecyclePolicy",
           {{"repositoryName", "app"},
            {"lifecyclePolicyText",
             rule_policy({{"tagStatus", "any"}, {"countType", "imageCountMoreThan"}, {"countNumber", 2}})}});

    CHECK(ecsbox::ecr::apply_lifecycle_policies(ecr.ecr()) == 2);
    // The two most recent stay.
    CHECK(image_digests(ecr, "app") == std::set<std::string>{pushed[2], pushed[3]});
    CHECK(image_digests(ecr, "untouched").size() == 4);
    CHECK(ecr.ok("GetLifecyclePolicy", {{"repositoryName", "app"}})["lastEvaluatedAt"] == ecr.clock().now());
    // Applying again finds nothing more to do.
    CHECK(ecsbox::ecr::apply_lifecycle_policies(ecr.ecr()) == 0);
}

TEST_CASE("applying lifecycle policies expires images older than their age", "[ecr][lifecycle]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const auto old_untagged = ecsbox::testing::push_image(ecr, "app", "", "old");
    const auto old_tagged = ecsbox::testing::push_image(ecr, "app", "keep", "kept");
    ecr.clock().advance(10 * 86400);
    const auto recent = ecsbox::testing::push_image(ecr, "app", "", "recent");
    ecr.ok("PutLifecyclePolicy", {{"repositoryName", "app"},
                                  {"lifecyclePolicyText", rule_policy({{"tagStatus", "untagged"},
                                                                       {"countType", "sinceImagePushed"},
                                                                       {"countUnit", "days"},
                                                                       {"countNumber", 7}})}});

    CHECK(ecsbox::ecr::apply_lifecycle_policies(ecr.ecr()) == 1);
    CHECK(image_digests(ecr, "app") == std::set<std::string>{old_tagged, recent});
    ecr.clock().advance(8 * 86400);
    CHECK(ecsbox::ecr::apply_lifecycle_policies(ecr.ecr()) == 1);
    CHECK(image_digests(ecr, "app") == std::set<std::string>{old_tagged});
    CHECK_FALSE(old_untagged.empty());
}

TEST_CASE("a lifecycle policy preview shows what would expire without expiring it", "[ecr][lifecycle]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.call("GetLifecyclePolicyPreview", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyPreviewNotFoundException");
    // Neither a policy in the request nor one on the repository.
    CHECK(ecr.call("StartLifecyclePolicyPreview", {{"repositoryName", "app"}}).error_code() ==
          "LifecyclePolicyNotFoundException");

    std::vector<std::string> pushed;
    for (const auto* seed : {"one", "two", "three"}) {
        pushed.push_back(ecsbox::testing::push_image(ecr, "app", std::string("v-") + seed, seed));
        ecr.clock().advance(60);
    }
    const auto policy = rule_policy({{"tagStatus", "any"}, {"countType", "imageCountMoreThan"}, {"countNumber", 1}});
    CHECK(ecr.ok("StartLifecyclePolicyPreview", {{"repositoryName", "app"}, {"lifecyclePolicyText", policy}}) ==
          json{{"registryId", "123456789012"},
               {"repositoryName", "app"},
               {"lifecyclePolicyText", policy},
               {"status", "IN_PROGRESS"}});

    const auto preview = ecr.ok("GetLifecyclePolicyPreview", {{"repositoryName", "app"}});
    CHECK(preview["status"] == "COMPLETE");
    CHECK(preview["lifecyclePolicyText"] == policy);
    CHECK(preview["summary"] == json{{"expiringImageTotalCount", 2}});
    REQUIRE(preview["previewResults"].size() == 2);
    CHECK(preview["previewResults"][0] == json{{"imageTags", {"v-one"}},
                                               {"imageDigest", pushed[0]},
                                               {"imagePushedAt", ecr.clock().now() - 180},
                                               {"action", {{"type", "EXPIRE"}}},
                                               {"appliedRulePriority", 1}});
    CHECK(preview["previewResults"][1]["imageDigest"] == pushed[1]);
    CHECK(image_digests(ecr, "app").size() == 3);  // nothing was deleted

    // A page at a time, and filtered by image id.
    const auto first = ecr.ok("GetLifecyclePolicyPreview", {{"repositoryName", "app"}, {"maxResults", 1}});
    REQUIRE(first["previewResults"].size() == 1);
    REQUIRE(first.contains("nextToken"));
    const auto second = ecr.ok("GetLifecyclePolicyPreview",
                               {{"repositoryName", "app"}, {"maxResults", 1}, {"nextToken", first["nextToken"]}});
    CHECK(second["previewResults"][0]["imageDigest"] == pushed[1]);
    CHECK_FALSE(second.contains("nextToken"));
    const auto by_tag =
        ecr.ok("GetLifecyclePolicyPreview", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v-two"}}}}});
    REQUIRE(by_tag["previewResults"].size() == 1);
    CHECK(by_tag["previewResults"][0]["imageDigest"] == pushed[1]);
    CHECK(ecr.ok("GetLifecyclePolicyPreview", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "UNTAGGED"}}}})
              ["previewResults"]
                  .empty());

    // Without a text, the repository's own policy is previewed.
    ecr.ok("PutLifecyclePolicy", {{"repositoryName", "app"}, {"lifecyclePolicyText", policy}});
    CHECK(ecr.ok("StartLifecyclePolicyPreview", {{"repositoryName", "app"}})["lifecyclePolicyText"] == policy);
    CHECK(ecr.call("StartLifecyclePolicyPreview", {{"repositoryName", "app"}, {"lifecyclePolicyText", "{" + std::string(120, ' ') + "}"}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("GetLifecyclePolicyPreview", {{"repositoryName", "nope"}}).error_code() ==
          "RepositoryNotFoundException");
}
