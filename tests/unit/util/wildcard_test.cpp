#include "util/wildcard.hpp"

#include <catch2/catch.hpp>

using ecsbox::util::wildcard_match;

TEST_CASE("a wildcard filter matches any run of characters at its stars", "[util][wildcard]") {
    CHECK(wildcard_match("latest", "latest"));
    CHECK_FALSE(wildcard_match("latest", "latest2"));
    CHECK(wildcard_match("dev-*", "dev-"));
    CHECK(wildcard_match("dev-*", "dev-123"));
    CHECK_FALSE(wildcard_match("dev-*", "de"));
    CHECK(wildcard_match("*", ""));
    CHECK(wildcard_match("*-rc*", "1.0-rc2"));
    CHECK(wildcard_match("a*b*c", "aXbYbZc"));
    CHECK_FALSE(wildcard_match("a*b*c", "aXbYbZ"));
    CHECK(wildcard_match("**x", "x"));
}

TEST_CASE("'?' is one character only where the syntax says so, and case is ignored on request", "[util][wildcard]") {
    CHECK_FALSE(wildcard_match("v?", "v1"));
    CHECK(wildcard_match("v?", "v?"));
    CHECK(wildcard_match("v?", "v1", {.question_mark = true}));
    CHECK_FALSE(wildcard_match("v?", "v12", {.question_mark = true}));
    CHECK_FALSE(wildcard_match("Dev-*", "dev-1"));
    CHECK(wildcard_match("Dev-*", "DEV-1", {.ignore_case = true}));
    CHECK(wildcard_match("/img/?.png", "/img/a.png", {.question_mark = true}));
    CHECK(wildcard_match("*.EXAMPLE.com", "shop.example.COM", {.question_mark = true, .ignore_case = true}));
    CHECK_FALSE(wildcard_match("*a*b*c", "xxaxxcxxb", {.question_mark = true}));
}
