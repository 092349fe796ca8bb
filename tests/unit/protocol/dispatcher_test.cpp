#include <atomic>
#include <catch2/catch.hpp>
#include <pugixml.hpp>
#include <thread>

#include "support/service_harness.hpp"

using namespace ecsbox::protocol;
using ecsbox::testing::ServiceHarness;
using nlohmann::json;

namespace {

HttpRequest post(const std::string& target, std::string body) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    if (!target.empty()) request.headers.emplace("X-Amz-Target", target);
    request.body = std::move(body);
    return request;
}

const std::string k_prefix = "AmazonEC2ContainerServiceV20141113.";

}  // namespace

TEST_CASE("every answer carries a request id, errors also their type", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    const auto ok = ecs.call("ListClusters");
    CHECK(ok.status == 200);
    CHECK(ok.raw.headers.count("x-amzn-RequestId"));
    CHECK(ok.raw.headers.at("Content-Type") == "application/x-amz-json-1.1");

    const auto error = ecs.call("DescribeTaskDefinition", {{"taskDefinition", "nope"}});
    CHECK(error.status == 400);
    CHECK(error.raw.headers.at("X-Amzn-ErrorType") == "ClientException");
    CHECK(error.raw.headers.count("x-amzn-RequestId"));
    CHECK(error.error_code() == "ClientException");
    CHECK(error.message() == "Unable to describe task definition.");
}

TEST_CASE("unknown or missing targets are UnknownOperationException", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.raw(post(k_prefix + "LaunchRocket", "{}")).error_code() == "UnknownOperationException");
    CHECK(ecs.raw(post("SomeOtherService.ListClusters", "{}")).error_code() == "UnknownOperationException");
    CHECK(ecs.raw(post("", "{}")).error_code() == "UnknownOperationException");
    CHECK(ecs.raw(post("nodot", "{}")).error_code() == "UnknownOperationException");
    auto get = post(k_prefix + "ListClusters", "");
    get.method = "GET";
    CHECK(ecs.raw(get).error_code() == "UnknownOperationException");
}

TEST_CASE("a model operation without a handler says so by name", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    const auto reply = ecs.call("DiscoverPollEndpoint", json::object());
    CHECK(reply.status == 400);
    CHECK(reply.error_code() == "UnsupportedFeatureException");
    CHECK_THAT(reply.message(), Catch::Contains("DiscoverPollEndpoint"));
}

TEST_CASE("bodies that are not a JSON object are SerializationException", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    for (const std::string body : {"{", "[]", "\"text\"", "42", "null", "{\"a\": }", "{} {}", "\x01"}) {
        INFO(body);
        const auto reply = ecs.raw(post(k_prefix + "ListClusters", body));
        CHECK(reply.status == 400);
        CHECK(reply.error_code() == "SerializationException");
    }
}

TEST_CASE("an empty body is an empty request", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    CHECK(ecs.raw(post(k_prefix + "ListClusters", "")).status == 200);
}

TEST_CASE("invalid UTF-8 is refused and never echoed back raw", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    const auto reply = ecs.raw(post(k_prefix + "CreateCluster", "{\"clusterName\": \"a\xff\xfe\"}"));
    CHECK(reply.error_code() == "SerializationException");
}

TEST_CASE("deep nesting is refused before parsing", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    const std::string deep = "{\"tags\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    const auto reply = ecs.raw(post(k_prefix + "CreateCluster", deep));
    CHECK(reply.error_code() == "SerializationException");
    CHECK_THAT(reply.message(), Catch::Contains("nested"));
    // Brackets inside strings are not nesting.
    const std::string in_string = "{\"clusterName\": \"x\", \"ignored\": \"" + std::string(1000, '[') + "\"}";
    CHECK(ecs.raw(post(k_prefix + "CreateCluster", in_string)).status == 200);
}

TEST_CASE("the region comes from the SigV4 credential scope", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    const auto reply = ecs.call("CreateCluster", {{"clusterName", "where"}}, "eu-west-1");
    CHECK(reply.body["cluster"]["clusterArn"] == "arn:aws:ecs:eu-west-1:123456789012:cluster/where");
    // Unsigned requests fall back to the default region.
    const auto unsigned_reply = ecs.raw(post(k_prefix + "CreateCluster", R"({"clusterName": "plain"})"));
    CHECK(unsigned_reply.body["cluster"]["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/plain");
}

TEST_CASE("output is shaped by the model: no nulls, no undeclared members", "[protocol][dispatcher]") {
    // A handler that leaks bookkeeping and nulls; the wire shows neither.
    ecsbox::testing::FakeClock clock;
    ecsbox::util::IdGenerator ids{1};
    std::ostringstream sink;
    ecsbox::util::Logger log{sink, ecsbox::util::LogLevel::error};
    Dispatcher dispatcher({"123456789012", "us-east-1"}, ids, log);
    dispatcher.add_service(ecsbox::testing::ecs_model(), {"InvalidParameterException", "UnsupportedFeatureException"},
                           {{"ListClusters", [](const CallContext&, const json&) {
                                 return json{{"clusterArns", {"a"}}, {"nextToken", nullptr}, {"internalRowId", 7}};
                             }}});
    const auto response = dispatcher.dispatch(post(k_prefix + "ListClusters", "{}"));
    CHECK(json::parse(response.body) == json{{"clusterArns", {"a"}}});
}

TEST_CASE("a handler failure is a ServerException with status 500, and is logged", "[protocol][dispatcher]") {
    ecsbox::util::IdGenerator ids{1};
    std::ostringstream sink;
    ecsbox::util::Logger log{sink, ecsbox::util::LogLevel::error};
    Dispatcher dispatcher({"123456789012", "us-east-1"}, ids, log);
    dispatcher.add_service(ecsbox::testing::ecs_model(), {"InvalidParameterException", "UnsupportedFeatureException"},
                           {{"ListClusters", [](const CallContext&, const json&) -> json {
                                 throw std::runtime_error("disk on fire");
                             }}});
    const auto response = dispatcher.dispatch(post(k_prefix + "ListClusters", "{}"));
    CHECK(response.status == 500);
    CHECK(json::parse(response.body)["__type"] == "ServerException");
    CHECK_THAT(sink.str(), Catch::Contains("disk on fire"));
}

TEST_CASE("a handler for an operation the model lacks is a programming error", "[protocol][dispatcher]") {
    ecsbox::util::IdGenerator ids{1};
    std::ostringstream sink;
    ecsbox::util::Logger log{sink, ecsbox::util::LogLevel::error};
    Dispatcher dispatcher({"123456789012", "us-east-1"}, ids, log);
    CHECK_THROWS_AS(dispatcher.add_service(ecsbox::testing::ecs_model(), {"E", "U"},
                                           {{"MakeCoffee", [](const CallContext&, const json&) { return json(); }}}),
                    std::logic_error);
}

TEST_CASE("a flood of concurrent requests is answered and loses nothing", "[protocol][dispatcher]") {
    ServiceHarness ecs{"ecs"};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < 50; ++i) {
                const auto name = "c" + std::to_string(t) + "-" + std::to_string(i);
                if (ecs.call("CreateCluster", {{"clusterName", name}}).status != 200) ++failures;
                if (ecs.call("DescribeClusters", {{"clusters", {name}}}).body["clusters"].size() != 1) ++failures;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    std::size_t listed = 0;
    json input = {{"maxResults", 100}};
    do {
        const auto page = ecs.ok("ListClusters", input);
        listed += page["clusterArns"].size();
        input["nextToken"] = page.value("nextToken", "");
    } while (!input["nextToken"].get<std::string>().empty());
    CHECK(listed == 400);
}

TEST_CASE("a dispatcher says what each service it serves implements, in the model's order", "[protocol][dispatcher]") {
    ecsbox::util::IdGenerator ids{1};
    std::ostringstream sink;
    ecsbox::util::Logger log{sink, ecsbox::util::LogLevel::error};
    Dispatcher dispatcher({"123456789012", "us-east-1"}, ids, log);
    int context = 0;
    const ecsbox::protocol::ServiceSpec<int> spec{
        "ecs",
        {"InvalidParameterException", "UnsupportedFeatureException"},
        {{"ListClusters", [](int& n, const CallContext&, const json&) { return json{{"clusterArns", {std::to_string(++n)}}}; }},
         {"CreateCluster", [](int&, const CallContext&, const json&) { return json::object(); }}}};
    dispatcher.add(spec, context, ecsbox::testing::ecs_model());
    const auto served = dispatcher.services();
    REQUIRE(served.size() == 1);
    CHECK(served[0].model->target_prefix() == "AmazonEC2ContainerServiceV20141113");
    CHECK(served[0].implemented == std::vector<std::string>{"CreateCluster", "ListClusters"});
    CHECK(json::parse(dispatcher.dispatch(post(k_prefix + "ListClusters", "{}")).body)["clusterArns"][0] == "1");
    CHECK(context == 1);
}

namespace {

HttpRequest query(const std::string& body, const std::string& signed_for = "elasticloadbalancing") {
    HttpRequest request;
    request.method = "POST";
    request.path = "/";
    request.headers.emplace("Content-Type", "application/x-www-form-urlencoded");
    if (!signed_for.empty())
        request.headers.emplace("Authorization", ecsbox::testing::authorization_for("eu-west-1", signed_for));
    request.body = body;
    return request;
}

std::string xml_error_code(const HttpResponse& response) {
    pugi::xml_document doc;
    REQUIRE(doc.load_string(response.body.c_str()));
    return doc.child("ErrorResponse").child("Error").child_value("Code");
}

}  // namespace

TEST_CASE("query requests are routed by their signature's service, else by their Version", "[protocol][dispatcher]") {
    ecsbox::util::IdGenerator ids{1};
    std::ostringstream sink;
    ecsbox::util::Logger log{sink, ecsbox::util::LogLevel::error};
    Dispatcher dispatcher({"123456789012", "us-east-1"}, ids, log);
    std::vector<json> seen;
    const ServiceSpec<std::vector<json>> elbv2{
        "elbv2",
        {"ValidationError", "OperationNotPermitted"},
        {{"DescribeLoadBalancers", [](std::vector<json>& calls, const CallContext& call, const json& input) {
              calls.push_back({{"region", call.region}, {"input", input}});
              return json{{"LoadBalancers", json::array()}, {"NextMarker", "m2"}};
          }}}};
    dispatcher.add(elbv2, seen, ecsbox::testing::model_of("elbv2"));
    int ecs_calls = 0;
    const ServiceSpec<int> ecs{"ecs", {"InvalidParameterException", "UnsupportedFeatureException"},
                               {{"ListClusters", [](int& n, const CallContext&, const json&) {
                                     ++n;
                                     return json{{"clusterArns", json::array()}};
                                 }}}};
    dispatcher.add(ecs, ecs_calls, ecsbox::testing::ecs_model());

    const auto signed_call =
        dispatcher.dispatch(query("Action=DescribeLoadBalancers&Version=2015-12-01&Names.member.1=web&PageSize=5"));
    CHECK(signed_call.status == 200);
    REQUIRE(seen.size() == 1);
    CHECK(seen[0] == json{{"region", "eu-west-1"}, {"input", {{"Names", {"web"}}, {"PageSize", 5}}}});
    pugi::xml_document doc;
    REQUIRE(doc.load_string(signed_call.body.c_str()));
    CHECK(std::string(doc.child("DescribeLoadBalancersResponse").child("DescribeLoadBalancersResult").child_value(
              "NextMarker")) == "m2");

    CHECK(dispatcher.dispatch(query("Action=DescribeLoadBalancers&Version=2015-12-01", "")).status == 200);
    CHECK(seen.size() == 2);
    CHECK(xml_error_code(dispatcher.dispatch(query("Action=DescribeLoadBalancers&Version=2015-12-01", "monitoring"))) ==
          "InvalidAction");
    CHECK(xml_error_code(dispatcher.dispatch(query("Action=LaunchRocket&Version=2015-12-01"))) == "InvalidAction");
    const auto unsupported = dispatcher.dispatch(query("Action=DeleteLoadBalancer&Version=2015-12-01&LoadBalancerArn=a"));
    CHECK(xml_error_code(unsupported) == "OperationNotPermitted");
    const auto invalid = dispatcher.dispatch(query("Action=DescribeLoadBalancers&Version=2015-12-01&PageSize=0"));
    CHECK(invalid.status == 400);
    CHECK(xml_error_code(invalid) == "ValidationError");

    // JSON services keep their own wire beside it.
    CHECK(dispatcher.dispatch(post(k_prefix + "ListClusters", "{}")).status == 200);
    CHECK(ecs_calls == 1);
}
