#include <catch2/catch.hpp>
#include <fstream>

#include "support/service_harness.hpp"

using namespace ecsbox::protocol;
using ecsbox::testing::ecs_model;

TEST_CASE("the embedded ECS model names its JSON target prefix and every operation", "[protocol][model]") {
    const auto& model = *ecs_model();
    CHECK(model.target_prefix() == "AmazonEC2ContainerServiceV20141113");
    CHECK(model.signing_name() == "ecs");
    CHECK(model.operations().size() >= 60);
    REQUIRE(model.find_operation("CreateCluster"));
    CHECK_FALSE(model.find_operation("createCluster"));
    CHECK(std::is_sorted(model.operations().begin(), model.operations().end(),
                         [](const Operation& a, const Operation& b) { return a.name < b.name; }));
}

TEST_CASE("the embedded ECR model names its JSON target prefix and signing name", "[protocol][model]") {
    const auto model = ServiceModel::parse(embedded_model("ecr"));
    CHECK(model.target_prefix() == "AmazonEC2ContainerRegistry_V20150921");
    CHECK(model.signing_name() == "ecr");
    CHECK(model.find_operation("CreateRepository"));
    CHECK(model.find_operation("GetAuthorizationToken"));
}

TEST_CASE("shapes keep members, required lists, enums and limits", "[protocol][model]") {
    const auto& model = *ecs_model();
    const auto* op = model.find_operation("DeleteTaskDefinitions");
    REQUIRE(op);
    REQUIRE(op->input);
    const Shape& input = model.shape(*op->input);
    CHECK(input.type == ShapeType::structure);
    CHECK(input.required == std::vector<std::string>{"taskDefinitions"});
    REQUIRE(input.find_member("taskDefinitions"));
    CHECK(model.shape(input.find_member("taskDefinitions")->shape).type == ShapeType::list);

    const Shape& tags = model.shape(*model.find_shape("Tags"));
    CHECK(tags.max == 50);
    const Shape& tag_key = model.shape(*model.find_shape("TagKey"));
    CHECK(tag_key.min == 1);
    CHECK(tag_key.max == 128);
    const Shape& status = model.shape(*model.find_shape("TaskDefinitionFamilyStatus"));
    CHECK(status.enum_values == std::vector<std::string>{"ACTIVE", "INACTIVE", "ALL"});
}

TEST_CASE("exception shapes carry their HTTP status", "[protocol][model]") {
    const auto& model = *ecs_model();
    const Shape& server = model.shape(*model.find_shape("ServerException"));
    CHECK(server.exception);
    CHECK(server.fault);
    const Shape& client = model.shape(*model.find_shape("ClientException"));
    CHECK(client.exception);
    CHECK(client.http_status == 400);
}

TEST_CASE("a model that refers to a missing shape is refused at load", "[protocol][model]") {
    const std::string broken = R"({"metadata": {"targetPrefix": "X"}, "operations": {},
        "shapes": {"A": {"type": "structure", "members": {"b": {"shape": "Missing"}}}}})";
    CHECK_THROWS_WITH(ServiceModel::parse(broken), Catch::Contains("unknown shape Missing"));
}

TEST_CASE("every shipped model loads, patterns included", "[protocol][model]") {
    for (const char* file : {"/ecs/2014-11-13/service-2.json", "/ecr/2015-09-21/service-2.json"}) {
        INFO(file);
        std::ifstream in(std::string(ECSBOX_MODELS_DIR) + file);
        REQUIRE(in);
        const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto model = ServiceModel::parse(text);
        CHECK_FALSE(model.operations().empty());
    }
}
