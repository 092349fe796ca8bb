#include "lb/rules.hpp"

#include <catch2/catch.hpp>
#include <map>

using namespace ecsbox::lb;

namespace {

HttpHead request(const std::string& method, const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    HttpHead head;
    head.method = method;
    head.target = target;
    head.headers = std::move(headers);
    return head;
}

Action forward_to(const std::string& group) {
    Action action;
    action.groups = {{group, 1}};
    return action;
}

}  // namespace

TEST_CASE("conditions read the path, host, headers, method, query string and source address", "[lb][rules]") {
    const auto get = request("GET", "/api/v1/items?Color=Blue%20Sky&size=L",
                             {{"Host", "Shop.Example.com:8080"}, {"User-Agent", "Mobile Safari"}});
    CHECK(matches({"path-pattern", {"/api/*"}, "", {}}, get, "10.0.0.5"));
    CHECK_FALSE(matches({"path-pattern", {"/items*"}, "", {}}, get, "10.0.0.5"));  // the query is not the path
    CHECK(matches({"host-header", {"*.example.com"}, "", {}}, get, "10.0.0.5"));
    CHECK(matches({"http-header", {"*mobile*"}, "user-agent", {}}, get, "10.0.0.5"));
    CHECK_FALSE(matches({"http-header", {"*mobile*"}, "X-Other", {}}, get, "10.0.0.5"));
    CHECK(matches({"http-request-method", {"POST", "GET"}, "", {}}, get, "10.0.0.5"));
    CHECK_FALSE(matches({"http-request-method", {"get"}, "", {}}, get, "10.0.0.5"));
    CHECK(matches({"query-string", {}, "", {{std::string("color"), "blue sky"}}}, get, "10.0.0.5"));
    CHECK(matches({"query-string", {}, "", {{std::nullopt, "L"}}}, get, "10.0.0.5"));
    CHECK_FALSE(matches({"query-string", {}, "", {{std::string("size"), "M"}}}, get, "10.0.0.5"));
    CHECK(matches({"source-ip", {"10.0.0.0/8"}, "", {}}, get, "10.0.0.5"));
    CHECK_FALSE(matches({"source-ip", {"192.168.0.0/16"}, "", {}}, get, "10.0.0.5"));
    CHECK(matches({"source-ip", {"::1/128"}, "", {}}, get, "::1"));
}

TEST_CASE("the lowest-priority rule whose conditions all match wins, else the default", "[lb][rules]") {
    std::vector<Rule> rules = {
        {20, {{"path-pattern", {"/api/*"}, "", {}}}, forward_to("api")},
        {10, {{"path-pattern", {"/api/*"}, "", {}}, {"http-request-method", {"POST"}, "", {}}}, forward_to("writes")},
        {5, {{"host-header", {"admin.*"}, "", {}}}, forward_to("admin")},
    };
    const auto fallback = forward_to("web");
    CHECK(select_action(rules, fallback, request("POST", "/api/x"), "").groups[0].target_group == "writes");
    CHECK(select_action(rules, fallback, request("GET", "/api/x"), "").groups[0].target_group == "api");
    CHECK(select_action(rules, fallback, request("GET", "/api/x", {{"Host", "admin.local"}}), "").groups[0].target_group ==
          "admin");
    CHECK(select_action(rules, fallback, request("GET", "/"), "").groups[0].target_group == "web");
}

TEST_CASE("weighted target groups get their share in every window", "[lb][rules]") {
    WeightedChoice choice;
    const std::vector<WeightedGroup> canary = {{"blue", 90}, {"green", 10}};
    std::map<std::string, int> counts;
    for (int i = 0; i < 100; ++i) ++counts[canary[*choice.pick(canary)].target_group];
    CHECK(counts["blue"] == 90);
    CHECK(counts["green"] == 10);
    int green_in_first_ten = 0;
    WeightedChoice fresh;
    for (int i = 0; i < 10; ++i) green_in_first_ten += canary[*fresh.pick(canary)].target_group == "green";
    CHECK(green_in_first_ten == 1);
    CHECK_FALSE(choice.pick({{"off", 0}}));
}

TEST_CASE("fixed responses and redirects are answered by the balancer", "[lb][rules]") {
    Action fixed;
    fixed.type = Action::Type::fixed_response;
    fixed.status = 404;
    fixed.body = "nothing here";
    const auto answer = local_answer(fixed, request("GET", "/"), 80, true);
    CHECK(answer.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
    CHECK(answer.find("Content-Length: 12\r\n") != std::string::npos);
    CHECK(answer.substr(answer.size() - 12) == "nothing here");

    Action redirect;
    redirect.type = Action::Type::redirect;
    redirect.status = 301;
    const auto to_https = [&] {
        auto r = redirect;
        r.protocol = "HTTPS";
        r.port = "443";
        return r;
    }();
    const auto get = request("GET", "/shop/cart?id=7", {{"Host", "example.com:8080"}});
    CHECK(redirect_location(to_https, get, 8080) == "https://example.com/shop/cart?id=7");
    auto moved = redirect;
    moved.path = "/new/#{path}";
    moved.query = "from=old&#{query}";
    CHECK(redirect_location(moved, get, 8080) == "http://example.com:8080/new/shop/cart?from=old&id=7");
    CHECK(local_answer(moved, get, 8080, false).find("Location: http://example.com:8080/new/shop/cart?from=old&id=7\r\n") !=
          std::string::npos);
    // Control bytes the parser let through (found by fuzzing) never reach the Location header.
    const auto odd = request("POST", "/\f", {{"Host", "\x07"}});
    CHECK(redirect_location(to_https, odd, 80) == "https://%07/%0C");
}
