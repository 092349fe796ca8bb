#include "protocol/query_codec.hpp"

#include <catch2/catch.hpp>
#include <pugixml.hpp>

#include "protocol/form.hpp"
#include "support/service_harness.hpp"

using ecsbox::protocol::AwsError;
using ecsbox::protocol::HttpRequest;
using ecsbox::protocol::parse_form;
using ecsbox::protocol::QueryCodec;
using ecsbox::protocol::ServiceModel;
using nlohmann::json;

namespace {

HttpRequest form(const std::string& body) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers.emplace("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    request.body = body;
    return request;
}

json read(const std::string& operation, const std::string& params) {
    const auto model = ecsbox::testing::model_of("elbv2");
    return QueryCodec().read_input(*model, *model->find_operation(operation),
                                   form("Action=" + operation + "&Version=2015-12-01&" + params));
}

std::string error_code_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const AwsError& e) {
        return e.code();
    }
    return "";
}

pugi::xml_document xml(const std::string& text) {
    pugi::xml_document doc;
    REQUIRE(doc.load_string(text.c_str()));
    return doc;
}

// A model with the XML traits ELBv2 does not use: renamed members, flattened lists and maps.
const ServiceModel& traits_model() {
    static const auto model = ServiceModel::parse(R"({
      "metadata": {"apiVersion": "2020-01-01", "protocol": "query", "serviceId": "Traits",
                   "signingName": "traits", "xmlNamespace": "urn:traits"},
      "operations": {"Put": {"name": "Put", "input": {"shape": "PutInput"},
                             "output": {"shape": "PutInput", "resultWrapper": "PutResult"}}},
      "shapes": {
        "PutInput": {"type": "structure", "members": {
          "Names": {"shape": "Names", "locationName": "Name"},
          "Ids": {"shape": "Ids"},
          "Labels": {"shape": "Labels", "flattened": true, "locationName": "Label"}}},
        "Names": {"type": "list", "member": {"shape": "S"}, "flattened": true},
        "Ids": {"type": "list", "member": {"shape": "S", "locationName": "Id"}},
        "Labels": {"type": "map", "key": {"shape": "S", "locationName": "K"}, "value": {"shape": "S", "locationName": "V"}},
        "S": {"type": "string"}}})");
    return model;
}

}  // namespace

TEST_CASE("form bodies are percent-decoded, with + as a space", "[protocol][query]") {
    const auto params = parse_form("Action=Describe&Name=a%20b+c&Empty=&Flag&Name2=%2B");
    REQUIRE(params);
    CHECK(params->at("Action") == "Describe");
    CHECK(params->at("Name") == "a b c");
    CHECK(params->at("Empty").empty());
    CHECK(params->at("Flag").empty());
    CHECK(params->at("Name2") == "+");
    CHECK_FALSE(parse_form("Bad=%G1"));
    CHECK_FALSE(parse_form("Cut=%4"));
}

TEST_CASE("query parameters become the input shape's JSON: lists, nested structures, numbers, booleans",
          "[protocol][query]") {
    const auto input = read("CreateLoadBalancer",
                            "Name=web&Subnets.member.1=subnet-a&Subnets.member.2=subnet-b&SecurityGroups=&"
                            "Tags.member.1.Key=team&Tags.member.1.Value=blue&Scheme=internal");
    CHECK(input == json{{"Name", "web"},
                        {"Subnets", {"subnet-a", "subnet-b"}},
                        {"SecurityGroups", json::array()},
                        {"Tags", {{{"Key", "team"}, {"Value", "blue"}}}},
                        {"Scheme", "internal"}});
    const auto group = read("CreateTargetGroup",
                            "Name=tg&Protocol=HTTP&Port=8080&HealthCheckEnabled=true&HealthCheckIntervalSeconds=5&"
                            "Matcher.HttpCode=200-299");
    CHECK(group["Port"] == 8080);
    CHECK(group["HealthCheckEnabled"] == true);
    CHECK(group["HealthCheckIntervalSeconds"] == 5);
    CHECK(group["Matcher"] == json{{"HttpCode", "200-299"}});
}

TEST_CASE("a query parameter of the wrong type or version is the protocol's own error", "[protocol][query]") {
    CHECK(error_code_of([] { read("CreateTargetGroup", "Name=tg&Port=eighty"); }) == "ValidationError");
    CHECK(error_code_of([] { read("CreateTargetGroup", "Name=tg&HealthCheckEnabled=yes"); }) == "ValidationError");
    const auto model = ecsbox::testing::model_of("elbv2");
    const auto* op = model->find_operation("DescribeLoadBalancers");
    CHECK(error_code_of([&] { QueryCodec().read_input(*model, *op, form("Action=DescribeLoadBalancers")); }) ==
          "MissingParameter");
    CHECK(error_code_of([&] {
              QueryCodec().read_input(*model, *op, form("Action=DescribeLoadBalancers&Version=2012-06-01"));
          }) == "NoSuchVersion");
    CHECK(error_code_of([] { QueryCodec().operation_of(form("Version=2015-12-01")); }) == "MissingAction");
}

TEST_CASE("outputs are XML in the model's namespace, inside the result wrapper, with the request id",
          "[protocol][query]") {
    const auto model = ecsbox::testing::model_of("elbv2");
    const json output = {{"LoadBalancers",
                          {{{"LoadBalancerName", "web"},
                            {"CreatedTime", 1767225600.5},
                            {"AvailabilityZones", {{{"ZoneName", "us-east-1a"}, {"SubnetId", "subnet-a"}}}},
                            {"State", {{"Code", "active"}}}}}}};
    const auto response = QueryCodec().write_output(*model, *model->find_operation("DescribeLoadBalancers"), output, "rid-1");
    CHECK(response.status == 200);
    CHECK(response.headers.at("Content-Type") == "text/xml");
    const auto doc = xml(response.body);
    const auto root = doc.child("DescribeLoadBalancersResponse");
    CHECK(std::string(root.attribute("xmlns").value()) == "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/");
    const auto lb = root.child("DescribeLoadBalancersResult").child("LoadBalancers").child("member");
    CHECK(std::string(lb.child_value("LoadBalancerName")) == "web");
    CHECK(std::string(lb.child_value("CreatedTime")) == "2026-01-01T00:00:00.500Z");
    CHECK(std::string(lb.child("AvailabilityZones").child("member").child_value("ZoneName")) == "us-east-1a");
    CHECK(std::string(lb.child("State").child_value("Code")) == "active");
    CHECK(std::string(root.child("ResponseMetadata").child_value("RequestId")) == "rid-1");
}

TEST_CASE("locationName and flattened rename and unwrap lists and maps both ways", "[protocol][query]") {
    const auto& model = traits_model();
    const auto& put = *model.find_operation("Put");
    const auto input = QueryCodec().read_input(
        model, put, form("Action=Put&Version=2020-01-01&Name.1=a&Name.2=b&Ids.Id.1=x&Label.1.K=k1&Label.1.V=v1"));
    CHECK(input == json{{"Names", {"a", "b"}}, {"Ids", {"x"}}, {"Labels", {{"k1", "v1"}}}});

    const auto doc = xml(QueryCodec().write_output(model, put, input, "r").body);
    const auto result = doc.child("PutResponse").child("PutResult");
    std::vector<std::string> names;
    for (const auto& n : result.children("Name")) names.push_back(n.child_value());
    CHECK(names == std::vector<std::string>{"a", "b"});
    CHECK(std::string(result.child("Ids").child_value("Id")) == "x");
    CHECK(std::string(result.child("Label").child_value("K")) == "k1");
    CHECK(std::string(result.child("Label").child_value("V")) == "v1");
}

TEST_CASE("a recursive shape cannot be nested without bound by a long parameter name", "[protocol][query]") {
    static const auto model = ServiceModel::parse(R"({
      "metadata": {"apiVersion": "2020-01-01", "protocol": "query", "serviceId": "Tree", "signingName": "tree"},
      "operations": {"Put": {"name": "Put", "input": {"shape": "Node"}}},
      "shapes": {"Node": {"type": "structure", "members": {"Child": {"shape": "Node"}, "Name": {"shape": "S"}}},
                 "S": {"type": "string"}}})");
    std::string name = "Name";
    for (int i = 0; i < 5000; ++i) name = "Child." + name;
    const auto* put = model.find_operation("Put");
    CHECK(error_code_of([&] { QueryCodec().read_input(model, *put, form("Action=Put&Version=2020-01-01&" + name + "=x")); }) ==
          "ValidationError");
    const auto shallow = QueryCodec().read_input(model, *put, form("Action=Put&Version=2020-01-01&Child.Child.Name=x"));
    CHECK(shallow == json{{"Child", {{"Child", {{"Name", "x"}}}}}});
}

TEST_CASE("errors are an ErrorResponse with the error shape's code, type and status", "[protocol][query]") {
    const auto model = ecsbox::testing::model_of("elbv2");
    const auto response = QueryCodec().write_error(
        model.get(), AwsError("DuplicateLoadBalancerNameException", "A load balancer named web exists."), "rid-2");
    CHECK(response.status == 400);
    const auto doc = xml(response.body);
    const auto error = doc.child("ErrorResponse").child("Error");
    CHECK(std::string(error.child_value("Type")) == "Sender");
    CHECK(std::string(error.child_value("Code")) == "DuplicateLoadBalancerName");
    CHECK(std::string(error.child_value("Message")) == "A load balancer named web exists.");
    CHECK(std::string(doc.child("ErrorResponse").child_value("RequestId")) == "rid-2");
    const auto fault = QueryCodec().write_error(model.get(), AwsError("ServerException", "disk", 500), "r");
    CHECK(std::string(xml(fault.body).child("ErrorResponse").child("Error").child_value("Type")) == "Receiver");
}

TEST_CASE("form parameters that are not UTF-8 are a malformed query string", "[protocol][query]") {
    CHECK(parse_form("Name=caf%C3%A9"));
    CHECK_FALSE(parse_form("Name=%FF"));
    CHECK_FALSE(parse_form("Name=%C3"));          // cut short
    CHECK_FALSE(parse_form("Name=%C0%AF"));       // overlong
    CHECK_FALSE(parse_form("Name=%ED%A0%80"));    // a surrogate
    CHECK_FALSE(parse_form("%FF=x"));
}
