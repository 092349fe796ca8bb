#include "util/ids.hpp"

#include <catch2/catch.hpp>
#include <map>
#include <regex>
#include <set>
#include <string>

using ecsbox::util::IdGenerator;

TEST_CASE("uuids are lower-case 8-4-4-4-12 hex with version 4 and the RFC 4122 variant", "[util][ids]") {
    IdGenerator ids;
    const std::regex format("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    for (int i = 0; i < 1000; ++i) {
        const std::string id = ids.uuid();
        INFO(id);
        REQUIRE(std::regex_match(id, format));
    }
}

TEST_CASE("uuids use every variant nibble 8, 9, a and b", "[util][ids]") {
    IdGenerator ids(7);
    std::set<char> variants;
    for (int i = 0; i < 1000; ++i) variants.insert(ids.uuid()[19]);
    CHECK(variants == std::set<char>{'8', '9', 'a', 'b'});
}

TEST_CASE("the uuid variant nibble is uniformly 8, 9, a or b", "[util][ids]") {
    // Two random bits follow the fixed variant bits 10, so each of the four nibbles is equally likely.
    IdGenerator ids(11);
    std::map<char, int> counts;
    for (int i = 0; i < 4000; ++i) ++counts[ids.uuid()[19]];
    for (const char nibble : {'8', '9', 'a', 'b'}) {
        INFO("variant nibble " << nibble << " seen " << counts[nibble] << " times in 4000");
        CHECK(counts[nibble] > 850);  // expected 1000, standard deviation about 27
        CHECK(counts[nibble] < 1150);
    }
}

TEST_CASE("generators with the same seed produce the same ids", "[util][ids]") {
    IdGenerator a(42);
    IdGenerator b(42);
    for (int i = 0; i < 20; ++i) CHECK(a.uuid() == b.uuid());
    CHECK(a.hex(40) == b.hex(40));
}

TEST_CASE("generators with different seeds produce different ids", "[util][ids]") {
    IdGenerator a(1);
    IdGenerator b(2);
    CHECK(a.uuid() != b.uuid());
}

TEST_CASE("ten thousand uuids from one generator are all distinct", "[util][ids]") {
    IdGenerator ids;
    std::set<std::string> seen;
    for (int i = 0; i < 10000; ++i) seen.insert(ids.uuid());
    CHECK(seen.size() == 10000);
}

TEST_CASE("hex returns exactly the requested number of lower-case hex digits", "[util][ids]") {
    IdGenerator ids(3);
    for (std::size_t length : {0u, 1u, 15u, 16u, 17u, 32u, 33u, 64u}) {
        const std::string text = ids.hex(length);
        INFO("length " << length);
        CHECK(text.size() == length);
        CHECK(text.find_first_not_of("0123456789abcdef") == std::string::npos);
    }
}
