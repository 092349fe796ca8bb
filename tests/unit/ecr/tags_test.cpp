#include <catch2/catch.hpp>

#include "support/service_harness.hpp"

using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {
const std::string k_arn = "arn:aws:ecr:us-east-1:123456789012:repository/app";
}

TEST_CASE("repository tags are added, overwritten, listed in order and removed", "[ecr][tags]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    CHECK(ecr.ok("TagResource", {{"resourceArn", k_arn},
                                 {"tags", {{{"Key", "b"}, {"Value", "1"}}, {{"Key", "a"}, {"Value", "2"}}}}}) ==
          json::object());
    ecr.ok("TagResource", {{"resourceArn", k_arn}, {"tags", {{{"Key", "b"}, {"Value", "3"}}}}});
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn}})["tags"] ==
          json::array({{{"Key", "b"}, {"Value", "3"}}, {{"Key", "a"}, {"Value", "2"}}}));
    CHECK(ecr.ok("UntagResource", {{"resourceArn", k_arn}, {"tagKeys", {"b", "never-set"}}}) == json::object());
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn}})["tags"] ==
          json::array({{{"Key", "a"}, {"Value", "2"}}}));
}

TEST_CASE("a repository holds at most 50 tags", "[ecr][tags]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    json tags = json::array();
    for (int i = 0; i < 50; ++i) tags.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
    ecr.ok("TagResource", {{"resourceArn", k_arn}, {"tags", tags}});
    ecr.ok("TagResource", {{"resourceArn", k_arn}, {"tags", {{{"Key", "k0"}, {"Value", "overwrite is fine"}}}}});
    const auto over = ecr.call("TagResource", {{"resourceArn", k_arn}, {"tags", {{{"Key", "one-more"}, {"Value", "v"}}}}});
    CHECK(over.error_code() == "TooManyTagsException");
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn}})["tags"].size() == 50);
}

TEST_CASE("bad tags are InvalidTagParameterException", "[ecr][tags]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    for (const json& tag : {json{{"Key", "aws:reserved"}, {"Value", "v"}}, json{{"Key", "AWS:reserved"}, {"Value", "v"}},
                            json{{"Key", ""}, {"Value", "v"}}, json{{"Key", std::string(129, 'k')}, {"Value", "v"}},
                            json{{"Key", "k"}, {"Value", std::string(257, 'v')}}}) {
        INFO(tag.dump());
        CHECK(ecr.call("TagResource", {{"resourceArn", k_arn}, {"tags", {tag}}}).error_code() ==
              "InvalidTagParameterException");
    }
    CHECK(ecr.call("TagResource", {{"resourceArn", k_arn},
                                   {"tags", {{{"Key", "k"}, {"Value", "1"}}, {{"Key", "k"}, {"Value", "2"}}}}})
              .error_code() == "InvalidTagParameterException");
    // Key and Value are both required by the model.
    CHECK(ecr.call("TagResource", {{"resourceArn", k_arn}, {"tags", {{{"Key", "k"}}}}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("UntagResource", {{"resourceArn", k_arn}, {"tagKeys", {""}}}).error_code() ==
          "InvalidTagParameterException");
    CHECK(ecr.ok("ListTagsForResource", {{"resourceArn", k_arn}})["tags"].empty());
    // Limits count characters, not bytes: 128 ASCII and 128 two-byte characters make 256.
    std::string value(128, 'v');
    for (int i = 0; i < 128; ++i) value += "\xc3\xa9";
    ecr.ok("TagResource", {{"resourceArn", k_arn}, {"tags", {{{"Key", "k"}, {"Value", value}}}}});
}

TEST_CASE("tag operations name a repository by a well-formed ARN of this registry", "[ecr][tags]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "app"}});
    for (const char* arn : {"app", "arn:aws:ecs:us-east-1:123456789012:cluster/app",
                            "arn:aws:ecr:us-east-1:123456789012:repository/", "arn:aws:ecr:us-east-1:123456789012:app"}) {
        INFO(arn);
        CHECK(ecr.call("ListTagsForResource", {{"resourceArn", arn}}).error_code() == "InvalidParameterException");
    }
    const auto missing = ecr.call("ListTagsForResource", {{"resourceArn", "arn:aws:ecr:us-east-1:123456789012:repository/nope"}});
    CHECK(missing.error_code() == "RepositoryNotFoundException");
    CHECK(missing.message() == "The repository with name 'nope' does not exist in the registry with id '123456789012'");
    CHECK(ecr.call("TagResource", {{"resourceArn", "arn:aws:ecr:eu-west-1:123456789012:repository/app"},
                                   {"tags", {{{"Key", "k"}, {"Value", "v"}}}}})
              .error_code() == "RepositoryNotFoundException");
    CHECK(ecr.call("UntagResource", {{"resourceArn", "arn:aws:ecr:us-east-1:999999999999:repository/app"},
                                     {"tagKeys", {"k"}}})
              .error_code() == "RepositoryNotFoundException");
}
