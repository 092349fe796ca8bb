#include "registry/manifest.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace ecsbox::registry;
using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

std::string digest_of(char fill) { return "sha256:" + std::string(64, fill); }

const std::string k_config = digest_of('c');
const std::string k_layer_a = digest_of('a');
const std::string k_layer_b = digest_of('b');

// The shape `docker push` sends for a two-layer image.
json docker_manifest() {
    return {
        {"schemaVersion", 2},
        {"mediaType", media_type::docker_manifest},
        {"config", {{"mediaType", media_type::docker_config}, {"size", 1472}, {"digest", k_config}}},
        {"layers",
         {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"},
           {"size", 2814446},
           {"digest", k_layer_a}},
          {{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"}, {"size", 391}, {"digest", k_layer_b}}}},
    };
}

json oci_manifest() {
    return {
        {"schemaVersion", 2},
        {"mediaType", media_type::oci_manifest},
        {"config", {{"mediaType", media_type::oci_config}, {"size", 581}, {"digest", k_config}}},
        {"layers",
         {{{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"}, {"size", 3623807}, {"digest", k_layer_a}}}},
        {"annotations", {{"org.opencontainers.image.created", "2024-01-01T00:00:00Z"}}},
    };
}

json platform_entry(const std::string& type, char fill, std::uint64_t size, const char* arch) {
    return {{"mediaType", type},
            {"size", size},
            {"digest", digest_of(fill)},
            {"platform", {{"architecture", arch}, {"os", "linux"}}}};
}

std::string text(const json& j) { return j.dump(); }

}  // namespace

TEST_CASE("a Docker schema 2 image manifest yields its config, layers and size", "[manifest]") {
    const auto m = parse_manifest(text(docker_manifest()), media_type::docker_manifest);
    CHECK(m.media_type == media_type::docker_manifest);
    CHECK(m.artifact_media_type == media_type::docker_config);
    REQUIRE(m.config);
    CHECK(m.config->digest == k_config);
    CHECK(m.config->size == 1472);
    REQUIRE(m.layers.size() == 2);
    CHECK(m.layers[1].media_type == "application/vnd.docker.image.rootfs.diff.tar.gzip");
    CHECK_FALSE(m.is_index());
    CHECK(m.blob_digests() == std::vector<std::string>{k_config, k_layer_a, k_layer_b});
    CHECK(m.image_size() == 1472 + 2814446 + 391);
    CHECK_FALSE(m.subject);
}

TEST_CASE("an OCI image manifest parses with or without a Content-Type", "[manifest]") {
    for (const char* content_type : {"application/vnd.oci.image.manifest.v1+json", ""}) {
        const auto m = parse_manifest(text(oci_manifest()), content_type);
        CHECK(m.media_type == media_type::oci_manifest);
        CHECK(m.artifact_media_type == media_type::oci_config);
        CHECK(m.layers.size() == 1);
        CHECK(m.image_size() == 581 + 3623807);
    }
}

TEST_CASE("Content-Type parameters and case do not change the media type", "[manifest]") {
    const auto m = parse_manifest(text(oci_manifest()), " Application/VND.oci.image.manifest.v1+json ; charset=utf-8");
    CHECK(m.media_type == media_type::oci_manifest);
}

TEST_CASE("an OCI manifest without mediaType takes the Content-Type's, or is inferred", "[manifest]") {
    auto body = oci_manifest();
    body.erase("mediaType");
    CHECK(parse_manifest(text(body), media_type::oci_manifest).media_type == media_type::oci_manifest);
    CHECK(parse_manifest(text(body), "").media_type == media_type::oci_manifest);
    CHECK(parse_manifest(text(body), "application/json").media_type == media_type::oci_manifest);

    const json index = {{"schemaVersion", 2}, {"manifests", json::array()}};
    CHECK(parse_manifest(text(index), "").media_type == media_type::oci_index);
}

TEST_CASE("a Docker manifest must carry its mediaType", "[manifest]") {
    auto body = docker_manifest();
    body.erase("mediaType");
    CHECK_THROWS_WITH(parse_manifest(text(body), media_type::docker_manifest), Contains("mediaType is required"));
}

TEST_CASE("a Docker manifest list names its per-platform children", "[manifest]") {
    const json list = {
        {"schemaVersion", 2},
        {"mediaType", media_type::docker_manifest_list},
        {"manifests",
         {platform_entry(std::string(media_type::docker_manifest), '1', 1000, "amd64"),
          platform_entry(std::string(media_type::docker_manifest), '2', 1200, "arm64")}},
    };
    const auto m = parse_manifest(text(list), media_type::docker_manifest_list);
    CHECK(m.media_type == media_type::docker_manifest_list);
    CHECK(m.is_index());
    CHECK(m.artifact_media_type.empty());
    REQUIRE(m.manifests.size() == 2);
    CHECK(m.manifests[0].digest == digest_of('1'));
    CHECK(m.blob_digests().empty());
    CHECK(m.image_size() == 0);  // an index's size is its largest image's, known to the repository
}

TEST_CASE("an OCI index may hold manifests without a platform and carry a subject", "[manifest]") {
    const json index = {
        {"schemaVersion", 2},
        {"mediaType", media_type::oci_index},
        {"manifests",
         {platform_entry(std::string(media_type::oci_manifest), '1', 500, "amd64"),
          {{"mediaType", media_type::oci_manifest}, {"size", 840}, {"digest", digest_of('2')}}}},
        {"subject", {{"mediaType", media_type::oci_manifest}, {"size", 10}, {"digest", digest_of('9')}}},
    };
    const auto m = parse_manifest(text(index), media_type::oci_index);
    CHECK(m.media_type == media_type::oci_index);
    CHECK(m.is_index());
    CHECK(m.manifests.size() == 2);
    REQUIRE(m.subject);
    CHECK(m.subject->digest == digest_of('9'));
    CHECK(m.image_size() == 0);
}

TEST_CASE("an OCI artifact reports its artifactType and may have no layers", "[manifest]") {
    const json artifact = {
        {"schemaVersion", 2},
        {"mediaType", media_type::oci_manifest},
        {"artifactType", "application/vnd.example.sbom.v1+json"},
        {"config", {{"mediaType", "application/vnd.oci.empty.v1+json"}, {"size", 2}, {"digest", k_config}}},
        {"layers", json::array()},
        {"subject", {{"mediaType", media_type::oci_manifest}, {"size", 10}, {"digest", digest_of('9')}}},
    };
    const auto m = parse_manifest(text(artifact), media_type::oci_manifest);
    CHECK(m.artifact_media_type == "application/vnd.example.sbom.v1+json");
    CHECK(m.layers.empty());
    CHECK_FALSE(m.is_index());
    CHECK(m.blob_digests() == std::vector<std::string>{k_config});
    CHECK(m.image_size() == 2);
    REQUIRE(m.subject);
}

TEST_CASE("blob digests are listed once even when config and a layer share one", "[manifest]") {
    auto body = docker_manifest();
    body["layers"][1]["digest"] = k_config;
    body["layers"].push_back(body["layers"][0]);
    const auto m = parse_manifest(text(body), "");
    CHECK(m.blob_digests() == std::vector<std::string>{k_config, k_layer_a});
}

TEST_CASE("malformed bodies are refused with what is wrong", "[manifest]") {
    CHECK_THROWS_AS(parse_manifest("{\"schemaVersion\": 2,", ""), ManifestError);
    CHECK_THROWS_WITH(parse_manifest("{\"schemaVersion\": 2,", ""), Contains("not valid JSON"));
    CHECK_THROWS_WITH(parse_manifest("[1, 2]", ""), Contains("must be a JSON object"));
    CHECK_THROWS_WITH(parse_manifest(std::string(100, '[') + std::string(100, ']'), ""), Contains("nests deeper"));
}

TEST_CASE("schemaVersion must be 2", "[manifest]") {
    auto body = docker_manifest();
    body["schemaVersion"] = 1;
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("schemaVersion 1") && Contains("not supported"));
    body["schemaVersion"] = 3;
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("schemaVersion 3 is not supported"));
    body["schemaVersion"] = "2";
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("schemaVersion must be the integer 2"));
    body.erase("schemaVersion");
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("schemaVersion is required"));
}

TEST_CASE("schema 1 manifests are refused by name", "[manifest]") {
    const json schema1 = {{"schemaVersion", 1}, {"name", "app"}, {"tag", "v1"}, {"fsLayers", json::array()}};
    CHECK_THROWS_WITH(parse_manifest(text(schema1), "application/vnd.docker.distribution.manifest.v1+prettyjws"),
                      Contains("schema 1") && Contains("v1+prettyjws"));
    CHECK_THROWS_WITH(parse_manifest(text(schema1), "application/vnd.docker.distribution.manifest.v1+json"),
                      Contains("schema 1"));
    auto body = docker_manifest();
    body["mediaType"] = "application/vnd.docker.distribution.manifest.v1+json";
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("schema 1"));
}

TEST_CASE("Content-Type and mediaType must agree", "[manifest]") {
    CHECK_THROWS_WITH(parse_manifest(text(docker_manifest()), media_type::oci_manifest),
                      Contains("does not match") && Contains(std::string(media_type::docker_manifest)));
    CHECK_THROWS_WITH(parse_manifest(text(oci_manifest()), media_type::oci_index), Contains("does not match"));
}

TEST_CASE("unknown manifest media types are refused", "[manifest]") {
    auto body = oci_manifest();
    body["mediaType"] = "application/vnd.oci.artifact.manifest.v1+json";
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("media type application/vnd.oci.artifact"));
}

TEST_CASE("image manifests need config and layers; indexes need manifests", "[manifest]") {
    auto body = docker_manifest();
    body.erase("config");
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("config is required"));
    body = docker_manifest();
    body.erase("layers");
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("layers is required"));
    body["layers"] = json::object();
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("layers must be an array"));
    const json list = {{"schemaVersion", 2}, {"mediaType", media_type::docker_manifest_list}};
    CHECK_THROWS_WITH(parse_manifest(text(list), ""), Contains("manifests is required"));
    const json neither = {{"schemaVersion", 2}};
    CHECK_THROWS_WITH(parse_manifest(text(neither), ""), Contains("neither config nor manifests"));
}

TEST_CASE("descriptors need a mediaType, a sha256 digest and a size", "[manifest]") {
    auto with_layer = [](const char* key, const json& value) {
        auto body = docker_manifest();
        body["layers"].push_back(body["layers"][0]);
        if (value.is_null())
            body["layers"][2].erase(key);
        else
            body["layers"][2][key] = value;
        return text(body);
    };
    CHECK_THROWS_WITH(parse_manifest(with_layer("digest", "sha256:ABC"), ""),
                      Contains("layers[2].digest is not a sha256 digest"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("digest", "sha256:" + std::string(64, 'A')), ""),
                      Contains("layers[2].digest is not a sha256 digest"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("digest", "sha512:" + std::string(128, 'a')), ""),
                      Contains("layers[2].digest uses sha512") && Contains("only sha256"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("digest", json()), ""), Contains("layers[2].digest is required"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("size", json()), ""), Contains("layers[2].size is required"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("size", -1), ""), Contains("layers[2].size must not be negative"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("size", 1.5), ""),
                      Contains("layers[2].size must be a non-negative integer"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("size", "12"), ""),
                      Contains("layers[2].size must be a non-negative integer"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("mediaType", json()), ""), Contains("layers[2].mediaType is required"));
    CHECK_THROWS_WITH(parse_manifest(with_layer("mediaType", 7), ""),
                      Contains("layers[2].mediaType must be a non-empty string"));

    auto body = docker_manifest();
    body["config"]["digest"] = "sha256:xyz";
    CHECK_THROWS_WITH(parse_manifest(text(body), ""), Contains("config.digest is not a sha256 digest"));
}

TEST_CASE("index entries are checked like descriptors, platform included", "[manifest]") {
    json index = {{"schemaVersion", 2},
                  {"mediaType", media_type::oci_index},
                  {"manifests", {platform_entry(std::string(media_type::oci_manifest), '1', 5, "amd64")}}};
    index["manifests"][0]["platform"].erase("os");
    CHECK_THROWS_WITH(parse_manifest(text(index), ""), Contains("manifests[0].platform.os must be a string"));
    index["manifests"][0]["digest"] = "md5:abc";
    CHECK_THROWS_WITH(parse_manifest(text(index), ""), Contains("manifests[0].digest uses md5"));
}

TEST_CASE("a body over the size limit is refused before it is parsed", "[manifest]") {
    const std::string oversized(k_max_manifest_bytes + 1, ' ');
    CHECK_THROWS_WITH(parse_manifest(oversized, media_type::oci_manifest), Contains("limit"));
    // At the limit the body is parsed (and here found wanting for other reasons).
    std::string at_limit = text(oci_manifest());
    at_limit.resize(k_max_manifest_bytes, ' ');
    CHECK(parse_manifest(at_limit, "").media_type == media_type::oci_manifest);
}

TEST_CASE("Accept headers are matched as media ranges", "[manifest]") {
    const auto docker = media_type::docker_manifest;
    CHECK(accepts_media_type("", docker));
    CHECK(accepts_media_type("  ", docker));
    CHECK(accepts_media_type(docker, docker));
    CHECK(accepts_media_type("*/*", docker));
    CHECK(accepts_media_type("application/*", docker));
    CHECK_FALSE(accepts_media_type("text/*", docker));
    CHECK(accepts_media_type(
        "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json", docker));
    CHECK(accepts_media_type(
        "application/vnd.oci.image.index.v1+json;q=0.5 ,\tapplication/vnd.docker.distribution.manifest.v2+json; q=0.9",
        docker));
    CHECK(accepts_media_type("Application/VND.Docker.Distribution.Manifest.V2+JSON", docker));
    CHECK_FALSE(accepts_media_type("application/vnd.docker.distribution.manifest.v1+prettyjws", docker));
    CHECK_FALSE(accepts_media_type("application/vnd.oci.image.manifest.v1+json", media_type::oci_index));
    CHECK_FALSE(accepts_media_type(",", docker));
}
