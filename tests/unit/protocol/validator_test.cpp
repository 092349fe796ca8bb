#include <catch2/catch.hpp>

#include "protocol/aws_error.hpp"
#include "protocol/validator.hpp"
#include "support/service_harness.hpp"

using namespace ecsbox::protocol;
using nlohmann::json;

namespace {

// Validates `input` against an ECS operation's input shape; returns the error, if any.
std::optional<AwsError> validate(const std::string& operation, const json& input) {
    const auto& model = *ecsbox::testing::ecs_model();
    try {
        validate_input(model, *model.find_operation(operation)->input, input, "InvalidParameterException");
    } catch (const AwsError& e) {
        return e;
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("a valid request passes and unknown members are ignored", "[protocol][validator]") {
    CHECK_FALSE(validate("CreateCluster", {{"clusterName", "c"}, {"notAMember", {1, 2}}}));
    CHECK_FALSE(validate("ListClusters", json::object()));
}

TEST_CASE("a missing required member is reported in AWS's words", "[protocol][validator]") {
    const auto error = validate("DescribeTaskDefinition", json::object());
    REQUIRE(error);
    CHECK(error->code() == "InvalidParameterException");
    CHECK(error->message() ==
          "1 validation error detected: Value null at 'taskDefinition' failed to satisfy constraint: "
          "Member must not be null");
}

TEST_CASE("a null member counts as absent", "[protocol][validator]") {
    const auto error = validate("DescribeTaskDefinition", {{"taskDefinition", nullptr}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::Contains("Member must not be null"));
}

TEST_CASE("a wrong JSON type is a SerializationException", "[protocol][validator]") {
    const auto error = validate("CreateCluster", {{"clusterName", 5}});
    REQUIRE(error);
    CHECK(error->code() == "SerializationException");
    CHECK_THAT(error->message(), Catch::Contains("clusterName") && Catch::Contains("string"));

    CHECK(validate("ListClusters", {{"maxResults", "10"}})->code() == "SerializationException");
    CHECK(validate("ListClusters", {{"maxResults", 1.5}})->code() == "SerializationException");
    CHECK(validate("ListClusters", {{"maxResults", 4294967296}})->code() == "SerializationException");
    CHECK(validate("CreateCluster", {{"tags", json::object()}})->code() == "SerializationException");
    CHECK(validate("ListAccountSettings", {{"effectiveSettings", "true"}})->code() == "SerializationException");
}

TEST_CASE("enum values outside the model's set are refused", "[protocol][validator]") {
    const auto error = validate("ListTaskDefinitions", {{"status", "DELETED"}});
    REQUIRE(error);
    CHECK(error->code() == "InvalidParameterException");
    CHECK_THAT(error->message(), Catch::Contains("Value 'DELETED' at 'status'") &&
                                     Catch::Contains("enum value set: [ACTIVE, INACTIVE, DELETE_IN_PROGRESS]"));
}

TEST_CASE("string lengths count characters, not bytes", "[protocol][validator]") {
    const std::string key_128_chars(128, 'k');
    CHECK_FALSE(validate("TagResource", {{"resourceArn", "a"}, {"tags", {{{"key", key_128_chars}, {"value", ""}}}}}));
    std::string key_128_umlauts;
    for (int i = 0; i < 128; ++i) key_128_umlauts += "\xc3\xbc";  // ü: two bytes, one character
    CHECK_FALSE(validate("TagResource", {{"resourceArn", "a"}, {"tags", {{{"key", key_128_umlauts}, {"value", ""}}}}}));
    const auto error = validate("TagResource", {{"resourceArn", "a"}, {"tags", {{{"key", key_128_chars + "k"}}}}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::Contains("at 'tags.1.member.key'") &&
                                     Catch::Contains("length less than or equal to 128"));
}

TEST_CASE("list sizes are checked against the model's limits", "[protocol][validator]") {
    json tags = json::array();
    for (int i = 0; i < 51; ++i) tags.push_back({{"key", "k" + std::to_string(i)}, {"value", "v"}});
    const auto error = validate("TagResource", {{"resourceArn", "a"}, {"tags", tags}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::Contains("at 'tags'") && Catch::Contains("less than or equal to 50"));
}

TEST_CASE("every violation is counted, in one message", "[protocol][validator]") {
    const auto error = validate("RegisterTaskDefinition", {{"networkMode", "bridged"}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::StartsWith("3 validation errors detected: "));
    CHECK_THAT(error->message(), Catch::Contains("'family'") && Catch::Contains("'containerDefinitions'") &&
                                     Catch::Contains("'networkMode'"));
}

TEST_CASE("nested members are validated with their path", "[protocol][validator]") {
    const auto error = validate("RegisterTaskDefinition",
                                {{"family", "f"},
                                 {"containerDefinitions", {{{"name", "a"}, {"portMappings", {{{"protocol", "sctp"}}}}}}}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::Contains("containerDefinitions.1.member.portMappings.1.member.protocol"));
}

TEST_CASE("document members accept any JSON", "[protocol][validator]") {
    // ECR's and ECS's models have few documents; a structure member marked document is not walked.
    const std::string model_json = R"({"metadata": {"targetPrefix": "T"}, "operations": {"Op": {"input": {"shape": "In"}}},
        "shapes": {"In": {"type": "structure", "members": {"d": {"shape": "Doc"}}},
                   "Doc": {"type": "structure", "members": {}, "document": true}}})";
    const auto model = ServiceModel::parse(model_json);
    CHECK_NOTHROW(validate_input(model, *model.find_operation("Op")->input, {{"d", {1, "two", {{"three", 3}}}}}, "E"));
}

TEST_CASE("model patterns are matched against the whole value", "[protocol][validator]") {
    const auto tag = [](const std::string& value) {
        return validate("TagResource", {{"resourceArn", "a"}, {"tags", {{{"key", "k"}, {"value", value}}}}});
    };
    CHECK_FALSE(tag("plain value_with.all:allowed/chars=+-@"));
    CHECK_FALSE(tag("Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac"));  // letters of other scripts
    const auto error = tag("not*allowed");
    REQUIRE(error);
    CHECK(error->code() == "InvalidParameterException");
    CHECK_THAT(error->message(), Catch::Contains("at 'tags.1.member.value'") &&
                                     Catch::Contains("Member must satisfy regular expression pattern"));
}

TEST_CASE("a value too long for its shape is reported once, not also against the pattern", "[protocol][validator]") {
    const auto error = validate("TagResource", {{"resourceArn", "a"}, {"tags", {{{"key", std::string(200, '*')}}}}});
    REQUIRE(error);
    CHECK_THAT(error->message(), Catch::StartsWith("1 validation error detected"));
}
