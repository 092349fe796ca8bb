#include "util/base64.hpp"

#include <catch2/catch.hpp>
#include <string>

using ecsbox::util::base64_decode;
using ecsbox::util::base64_encode;

TEST_CASE("base64 encodes the RFC 4648 test vectors", "[util][base64]") {
    CHECK(base64_encode("") == "");
    CHECK(base64_encode("f") == "Zg==");
    CHECK(base64_encode("fo") == "Zm8=");
    CHECK(base64_encode("foo") == "Zm9v");
    CHECK(base64_encode("foob") == "Zm9vYg==");
    CHECK(base64_encode("fooba") == "Zm9vYmE=");
    CHECK(base64_encode("foobar") == "Zm9vYmFy");
}

TEST_CASE("base64 decodes the RFC 4648 test vectors", "[util][base64]") {
    CHECK(base64_decode("") == std::string());
    CHECK(base64_decode("Zg==") == std::string("f"));
    CHECK(base64_decode("Zm8=") == std::string("fo"));
    CHECK(base64_decode("Zm9v") == std::string("foo"));
    CHECK(base64_decode("Zm9vYg==") == std::string("foob"));
    CHECK(base64_decode("Zm9vYmE=") == std::string("fooba"));
    CHECK(base64_decode("Zm9vYmFy") == std::string("foobar"));
}

TEST_CASE("base64 uses the standard alphabet with + and /", "[util][base64]") {
    CHECK(base64_encode(std::string("\xfb\xff\xbf", 3)) == "+/+/");
    CHECK(base64_decode("+/+/") == std::string("\xfb\xff\xbf", 3));
}

TEST_CASE("base64 round trips every length from 0 to 10 of binary bytes", "[util][base64]") {
    for (std::size_t length = 0; length <= 10; ++length) {
        for (int start : {0, 1, 127, 200, 250}) {
            std::string bytes;
            for (std::size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>((start + 37 * i) % 256));
            INFO("length " << length << " start " << start);
            const std::string encoded = base64_encode(bytes);
            CHECK(encoded.size() == (length + 2) / 3 * 4);
            const auto decoded = base64_decode(encoded);
            REQUIRE(decoded.has_value());
            CHECK(*decoded == bytes);
        }
    }
}

TEST_CASE("base64 round trips all 256 byte values, NUL included", "[util][base64]") {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
    const auto decoded = base64_decode(base64_encode(bytes));
    REQUIRE(decoded.has_value());
    CHECK(*decoded == bytes);
}

TEST_CASE("base64 decode rejects text whose length is not a multiple of four", "[util][base64]") {
    CHECK_FALSE(base64_decode("Z"));
    CHECK_FALSE(base64_decode("Zg"));
    CHECK_FALSE(base64_decode("Zg="));
    CHECK_FALSE(base64_decode("Zm9vY"));
    CHECK_FALSE(base64_decode("Zm9vYmFy="));
}

TEST_CASE("base64 decode rejects characters outside the alphabet", "[util][base64]") {
    CHECK_FALSE(base64_decode("Zm9-"));  // URL-safe alphabet is not accepted
    CHECK_FALSE(base64_decode("Zm9_"));
    CHECK_FALSE(base64_decode("Zm 9"));
    CHECK_FALSE(base64_decode("Zm9v\nYmFy"));
    CHECK_FALSE(base64_decode(std::string("Zm9\0", 4)));
    CHECK_FALSE(base64_decode("Zm9\xff"));
    CHECK_FALSE(base64_decode("Zm9*"));
}

TEST_CASE("base64 decode rejects padding in the wrong place or data after it", "[util][base64]") {
    CHECK_FALSE(base64_decode("===="));
    CHECK_FALSE(base64_decode("Z==="));
    CHECK_FALSE(base64_decode("Zg=A"));           // data after padding within the last quantum
    CHECK_FALSE(base64_decode("Zg==Zg=="));       // padding before the last quantum
    CHECK_FALSE(base64_decode("Zm8=Zm9v"));
    CHECK_FALSE(base64_decode("=Zm9"));
}
