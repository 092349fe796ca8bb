#include <catch2/catch.hpp>

#include "protocol/json_limits.hpp"

using ecsbox::protocol::json_nesting_depth;

TEST_CASE("nesting depth counts objects and arrays but not brackets in strings", "[protocol][limits]") {
    CHECK(json_nesting_depth("") == 0);
    CHECK(json_nesting_depth("{}") == 1);
    CHECK(json_nesting_depth(R"({"a": [1, {"b": []}]})") == 4);
    CHECK(json_nesting_depth(R"({"a": "[[[[{{{{"})") == 1);
    CHECK(json_nesting_depth(R"({"a": "quote \" [[[["})") == 1);
    CHECK(json_nesting_depth(R"([[]] [[[]]])") == 3);
}
