#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_policy =
    R"({"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"*"},)"
    R"("Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]}]})";
}

TEST_CASE("a repository policy is set, read back as sent, and deleted", "[ecr][policies]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const json expected = {{"registryId", "123456789012"}, {"repositoryName", "app"}, {"policyText", k_policy}};
    CHECK(ecr.ok("SetRepositoryPolicy", {{"repositoryName", "app"}, {"policyText", k_policy}}) == expected);
    CHECK(ecr.ok("GetRepositoryPolicy", {{"repositoryName", "app"}}) == expected);
    CHECK(ecr.ok("DeleteRepositoryPolicy", {{"repositoryName", "app"}}) == expected);

    const auto gone = ecr.call("GetRepositoryPolicy", {{"repositoryName", "app"}});
    CHECK(gone.error_code() == "RepositoryPolicyNotFoundException");
    CHECK(gone.message() ==
          "Repository policy does not exist for the repository with name 'app' in the registry with id '123456789012'");
    CHECK(ecr.call("DeleteRepositoryPolicy", {{"repositoryName", "app"}}).error_code() ==
          "RepositoryPolicyNotFoundException");
}

TEST_CASE("setting a policy again replaces it", "[ecr][policies]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    ecr.ok("SetRepositoryPolicy", {{"repositoryName", "app"}, {"policyText", k_policy}});
    const std::string single = R"({"Statement":{"Effect":"Deny","NotPrincipal":"*","NotAction":"ecr:*"}})";
    ecr.ok("SetRepositoryPolicy", {{"repositoryName", "app"}, {"policyText", single}, {"force", true}});
    CHECK(ecr.ok("GetRepositoryPolicy", {{"repositoryName", "app"}})["policyText"] == single);
}

TEST_CASE("a policy that is not a resource policy is InvalidParameterException", "[ecr][policies]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    for (const std::string text :
         {"", "not json", "[]", R"({"Version":"2012-10-17"})", R"({"Statement":[]})", R"({"Statement":"x"})",
          R"({"Statement":[{"Principal":"*","Action":"ecr:*"}]})",
          R"({"Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}]})",
          R"({"Statement":[{"Effect":"Allow","Action":"ecr:*"}]})",
          R"({"Statement":[{"Effect":"Allow","Principal":"*"}]})"}) {
        INFO(text);
        const auto reply = ecr.call("SetRepositoryPolicy", {{"repositoryName", "app"}, {"policyText", text}});
        CHECK(reply.error_code() == "InvalidParameterException");
        CHECK_THAT(reply.message(), Catch::Contains("Invalid repository policy provided"));
    }
    CHECK(ecr.call("GetRepositoryPolicy", {{"repositoryName", "app"}}).error_code() ==
          "RepositoryPolicyNotFoundException");
    CHECK(ecr.call("SetRepositoryPolicy", {{"repositoryName", "app"}, {"policyText", std::string(10241, ' ')}})
              .error_code() == "InvalidParameterException");
}

TEST_CASE("policy operations on a missing repository are RepositoryNotFoundException", "[ecr][policies]") {
    ServiceHarness ecr{"ecr"};
    CHECK(ecr.call("SetRepositoryPolicy", {{"repositoryName", "nope"}, {"policyText", k_policy}}).error_code() ==
          "RepositoryNotFoundException");
    CHECK(ecr.call("GetRepositoryPolicy", {{"repositoryName", "nope"}}).error_code() == "RepositoryNotFoundException");
    CHECK(ecr.call("DeleteRepositoryPolicy", {{"repositoryName", "nope"}}).error_code() ==
          "RepositoryNotFoundException");
    CHECK(ecr.call("GetRepositoryPolicy", {{"repositoryName", "nope"}, {"registryId", "999999999999"}}).error_code() ==
          "InvalidParameterException");
}
