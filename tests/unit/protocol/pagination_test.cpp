#include <catch2/catch.hpp>

#include "protocol/aws_error.hpp"
#include "protocol/pagination.hpp"

using namespace ecsbox::protocol;
using nlohmann::json;

TEST_CASE("a page request defaults its size and decodes the token it issued", "[protocol][pagination]") {
    const PageLimits limits{100, 100};
    const auto first = read_page_request(json::object(), limits, "E");
    CHECK(first.limit == 100);
    CHECK_FALSE(first.after);

    const auto token = encode_page_token(json::array({"family", 3}));
    const auto next = read_page_request({{"nextToken", token}, {"maxResults", 2}}, limits, "E");
    CHECK(next.limit == 2);
    REQUIRE(next.after);
    CHECK(*next.after == json::array({"family", 3}));
}

TEST_CASE("maxResults outside the limits and foreign tokens are refused", "[protocol][pagination]") {
    const PageLimits limits{10, 10};
    CHECK_THROWS_MATCHES(read_page_request({{"maxResults", 0}}, limits, "InvalidParameterException"), AwsError,
                         Catch::Predicate<AwsError>([](const AwsError& e) {
                             return e.code() == "InvalidParameterException" &&
                                    e.message() == "maxResults must be between 1 and 10.";
                         }));
    CHECK_THROWS_AS(read_page_request({{"maxResults", 11}}, limits, "E"), AwsError);
    CHECK_THROWS_AS(read_page_request({{"nextToken", "garbage!"}}, limits, "E"), AwsError);
    CHECK_THROWS_AS(read_page_request({{"nextToken", "aGVsbG8="}}, limits, "E"), AwsError);  // "hello"
}
