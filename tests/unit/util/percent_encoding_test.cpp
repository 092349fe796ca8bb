#include "util/percent_encoding.hpp"

#include <catch2/catch.hpp>

using ecsbox::util::percent_decode;

TEST_CASE("percent escapes and '+' are decoded; a broken escape is refused", "[util][percent]") {
    CHECK(percent_decode("a%20b+c%2B%2f") == "a b c+/");
    CHECK(percent_decode("") == "");
    CHECK_FALSE(percent_decode("%G1"));
    CHECK_FALSE(percent_decode("cut%4"));
    CHECK_FALSE(percent_decode("%"));
}
