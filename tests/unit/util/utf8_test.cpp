#include "util/utf8.hpp"

#include <catch2/catch.hpp>

using ecsbox::util::utf8_length;

TEST_CASE("utf8_length counts code points, not bytes", "[util][utf8]") {
    CHECK(utf8_length("") == 0);
    CHECK(utf8_length("abc") == 3);
    CHECK(utf8_length("\xc3\xa9") == 1);                 // é, two bytes
    CHECK(utf8_length("\xe2\x82\xac") == 1);             // €, three bytes
    CHECK(utf8_length("\xf0\x9f\x98\x80") == 1);         // 😀, four bytes
    CHECK(utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z") == 5);
}

TEST_CASE("utf8_length counts an embedded NUL as one character", "[util][utf8]") {
    CHECK(utf8_length(std::string_view("a\0b", 3)) == 3);
}
