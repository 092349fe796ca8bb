#include "registry/reference.hpp"

#include <catch2/catch.hpp>
#include <string>

using ecsbox::registry::looks_like_digest;
using ecsbox::registry::valid_digest;
using ecsbox::registry::valid_repository_name;
using ecsbox::registry::valid_tag;

namespace {
const std::string k_hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
}

TEST_CASE("repository names accept ECR's lower-case path grammar", "[registry][reference]") {
    CHECK(valid_repository_name("ab"));
    CHECK(valid_repository_name("web"));
    CHECK(valid_repository_name("team/web"));
    CHECK(valid_repository_name("team/sub-team/web.app_v2"));
    CHECK(valid_repository_name("a-b_c.d"));
    CHECK(valid_repository_name("a/b"));
    CHECK(valid_repository_name("0/9"));
}

TEST_CASE("repository names are 2 to 256 characters", "[registry][reference]") {
    CHECK_FALSE(valid_repository_name(""));
    CHECK_FALSE(valid_repository_name("a"));
    CHECK(valid_repository_name(std::string(256, 'a')));
    CHECK_FALSE(valid_repository_name(std::string(257, 'a')));
}

TEST_CASE("repository names reject every path trick", "[registry][reference]") {
    CHECK_FALSE(valid_repository_name("../x"));
    CHECK_FALSE(valid_repository_name("x/.."));
    CHECK_FALSE(valid_repository_name("a/../b"));
    CHECK_FALSE(valid_repository_name("./a"));
    CHECK_FALSE(valid_repository_name(".."));
    CHECK_FALSE(valid_repository_name("a//b"));
    CHECK_FALSE(valid_repository_name("/a"));
    CHECK_FALSE(valid_repository_name("a/"));
    CHECK_FALSE(valid_repository_name("//"));
    CHECK_FALSE(valid_repository_name("a\\b"));
    CHECK_FALSE(valid_repository_name("%2e%2e/x"));
    CHECK_FALSE(valid_repository_name("a%2fb"));
    CHECK_FALSE(valid_repository_name(std::string("ab\0cd", 5)));
}

TEST_CASE("repository name components start and end with a letter or digit", "[registry][reference]") {
    CHECK_FALSE(valid_repository_name(".a"));
    CHECK_FALSE(valid_repository_name("a."));
    CHECK_FALSE(valid_repository_name("-a"));
    CHECK_FALSE(valid_repository_name("a_"));
    CHECK_FALSE(valid_repository_name("a/.b"));
    CHECK_FALSE(valid_repository_name("a/b-"));
}

TEST_CASE("repository names join runs with '.', '_', '__' or any number of '-', as ECR's model says", "[registry][reference]") {
    CHECK_FALSE(valid_repository_name("a..b"));
    CHECK_FALSE(valid_repository_name("a.-b"));
    CHECK_FALSE(valid_repository_name("a___b"));
    CHECK_FALSE(valid_repository_name("a_-b"));
    CHECK(valid_repository_name("a--b"));
    CHECK(valid_repository_name("a---b"));
    CHECK(valid_repository_name("a__b"));
    CHECK(valid_repository_name("a-b-c"));
}

TEST_CASE("repository names are lower case without spaces or other punctuation", "[registry][reference]") {
    CHECK_FALSE(valid_repository_name("A"));
    CHECK_FALSE(valid_repository_name("Web"));
    CHECK_FALSE(valid_repository_name("team/Web"));
    CHECK_FALSE(valid_repository_name("a b"));
    CHECK_FALSE(valid_repository_name("a:b"));
    CHECK_FALSE(valid_repository_name("a@b"));
    CHECK_FALSE(valid_repository_name("caf\xc3\xa9"));
}

TEST_CASE("tags start with a letter, digit or underscore and run to 128 characters", "[registry][reference]") {
    CHECK(valid_tag("latest"));
    CHECK(valid_tag("v1.2.3-rc_1"));
    CHECK(valid_tag("_private"));
    CHECK(valid_tag("UPPER"));
    CHECK(valid_tag("7"));
    CHECK(valid_tag(std::string(128, 'a')));
    CHECK_FALSE(valid_tag(std::string(129, 'a')));
    CHECK_FALSE(valid_tag(""));
    CHECK_FALSE(valid_tag(".hidden"));
    CHECK_FALSE(valid_tag("-dash"));
    CHECK_FALSE(valid_tag("a/b"));
    CHECK_FALSE(valid_tag("a:b"));
    CHECK_FALSE(valid_tag("a b"));
    CHECK_FALSE(valid_tag(".."));
}

TEST_CASE("digests are sha256 with 64 lower-case hex digits", "[registry][reference]") {
    CHECK(valid_digest("sha256:" + k_hex64));
    CHECK_FALSE(valid_digest("sha256:" + k_hex64.substr(1)));
    CHECK_FALSE(valid_digest("sha256:" + k_hex64 + "0"));
    CHECK_FALSE(valid_digest("sha256:" + std::string(63, 'a') + "A"));
    CHECK_FALSE(valid_digest("sha256:" + std::string(63, 'a') + "g"));
    CHECK_FALSE(valid_digest("sha512:" + k_hex64));
    CHECK_FALSE(valid_digest("SHA256:" + k_hex64));
    CHECK_FALSE(valid_digest(k_hex64));
    CHECK_FALSE(valid_digest("sha256:../../" + k_hex64.substr(6)));
    CHECK_FALSE(valid_digest(""));
}

TEST_CASE("looks_like_digest tells a digest-shaped reference from a tag", "[registry][reference]") {
    CHECK(looks_like_digest("sha256:" + k_hex64));
    CHECK(looks_like_digest("sha256:abc"));  // shaped like one, though not a valid sha256
    CHECK(looks_like_digest("sha512:ABCdef"));
    CHECK(looks_like_digest("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
    CHECK(looks_like_digest("a.b_c-d:x=y"));
    CHECK_FALSE(looks_like_digest("latest"));
    CHECK_FALSE(looks_like_digest("v1.0"));
    CHECK_FALSE(looks_like_digest(":abc"));
    CHECK_FALSE(looks_like_digest("sha256:"));
    CHECK_FALSE(looks_like_digest("SHA256:abc"));
    CHECK_FALSE(looks_like_digest("sha256::abc"));
    CHECK_FALSE(looks_like_digest("sha256:ab/cd"));
    CHECK_FALSE(looks_like_digest("sha..256:abc"));
    CHECK_FALSE(looks_like_digest("+sha256:abc"));
    CHECK_FALSE(looks_like_digest(""));
}
