#include "docker/image_reference.hpp"

#include <catch2/catch.hpp>

using ecsbox::docker::parse_image_reference;

TEST_CASE("image references split into repository, tag and digest", "[docker][image_reference]") {
    auto ref = parse_image_reference("nginx");
    CHECK(ref.repository == "nginx");
    CHECK(ref.tag.empty());
    CHECK(ref.pull_tag() == "latest");
    CHECK(ref.registry().empty());

    ref = parse_image_reference("library/nginx:1.27-alpine");
    CHECK(ref.repository == "library/nginx");
    CHECK(ref.tag == "1.27-alpine");
    CHECK(ref.registry().empty());
}

TEST_CASE("a registry port is not a tag", "[docker][image_reference]") {
    auto ref = parse_image_reference("localhost:4566/team/app:v2");
    CHECK(ref.repository == "localhost:4566/team/app");
    CHECK(ref.tag == "v2");
    CHECK(ref.registry() == "localhost:4566");

    ref = parse_image_reference("127.0.0.1:1/nothing");
    CHECK(ref.repository == "127.0.0.1:1/nothing");
    CHECK(ref.pull_tag() == "latest");
    CHECK(ref.registry() == "127.0.0.1:1");

    ref = parse_image_reference("000000000000.dkr.ecr.us-east-1.amazonaws.com/web:1");
    CHECK(ref.registry() == "000000000000.dkr.ecr.us-east-1.amazonaws.com");
    CHECK(ref.repository == "000000000000.dkr.ecr.us-east-1.amazonaws.com/web");
}

TEST_CASE("a digest pins the pull, whatever the tag says", "[docker][image_reference]") {
    const std::string digest = "sha256:" + std::string(64, 'a');
    auto ref = parse_image_reference("localhost:5000/app@" + digest);
    CHECK(ref.repository == "localhost:5000/app");
    CHECK(ref.digest == digest);
    CHECK(ref.pull_tag() == digest);

    ref = parse_image_reference("app:v1@" + digest);
    CHECK(ref.repository == "app");
    CHECK(ref.tag == "v1");
    CHECK(ref.pull_tag() == digest);
}
