#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_arn_prefix = "arn:aws:ecr:us-east-1:123456789012:repository/";

json names_of(const json& repositories) {
    json names = json::array();
    for (const auto& r : repositories) names.push_back(r["repositoryName"]);
    return names;
}
}  // namespace

TEST_CASE("CreateRepository answers the new repository with ECR's defaults", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    const auto repository = ecr.ok("CreateRepository", {{"repositoryName", "team/web"}})["repository"];
    CHECK(repository["repositoryArn"] == k_arn_prefix + "team/web");
    CHECK(repository["registryId"] == "123456789012");
    CHECK(repository["repositoryName"] == "team/web");
    CHECK(repository["repositoryUri"] == "localhost:4566/team/web");
    CHECK(repository["createdAt"] == ecr.clock().now());
    CHECK(repository["imageTagMutability"] == "MUTABLE");
    CHECK(repository["imageScanningConfiguration"] == json{{"scanOnPush", false}});
    CHECK(repository["encryptionConfiguration"] == json{{"encryptionType", "AES256"}});
    CHECK_FALSE(repository.contains("imageTagMutabilityExclusionFilters"));
}

TEST_CASE("CreateRepository keeps the settings it is given", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    const json filters = {{{"filterType", "WILDCARD"}, {"filter", "dev-*"}}};
    const json encryption = {{"encryptionType", "KMS"}, {"kmsKey", "arn:aws:kms:us-east-1:123456789012:key/k"}};
    const auto repository = ecr.ok("CreateRepository", {{"repositoryName", "app"},
                                                        {"registryId", "123456789012"},
                                                        {"imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"},
                                                        {"imageTagMutabilityExclusionFilters", filters},
                                                        {"imageScanningConfiguration", {{"scanOnPush", true}}},
                                                        {"encryptionConfiguration", encryption}})["repository"];
    CHECK(repository["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION");
    CHECK(repository["imageTagMutabilityExclusionFilters"] == filters);
    CHECK(repository["imageScanningConfiguration"] == json{{"scanOnPush", true}});
    CHECK(repository["encryptionConfiguration"] == encryption);
    CHECK(ecr.ok("DescribeRepositories")["repositories"][0] == repository);
}

TEST_CASE("CreateRepository refuses a name taken in its registry and region", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const auto again = ecr.call("CreateRepository", {{"repositoryName", "app"}});
    CHECK(again.status == 400);
    CHECK(again.error_code() == "RepositoryAlreadyExistsException");
    CHECK(again.message() == "The repository with name 'app' already exists in the registry with id '123456789012'");
    // Another region is another registry.
    CHECK(ecr.ok("CreateRepository", {{"repositoryName", "app"}}, "eu-west-1")["repository"]["repositoryArn"] ==
          "arn:aws:ecr:eu-west-1:123456789012:repository/app");
}

TEST_CASE("CreateRepository refuses bad names, settings and registries", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    for (const char* name : {"UPPER", "a", "-lead", "trail-", "a//b", "/abs", "a..b", "has space"}) {
        INFO(name);
        CHECK(ecr.call("CreateRepository", {{"repositoryName", name}}).error_code() == "InvalidParameterException");
    }
    CHECK(ecr.call("CreateRepository", {{"repositoryName", std::string(257, 'a')}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"}, {"imageTagMutability", "SOMETIMES"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"}, {"imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"},
                                        {"imageTagMutability", "IMMUTABLE"},
                                        {"imageTagMutabilityExclusionFilters",
                                         {{{"filterType", "WILDCARD"}, {"filter", "x*"}}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"},
                                        {"imageTagMutability", "MUTABLE_WITH_EXCLUSION"},
                                        {"imageTagMutabilityExclusionFilters",
                                         {{{"filterType", "WILDCARD"}, {"filter", "bad filter"}}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"},
                                        {"encryptionConfiguration", {{"encryptionType", "AES256"}, {"kmsKey", "k"}}}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"}, {"registryId", "999999999999"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "app"}, {"registryId", "not-an-account"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.ok("DescribeRepositories")["repositories"].empty());
}

TEST_CASE("CreateRepository takes tags, and refuses bad ones without creating anything", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository",
           {{"repositoryName", "app"}, {"tags", {{{"Key", "team"}, {"Value", "web"}}, {{"Key", "env"}, {"Value", ""}}}}});
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn_prefix + "app"}})["tags"] ==
          json::array({{{"Key", "team"}, {"Value", "web"}}, {{"Key", "env"}, {"Value", ""}}}));

    CHECK(ecr.call("CreateRepository", {{"repositoryName", "bb"}, {"tags", {{{"Key", "aws:x"}, {"Value", "v"}}}}})
              .error_code() == "InvalidTagParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "bb"}, {"tags", {{{"Key", ""}, {"Value", "v"}}}}})
              .error_code() == "InvalidTagParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "bb"}, {"tags", {{{"Key", std::string(129, 'k')}, {"Value", "v"}}}}})
              .error_code() == "InvalidTagParameterException");
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "bb"}, {"tags", {{{"Key", "k"}, {"Value", std::string(257, 'v')}}}}})
              .error_code() == "InvalidTagParameterException");
    json many = json::array();
    for (int i = 0; i < 51; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
    CHECK(ecr.call("CreateRepository", {{"repositoryName", "bb"}, {"tags", many}}).error_code() ==
          "TooManyTagsException");
    CHECK(ecr.call("DescribeRepositories", {{"repositoryNames", {"bb"}}}).error_code() == "RepositoryNotFoundException");
}

TEST_CASE("DescribeRepositories names repositories, and a missing one is an error", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    for (const char* name : {"bb", "aa", "cc"}) ecr.ok("CreateRepository", {{"repositoryName", name}});
    CHECK(names_of(ecr.ok("DescribeRepositories", {{"repositoryNames", {"cc", "aa", "cc"}}})["repositories"]) ==
          json::array({"cc", "aa"}));
    const auto missing = ecr.call("DescribeRepositories", {{"repositoryNames", {"aa", "nope"}}});
    CHECK(missing.error_code() == "RepositoryNotFoundException");
    CHECK(missing.message() == "The repository with name 'nope' does not exist in the registry with id '123456789012'");
    CHECK(ecr.call("DescribeRepositories", {{"repositoryNames", {"aa"}}, {"maxResults", 1}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("DescribeRepositories", {{"registryId", "999999999999"}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.ok("DescribeRepositories", {{"registryId", "123456789012"}})["repositories"].size() == 3);
}

TEST_CASE("DescribeRepositories pages through every repository in name order", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    for (const char* name : {"dd", "bb", "ee", "aa", "cc"}) ecr.ok("CreateRepository", {{"repositoryName", name}});
    ecr.ok("CreateRepository", {{"repositoryName", "elsewhere"}}, "eu-west-1");

    CHECK(names_of(ecr.ok("DescribeRepositories")["repositories"]) == json::array({"aa", "bb", "cc", "dd", "ee"}));
    CHECK_FALSE(ecr.ok("DescribeRepositories").contains("nextToken"));

    json seen = json::array();
    json input = {{"maxResults", 2}};
    int pages = 0;
    for (;; ++pages) {
        const auto page = ecr.ok("DescribeRepositories", input);
        for (const auto& name : names_of(page["repositories"])) seen.push_back(name);
        if (!page.contains("nextToken")) break;
        input["nextToken"] = page["nextToken"];
    }
    CHECK(seen == json::array({"aa", "bb", "cc", "dd", "ee"}));
    CHECK(pages == 2);

    CHECK(ecr.call("DescribeRepositories", {{"maxResults", 0}}).error_code() == "InvalidParameterException");
    CHECK(ecr.call("DescribeRepositories", {{"maxResults", 1001}}).error_code() == "InvalidParameterException");
    CHECK(ecr.call("DescribeRepositories", {{"nextToken", "garbage"}}).error_code() == "InvalidParameterException");
}

TEST_CASE("DeleteRepository answers the repository and forgets it with its tags", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    const auto created =
        ecr.ok("CreateRepository", {{"repositoryName", "app"}, {"tags", {{{"Key", "k"}, {"Value", "v"}}}}})["repository"];
    CHECK(ecr.ok("DeleteRepository", {{"repositoryName", "app"}})["repository"] == created);
    CHECK(ecr.call("DescribeRepositories", {{"repositoryNames", {"app"}}}).error_code() ==
          "RepositoryNotFoundException");
    CHECK(ecr.call("DeleteRepository", {{"repositoryName", "app"}}).error_code() == "RepositoryNotFoundException");
    // A new repository of the same name starts afresh.
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn_prefix + "app"}})["tags"].empty());
}

TEST_CASE("DeleteRepository refuses a repository with images unless forced", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const auto id = ecr.store().ecr_repositories().find({"123456789012", "us-east-1"}, "app")->id;
    const ecsbox::store::EcrImageRecord image{id, "sha256:" + std::string(64, 'a'), "{}", "m", "a", 1, 1,
                                              std::nullopt, {}};
    REQUIRE(ecr.store().ecr_images().put_image(image, {}));
    ecr.store().ecr_images().set_tag(id, "latest", image.digest);

    const auto refused = ecr.call("DeleteRepository", {{"repositoryName", "app"}});
    CHECK(refused.error_code() == "RepositoryNotEmptyException");
    CHECK(refused.message() == "The repository with name 'app' in registry with id '123456789012' cannot be deleted "
                               "because it still contains images");
    CHECK(ecr.ok("DeleteRepository", {{"repositoryName", "app"}, {"force", true}})["repository"]["repositoryName"] ==
          "app");
    CHECK(ecr.store().ecr_images().count(id) == 0);
}

TEST_CASE("PutImageTagMutability sets the mutability and its exclusion filters", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    const json filters = {{{"filterType", "WILDCARD"}, {"filter", "latest"}}};
    const auto out = ecr.ok("PutImageTagMutability", {{"repositoryName", "app"},
                                                      {"imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"},
                                                      {"imageTagMutabilityExclusionFilters", filters}});
    CHECK(out == json{{"registryId", "123456789012"},
                      {"repositoryName", "app"},
                      {"imageTagMutability", "IMMUTABLE_WITH_EXCLUSION"},
                      {"imageTagMutabilityExclusionFilters", filters}});
    auto described = ecr.ok("DescribeRepositories")["repositories"][0];
    CHECK(described["imageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION");
    CHECK(described["imageTagMutabilityExclusionFilters"] == filters);

    // Back to plain IMMUTABLE: the filters go.
    CHECK(ecr.ok("PutImageTagMutability", {{"repositoryName", "app"}, {"imageTagMutability", "IMMUTABLE"}}) ==
          json{{"registryId", "123456789012"}, {"repositoryName", "app"}, {"imageTagMutability", "IMMUTABLE"}});
    described = ecr.ok("DescribeRepositories")["repositories"][0];
    CHECK(described["imageTagMutability"] == "IMMUTABLE");
    CHECK_FALSE(described.contains("imageTagMutabilityExclusionFilters"));

    CHECK(ecr.call("PutImageTagMutability", {{"repositoryName", "app"}, {"imageTagMutability", "MUTABLE_WITH_EXCLUSION"}})
              .error_code() == "InvalidParameterException");
    CHECK(ecr.call("PutImageTagMutability", {{"repositoryName", "nope"}, {"imageTagMutability", "MUTABLE"}})
              .error_code() == "RepositoryNotFoundException");
    CHECK(ecr.call("PutImageTagMutability", {{"repositoryName", "app"}}).error_code() == "InvalidParameterException");
}

TEST_CASE("PutImageScanningConfiguration sets scan on push", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.ok("PutImageScanningConfiguration",
                 {{"repositoryName", "app"}, {"imageScanningConfiguration", {{"scanOnPush", true}}}}) ==
          json{{"registryId", "123456789012"},
               {"repositoryName", "app"},
               {"imageScanningConfiguration", {{"scanOnPush", true}}}});
    CHECK(ecr.ok("DescribeRepositories")["repositories"][0]["imageScanningConfiguration"] ==
          json{{"scanOnPush", true}});
    CHECK(ecr.ok("PutImageScanningConfiguration", {{"repositoryName", "app"}, {"imageScanningConfiguration", json::object()}})
              ["imageScanningConfiguration"] == json{{"scanOnPush", false}});
    CHECK(ecr.call("PutImageScanningConfiguration",
                   {{"repositoryName", "nope"}, {"imageScanningConfiguration", {{"scanOnPush", true}}}})
              .error_code() == "RepositoryNotFoundException");
}

TEST_CASE("repositories, their settings and tags survive a restart", "[ecr][repositories]") {
    ServiceHarness ecr{"ecr"};
    const auto created = ecr.ok("CreateRepository", {{"repositoryName", "app"},
                                                     {"imageTagMutability", "IMMUTABLE"},
                                                     {"tags", {{{"Key", "k"}, {"Value", "v"}}}}})["repository"];
    ecr.ok("SetRepositoryPolicy",
           {{"repositoryName", "app"},
            {"policyText", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*"}]})"}});
    ecr.reopen();
    CHECK(ecr.ok("DescribeRepositories")["repositories"] == json::array({created}));
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn_prefix + "app"}})["tags"].size() == 1);
    CHECK(ecr.ok("GetRepositoryPolicy", {{"repositoryName", "app"}})["policyText"].get<std::string>().find("ecr:*") !=
          std::string::npos);
}
