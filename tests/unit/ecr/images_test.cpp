#include <catch2/catch.hpp>
#include <set>

#include "support/service_harness.hpp"
#include "support/ecr_push.hpp"

using ecsbox::testing::docker_manifest;
using ecsbox::testing::ServiceHarness;
using ecsbox::testing::push_image;
using ecsbox::testing::push_image_blobs;
using ecsbox::testing::sha256_digest;
using nlohmann::json;

namespace {

const std::string k_registry = "123456789012";
const std::string k_config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}})";
const std::vector<std::string> k_layers = {"first layer bytes", "second layer"};

// A harness whose registry already has one repository.
struct WithRepository : ServiceHarness {
    explicit WithRepository(const std::string& name = "app") : ServiceHarness("ecr") { ok("CreateRepository", {{"repositoryName", name}}); }
};

}  // namespace

TEST_CASE("an image pushed with the layer API and PutImage is described, listed and fetched", "[ecr][images]") {
    WithRepository ecr;
    const auto manifest = push_image_blobs(ecr, "app", k_config, k_layers);
    const auto digest = sha256_digest(manifest);

    const auto put = ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v1"}});
    CHECK(put["image"] == json{{"registryId", k_registry},
                               {"repositoryName", "app"},
                               {"imageId", {{"imageDigest", digest}, {"imageTag", "v1"}}},
                               {"imageManifest", manifest},
                               {"imageManifestMediaType", "application/vnd.docker.distribution.manifest.v2+json"}});

    const auto details = ecr.ok("DescribeImages", {{"repositoryName", "app"}})["imageDetails"];
    REQUIRE(details.size() == 1);
    CHECK(details[0] == json{{"registryId", k_registry},
                             {"repositoryName", "app"},
                             {"imageDigest", digest},
                             {"imageTags", {"v1"}},
                             {"imageSizeInBytes", k_config.size() + k_layers[0].size() + k_layers[1].size()},
                             {"imagePushedAt", ecr.clock().now()},
                             {"imageManifestMediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                             {"artifactMediaType", "application/vnd.docker.container.image.v1+json"}});

    CHECK(ecr.ok("ListImages", {{"repositoryName", "app"}}) ==
          json{{"imageIds", {{{"imageDigest", digest}, {"imageTag", "v1"}}}}});

    ecr.clock().advance(30);
    const auto got = ecr.ok("BatchGetImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v1"}}}}});
    CHECK(got["failures"].empty());
    REQUIRE(got["images"].size() == 1);
    CHECK(got["images"][0]["imageManifest"] == manifest);  // the exact bytes
    CHECK(got["images"][0]["imageId"] == json{{"imageDigest", digest}, {"imageTag", "v1"}});
    CHECK(got["images"][0]["imageManifestMediaType"] == "application/vnd.docker.distribution.manifest.v2+json");
    // A fetch is a pull.
    CHECK(ecr.ok("DescribeImages", {{"repositoryName", "app"}})["imageDetails"][0]["lastRecordedPullTime"] ==
          ecr.clock().now());

    // The same bytes under another tag: a tag more, not an image more.
    ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "latest"}});
    CHECK(ecr.ok("DescribeImages", {{"repositoryName", "app"}})["imageDetails"][0]["imageTags"] ==
          json::array({"latest", "v1"}));
}

TEST_CASE("PutImage refuses what ECR refuses", "[ecr][images]") {
    WithRepository ecr;
    const auto manifest = push_image_blobs(ecr, "app", k_config, k_layers);
    const auto digest = sha256_digest(manifest);
    ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v1"}});

    SECTION("the same manifest under the same tag") {
        const auto again = ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v1"}});
        CHECK(again.error_code() == "ImageAlreadyExistsException");
        CHECK(again.message() == "Image with digest '" + digest + "' and tag 'v1' already exists in the repository "
                                 "with name 'app' in the registry with id '123456789012'");
        CHECK(ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}}).error_code() ==
              "ImageAlreadyExistsException");
    }
    SECTION("a digest that is not the manifest's") {
        const auto reply = ecr.call("PutImage", {{"repositoryName", "app"},
                                                 {"imageManifest", manifest},
                                                 {"imageTag", "v2"},
                                                 {"imageDigest", sha256_digest("else")}});
        CHECK(reply.error_code() == "ImageDigestDoesNotMatchException");
        CHECK(ecr.ok("PutImage", {{"repositoryName", "app"},
                                  {"imageManifest", manifest},
                                  {"imageTag", "v2"},
                                  {"imageDigest", digest}})["image"]["imageId"]["imageDigest"] == digest);
    }
    SECTION("layers the repository does not have") {
        const auto missing = docker_manifest(k_config, {"never uploaded"});
        const auto reply = ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", missing}});
        CHECK(reply.error_code() == "LayersNotFoundException");
        CHECK(reply.message().find(sha256_digest("never uploaded")) != std::string::npos);
        // Another repository's layers are not this one's.
        ecr.ok("CreateRepository", {{"repositoryName", "other"}});
        CHECK(ecr.call("PutImage", {{"repositoryName", "other"}, {"imageManifest", manifest}}).error_code() ==
              "LayersNotFoundException");
    }
    SECTION("a manifest that is not one") {
        for (const auto* bad : {"not json", R"({"schemaVersion":1,"name":"x"})", R"({"schemaVersion":2})"}) {
            const auto reply = ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", bad}});
            CHECK(reply.error_code() == "InvalidParameterException");
        }
        // A media type that contradicts the manifest's own.
        CHECK(ecr.call("PutImage", {{"repositoryName", "app"},
                                    {"imageManifest", manifest},
                                    {"imageTag", "v3"},
                                    {"imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json"}})
                  .error_code() == "InvalidParameterException");
        CHECK(ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "-bad"}})
                  .error_code() == "InvalidParameterException");
    }
    SECTION("an index whose images are not in the repository") {
        const json index = {{"schemaVersion", 2},
                            {"mediaType", "application/vnd.oci.image.index.v1+json"},
                            {"manifests",
                             {{{"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                               {"size", 10},
                               {"digest", sha256_digest("no such manifest")}}}}};
        CHECK(ecr.call("PutImage", {{"repositoryName", "app"}, {"imageManifest", index.dump()}, {"imageTag", "multi"}})
                  .error_code() == "ReferencedImagesNotFoundException");
        json good = index;
        good["manifests"][0]["digest"] = digest;
        good["manifests"][0]["size"] = manifest.size();
        CHECK(ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", good.dump()}, {"imageTag", "multi"}})
                  ["image"]["imageManifestMediaType"] == "application/vnd.oci.image.index.v1+json");
    }
}

TEST_CASE("an immutable repository keeps its tags where they are", "[ecr][images]") {
    ServiceHarness ecr{"ecr"};
    ecr.ok("CreateRepository", {{"repositoryName", "fixed"}, {"imageTagMutability", "IMMUTABLE"}});
    push_image(ecr, "fixed", "v1", "one");
    const auto second = push_image_blobs(ecr, "fixed", k_config, k_layers);
    const auto reply = ecr.call("PutImage", {{"repositoryName", "fixed"}, {"imageManifest", second}, {"imageTag", "v1"}});
    CHECK(reply.error_code() == "ImageTagAlreadyExistsException");
    CHECK(reply.message() == "The image tag 'v1' already exists in the 'fixed' repository and cannot be overwritten "
                             "because the repository is immutable.");
    // A new tag is fine.
    CHECK(ecr.ok("PutImage", {{"repositoryName", "fixed"}, {"imageManifest", second}, {"imageTag", "v2"}})
              .contains("image"));
}

TEST_CASE("DescribeImages by id, by tag status and a page at a time", "[ecr][images]") {
    WithRepository ecr;
    const auto a = push_image(ecr, "app", "a", "a");
    const auto b = push_image(ecr, "app", "", "b");
    const auto c = push_image(ecr, "app", "c", "c");

    const auto one = ecr.ok("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "c"}}}}});
    REQUIRE(one["imageDetails"].size() == 1);
    CHECK(one["imageDetails"][0]["imageDigest"] == c);
    const auto by_digest =
        ecr.ok("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", b}}}}})["imageDetails"];
    CHECK(by_digest[0]["imageDigest"] == b);
    CHECK_FALSE(by_digest[0].contains("imageTags"));

    const auto missing =
        ecr.call("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "a"}}, {{"imageTag", "zz"}}}}});
    CHECK(missing.error_code() == "ImageNotFoundException");
    CHECK(missing.message() == "The image with imageId {imageDigest:'null', imageTag:'zz'} does not exist within the "
                               "repository with name 'app' in the registry with id '123456789012'");
    CHECK(ecr.call("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", a}, {"imageTag", "c"}}}}})
              .error_code() == "ImageNotFoundException");
    CHECK(ecr.call("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {json::object()}}}).error_code() ==
          "InvalidParameterException");
    CHECK(ecr.call("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "a"}}}}, {"maxResults", 1}})
              .error_code() == "InvalidParameterException");

    const auto digests_of = [](const json& details) {
        std::set<std::string> out;
        for (const auto& d : details) out.insert(d["imageDigest"].get<std::string>());
        return out;
    };
    CHECK(digests_of(ecr.ok("DescribeImages", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "TAGGED"}}}})
                         ["imageDetails"]) == std::set<std::string>{a, c});
    CHECK(digests_of(ecr.ok("DescribeImages", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "UNTAGGED"}}}})
                         ["imageDetails"]) == std::set<std::string>{b});

    std::set<std::string> seen;
    json input = {{"repositoryName", "app"}, {"maxResults", 2}};
    for (int pages = 0;; ++pages) {
        REQUIRE(pages < 3);
        const auto page = ecr.ok("DescribeImages", input);
        CHECK(page["imageDetails"].size() <= 2);
        for (const auto& d : page["imageDetails"]) CHECK(seen.insert(d["imageDigest"].get<std::string>()).second);
        if (!page.contains("nextToken")) break;
        input["nextToken"] = page["nextToken"];
    }
    CHECK(seen == std::set<std::string>{a, b, c});
    CHECK(ecr.call("DescribeImages", {{"repositoryName", "app"}, {"maxResults", 1001}}).error_code() ==
          "InvalidParameterException");
}

TEST_CASE("ListImages gives one entry per tag and pages through them", "[ecr][images]") {
    WithRepository ecr;
    const auto tagged = push_image(ecr, "app", "v1", "one");
    for (const auto* tag : {"v2", "latest"})
        ecr.ok("PutImage", {{"repositoryName", "app"},
                            {"imageManifest", ecr.ok("BatchGetImage", {{"repositoryName", "app"},
                                                                       {"imageIds", {{{"imageTag", "v1"}}}}})
                                                  ["images"][0]["imageManifest"]},
                            {"imageTag", tag}});
    const auto untagged = push_image(ecr, "app", "", "two");

    json expected = {{{"imageDigest", tagged}, {"imageTag", "latest"}},
                     {{"imageDigest", tagged}, {"imageTag", "v1"}},
                     {{"imageDigest", tagged}, {"imageTag", "v2"}}};
    const json untagged_entry = {{"imageDigest", untagged}};
    if (untagged < tagged) expected.insert(expected.begin(), untagged_entry);
    else expected.push_back(untagged_entry);
    CHECK(ecr.ok("ListImages", {{"repositoryName", "app"}})["imageIds"] == expected);
    CHECK(ecr.ok("ListImages", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "UNTAGGED"}}}})["imageIds"] ==
          json::array({untagged_entry}));
    CHECK(ecr.ok("ListImages", {{"repositoryName", "app"}, {"filter", {{"tagStatus", "TAGGED"}}}})["imageIds"].size() ==
          3);

    // Pages of one cut through an image's tags and still give every entry once.
    json collected = json::array();
    json input = {{"repositoryName", "app"}, {"maxResults", 1}};
    for (int pages = 0;; ++pages) {
        REQUIRE(pages < 5);
        const auto page = ecr.ok("ListImages", input);
        CHECK(page["imageIds"].size() == 1);
        for (const auto& id : page["imageIds"]) collected.push_back(id);
        if (!page.contains("nextToken")) break;
        input["nextToken"] = page["nextToken"];
    }
    CHECK(collected == expected);
    CHECK(ecr.call("ListImages", {{"repositoryName", "app"}, {"nextToken", "garbage"}}).error_code() ==
          "InvalidParameterException");
}

TEST_CASE("BatchGetImage reports what it cannot give in failures", "[ecr][images]") {
    WithRepository ecr;
    const auto digest = push_image(ecr, "app", "v1", "one");
    const auto other = push_image(ecr, "app", "v2", "two");
    const auto reply = ecr.ok("BatchGetImage", {{"repositoryName", "app"},
                                                {"imageIds",
                                                 {{{"imageDigest", digest}},
                                                  {{"imageTag", "nope"}},
                                                  {{"imageDigest", other}, {"imageTag", "v1"}},
                                                  json::object(),
                                                  {{"imageDigest", "not a digest"}}}}});
    REQUIRE(reply["images"].size() == 1);
    CHECK(reply["images"][0]["imageId"] == json{{"imageDigest", digest}});
    CHECK(reply["failures"] ==
          json{{{"imageId", {{"imageTag", "nope"}}},
                {"failureCode", "ImageNotFound"},
                {"failureReason", "Requested image not found"}},
               {{"imageId", {{"imageDigest", other}, {"imageTag", "v1"}}},
                {"failureCode", "ImageTagDoesNotMatchDigest"},
                {"failureReason", "Invalid request parameters: given tag does not map to the given digest"}},
               {{"imageId", json::object()},
                {"failureCode", "MissingDigestAndTag"},
                {"failureReason", "Invalid request parameters: both tag and digest cannot be null"}},
               {{"imageId", {{"imageDigest", "not a digest"}}},
                {"failureCode", "InvalidImageDigest"},
                {"failureReason", "Invalid request parameters: image digest should satisfy the regex "
                                  "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"}}});
}

TEST_CASE("BatchGetImage honours acceptedMediaTypes", "[ecr][images]") {
    WithRepository ecr;
    push_image(ecr, "app", "v1", "one");
    const json request = {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v1"}}}}};
    auto accepting = request;
    accepting["acceptedMediaTypes"] = {"application/vnd.oci.image.manifest.v1+json",
                                       "application/vnd.docker.distribution.manifest.v2+json"};
    CHECK(ecr.ok("BatchGetImage", accepting)["images"].size() == 1);
    auto refusing = request;
    refusing["acceptedMediaTypes"] = {"application/vnd.oci.image.manifest.v1+json"};
    const auto reply = ecr.ok("BatchGetImage", refusing);
    CHECK(reply["images"].empty());
    REQUIRE(reply["failures"].size() == 1);
    CHECK(reply["failures"][0]["failureCode"] == "UnsupportedImageType");
    CHECK(reply["failures"][0]["imageId"] == json{{"imageTag", "v1"}});
}

TEST_CASE("BatchDeleteImage deletes by tag or by digest and reports the rest", "[ecr][images]") {
    WithRepository ecr;
    const auto digest = push_image(ecr, "app", "v1", "one");
    const auto manifest =
        ecr.ok("BatchGetImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v1"}}}}})["images"][0]
           ["imageManifest"];
    ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v2"}});

    // By tag: the tag goes, the image keeps its other tag.
    auto reply = ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "v1"}}, {{"imageTag", "zz"}}}}});
    CHECK(reply["imageIds"] == json{{{"imageDigest", digest}, {"imageTag", "v1"}}});
    CHECK(reply["failures"] == json{{{"imageId", {{"imageTag", "zz"}}},
                                     {"failureCode", "ImageNotFound"},
                                     {"failureReason", "Requested image not found"}}});
    CHECK(ecr.ok("DescribeImages", {{"repositoryName", "app"}})["imageDetails"][0]["imageTags"] == json::array({"v2"}));

    // By digest: the image with all its tags.
    ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", manifest}, {"imageTag", "v3"}});
    reply = ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", digest}}}}});
    CHECK(reply["imageIds"] ==
          json{{{"imageDigest", digest}, {"imageTag", "v2"}}, {{"imageDigest", digest}, {"imageTag", "v3"}}});
    CHECK(reply["failures"].empty());
    CHECK(ecr.ok("DescribeImages", {{"repositoryName", "app"}})["imageDetails"].empty());

    // The last tag of an image takes the image with it.
    const auto lone = push_image(ecr, "app", "solo", "two");
    ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "solo"}}}}});
    CHECK(ecr.call("DescribeImages", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", lone}}}}})
              .error_code() == "ImageNotFoundException");
}

TEST_CASE("BatchDeleteImage keeps an image an index still lists", "[ecr][images]") {
    WithRepository ecr;
    const auto child = push_image(ecr, "app", "", "child");
    const auto manifest =
        ecr.ok("BatchGetImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", child}}}}})["images"][0]
           ["imageManifest"].get<std::string>();
    const json index = {{"schemaVersion", 2},
                        {"mediaType", "application/vnd.oci.image.index.v1+json"},
                        {"manifests",
                         {{{"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                           {"size", manifest.size()},
                           {"digest", child}}}}};
    ecr.ok("PutImage", {{"repositoryName", "app"}, {"imageManifest", index.dump()}, {"imageTag", "multi"}});
    const auto reply = ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", child}}}}});
    CHECK(reply["imageIds"].empty());
    REQUIRE(reply["failures"].size() == 1);
    CHECK(reply["failures"][0]["failureCode"] == "ImageReferencedByManifestList");
    // Once the index goes, the child may.
    ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageTag", "multi"}}}}});
    CHECK(ecr.ok("BatchDeleteImage", {{"repositoryName", "app"}, {"imageIds", {{{"imageDigest", child}}}}})["imageIds"]
              .size() == 1);
}

TEST_CASE("image operations on a missing repository are RepositoryNotFoundException", "[ecr][images]") {
    ServiceHarness ecr{"ecr"};
    const json id = {{{"imageTag", "v1"}}};
    for (const auto& [operation, input] :
         std::vector<std::pair<std::string, json>>{{"DescribeImages", {{"repositoryName", "nope"}}},
                                                   {"ListImages", {{"repositoryName", "nope"}}},
                                                   {"BatchGetImage", {{"repositoryName", "nope"}, {"imageIds", id}}},
                                                   {"BatchDeleteImage", {{"repositoryName", "nope"}, {"imageIds", id}}},
                                                   {"PutImage", {{"repositoryName", "nope"}, {"imageManifest", "{}"}}}}) {
        INFO(operation);
        const auto reply = ecr.call(operation, input);
        CHECK(reply.error_code() == "RepositoryNotFoundException");
        CHECK(reply.message() ==
              "The repository with name 'nope' does not exist in the registry with id '123456789012'");
    }
}
