#include <catch2/catch.hpp>
#include <regex>

#include "support/service_harness.hpp"
#include "support/ecr_push.hpp"
#include "util/base64.hpp"

using ecsbox::testing::ServiceHarness;
using ecsbox::testing::push_image;
using ecsbox::testing::push_layer;
using ecsbox::testing::sha256_digest;
using ecsbox::util::base64_encode;
using nlohmann::json;

namespace {

// A harness whose registry already has one repository.
struct WithRepository : ServiceHarness {
    explicit WithRepository(const std::string& name = "app") : ServiceHarness("ecr") { ok("CreateRepository", {{"repositoryName", name}}); }
};

std::string initiate(const ServiceHarness& ecr, const std::string& repository = "app") {
    return ecr.ok("InitiateLayerUpload", {{"repositoryName", repository}})["uploadId"].get<std::string>();
}

json part(const std::string& upload_id, std::size_t first, const std::string& bytes,
          const std::string& repository = "app") {
    return {{"repositoryName", repository},
            {"uploadId", upload_id},
            {"partFirstByte", first},
            {"partLastByte", first + bytes.size() - 1},
            {"layerPartBlob", base64_encode(bytes)}};
}

json complete(const std::string& upload_id, const std::string& digest, const std::string& repository = "app") {
    return {{"repositoryName", repository}, {"uploadId", upload_id}, {"layerDigests", {digest}}};
}

}  // namespace

TEST_CASE("a layer uploaded in parts becomes available in its repository", "[ecr][layers]") {
    WithRepository ecr;
    const std::string first_part(5 * 1024 * 1024, 'a');  // every part but the last is 5 MiB at least
    const std::string bytes = first_part + "the second part";
    const auto digest = sha256_digest(bytes);
    const auto before = ecr.ok("BatchCheckLayerAvailability", {{"repositoryName", "app"}, {"layerDigests", {digest}}});
    CHECK(before == json{{"layers", {{{"layerDigest", digest}, {"layerAvailability", "UNAVAILABLE"}}}},
                         {"failures", json::array()}});

    const auto initiated = ecr.ok("InitiateLayerUpload", {{"repositoryName", "app"}});
    const auto upload_id = initiated["uploadId"].get<std::string>();
    CHECK(std::regex_match(upload_id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")));
    CHECK(initiated["partSize"] == 10485760);

    CHECK(ecr.ok("UploadLayerPart", part(upload_id, 0, first_part)) ==
          json{{"registryId", "123456789012"},
               {"repositoryName", "app"},
               {"uploadId", upload_id},
               {"lastByteReceived", first_part.size() - 1}});
    CHECK(ecr.ok("UploadLayerPart", part(upload_id, first_part.size(), "the second part"))["lastByteReceived"] ==
          bytes.size() - 1);
    CHECK(ecr.ok("CompleteLayerUpload", complete(upload_id, digest)) == json{{"registryId", "123456789012"},
                                                                             {"repositoryName", "app"},
                                                                             {"uploadId", upload_id},
                                                                             {"layerDigest", digest}});

    const auto after = ecr.ok("BatchCheckLayerAvailability", {{"repositoryName", "app"}, {"layerDigests", {digest}}});
    CHECK(after["layers"] == json::array({{{"layerDigest", digest},
                                           {"layerAvailability", "AVAILABLE"},
                                           {"layerSize", bytes.size()}}}));
    // Only in that repository.
    ecr.ok("CreateRepository", {{"repositoryName", "other"}});
    CHECK(ecr.ok("BatchCheckLayerAvailability", {{"repositoryName", "other"}, {"layerDigests", {digest}}})["layers"][0]
                ["layerAvailability"] == "UNAVAILABLE");
    // The upload is over.
    CHECK(ecr.call("UploadLayerPart", part(upload_id, bytes.size(), "more")).error_code() == "UploadNotFoundException");
}

TEST_CASE("a part under 5 MiB before the last is LayerPartTooSmallException", "[ecr][layers]") {
    WithRepository ecr;
    const auto upload_id = initiate(ecr);
    ecr.ok("UploadLayerPart", part(upload_id, 0, "small"));
    ecr.ok("UploadLayerPart", part(upload_id, 5, "last"));
    const auto reply = ecr.call("CompleteLayerUpload", complete(upload_id, sha256_digest("smalllast")));
    CHECK(reply.error_code() == "LayerPartTooSmallException");
    // A single small part is the last one, and fine.
    const auto single = initiate(ecr);
    ecr.ok("UploadLayerPart", part(single, 0, "small"));
    CHECK(ecr.ok("CompleteLayerUpload", complete(single, sha256_digest("small")))["layerDigest"] == sha256_digest("small"));
}

TEST_CASE("BatchCheckLayerAvailability reports malformed and empty digests as failures", "[ecr][layers]") {
    WithRepository ecr;
    const auto reply =
        ecr.ok("BatchCheckLayerAvailability", {{"repositoryName", "app"}, {"layerDigests", json::array({"not-a-digest", ""})}});
    CHECK(reply["layers"].empty());
    CHECK(reply["failures"] == json{{{"layerDigest", "not-a-digest"},
                                     {"failureCode", "InvalidLayerDigest"},
                                     {"failureReason", "Invalid layer digest."}},
                                    {{"layerDigest", ""},
                                     {"failureCode", "MissingLayerDigest"},
                                     {"failureReason", "The layer digest is empty."}}});
}

TEST_CASE("a part that does not continue the upload is InvalidLayerPartException", "[ecr][layers]") {
    WithRepository ecr;
    const auto upload_id = initiate(ecr);
    ecr.ok("UploadLayerPart", part(upload_id, 0, "12345"));

    const auto gap = ecr.call("UploadLayerPart", part(upload_id, 7, "678"));
    CHECK(gap.status == 400);
    CHECK(gap.error_code() == "InvalidLayerPartException");
    CHECK(gap.body["lastValidByteReceived"] == 4);
    CHECK(gap.body["uploadId"] == upload_id);
    CHECK(gap.body["repositoryName"] == "app");
    CHECK(gap.body["registryId"] == "123456789012");

    CHECK(ecr.call("UploadLayerPart", part(upload_id, 2, "overlap")).error_code() == "InvalidLayerPartException");
    // partLastByte that does not match the bytes sent.
    auto wrong_size = part(upload_id, 5, "678");
    wrong_size["partLastByte"] = 9;
    CHECK(ecr.call("UploadLayerPart", wrong_size).error_code() == "InvalidLayerPartException");
    auto empty = part(upload_id, 5, "x");
    empty["layerPartBlob"] = "";
    CHECK(ecr.call("UploadLayerPart", empty).error_code() == "InvalidLayerPartException");

    // Nothing refused was written: the right part still fits.
    ecr.ok("UploadLayerPart", part(upload_id, 5, "678"));
    CHECK(ecr.call("UploadLayerPart", part(upload_id, 8, "9")).status == 200);
}

TEST_CASE("an unknown upload, or another repository's, is UploadNotFoundException", "[ecr][layers]") {
    WithRepository ecr;
    ecr.ok("CreateRepository", {{"repositoryName", "other"}});
    const auto upload_id = initiate(ecr);
    const std::string unknown = "00000000-0000-4000-8000-000000000000";
    for (const auto& [repository, id] :
         std::vector<std::pair<std::string, std::string>>{{"app", unknown}, {"other", upload_id}}) {
        const auto reply = ecr.call("UploadLayerPart", part(id, 0, "bytes", repository));
        CHECK(reply.error_code() == "UploadNotFoundException");
        CHECK(reply.message() == "Upload with id '" + id + "' does not exist in the repository with name '" +
                                     repository + "' in the registry with id '123456789012'");
        CHECK(ecr.call("CompleteLayerUpload", complete(id, sha256_digest("bytes"), repository)).error_code() ==
              "UploadNotFoundException");
    }
    // The upload itself is untouched.
    ecr.ok("UploadLayerPart", part(upload_id, 0, "bytes"));
}

TEST_CASE("CompleteLayerUpload refuses a wrong digest, an empty upload and a layer already there", "[ecr][layers]") {
    WithRepository ecr;

    const auto empty = initiate(ecr);
    const auto nothing = ecr.call("CompleteLayerUpload", complete(empty, sha256_digest("")));
    CHECK(nothing.error_code() == "EmptyUploadException");

    const auto wrong = initiate(ecr);
    ecr.ok("UploadLayerPart", part(wrong, 0, "actual bytes"));
    CHECK(ecr.call("CompleteLayerUpload", complete(wrong, sha256_digest("claimed bytes"))).error_code() ==
          "InvalidLayerException");
    CHECK(ecr.ok("BatchCheckLayerAvailability",
                 {{"repositoryName", "app"}, {"layerDigests", {sha256_digest("actual bytes")}}})["layers"][0]
                ["layerAvailability"] == "UNAVAILABLE");
    // A digest of another algorithm cannot be verified.
    const auto sha512 = initiate(ecr);
    ecr.ok("UploadLayerPart", part(sha512, 0, "bytes"));
    CHECK(ecr.call("CompleteLayerUpload", complete(sha512, "sha512:" + std::string(128, 'a'))).error_code() ==
          "InvalidLayerException");

    const auto digest = push_layer(ecr, "app", "a layer");
    const auto again = initiate(ecr);
    ecr.ok("UploadLayerPart", part(again, 0, "a layer"));
    const auto exists = ecr.call("CompleteLayerUpload", complete(again, digest));
    CHECK(exists.error_code() == "LayerAlreadyExistsException");
    CHECK(exists.message() == "Layer with digest '" + digest +
                                  "' already exists in the repository with name 'app' in the registry with id "
                                  "'123456789012'");

    auto two = complete(initiate(ecr), digest);
    two["layerDigests"].push_back(digest);
    CHECK(ecr.call("CompleteLayerUpload", two).error_code() == "InvalidParameterException");
}

TEST_CASE("GetDownloadUrlForLayer serves layers of images, through the registry's URL", "[ecr][layers]") {
    WithRepository ecr("team/app");
    const auto image = push_image(ecr, "team/app", "v1", "one");
    const auto layer = sha256_digest("layer of one");
    const auto url = ecr.ok("GetDownloadUrlForLayer", {{"repositoryName", "team/app"}, {"layerDigest", layer}});
    CHECK(url["layerDigest"] == layer);
    // Presigned, as ECR's are: the registry's blob URL with a short-lived token in the query.
    CHECK_THAT(url["downloadUrl"].get<std::string>(),
               Catch::StartsWith("http://localhost:4566/v2/team/app/blobs/" + layer + "?X-Ecsbox-Token="));

    const auto absent = sha256_digest("absent");
    const auto missing = ecr.call("GetDownloadUrlForLayer", {{"repositoryName", "team/app"}, {"layerDigest", absent}});
    CHECK(missing.error_code() == "LayersNotFoundException");

    const auto loose = push_layer(ecr, "team/app", "uploaded, in no image");
    CHECK(ecr.call("GetDownloadUrlForLayer", {{"repositoryName", "team/app"}, {"layerDigest", loose}}).error_code() ==
          "LayerInaccessibleException");
    CHECK(image.starts_with("sha256:"));
}

TEST_CASE("layer operations on a missing repository are RepositoryNotFoundException", "[ecr][layers]") {
    ServiceHarness ecr{"ecr"};
    const auto digest = sha256_digest("x");
    const std::string upload_id = "00000000-0000-4000-8000-000000000000";
    for (const auto& [operation, input] : std::vector<std::pair<std::string, json>>{
             {"BatchCheckLayerAvailability", {{"repositoryName", "nope"}, {"layerDigests", {digest}}}},
             {"InitiateLayerUpload", {{"repositoryName", "nope"}}},
             {"UploadLayerPart", part(upload_id, 0, "x", "nope")},
             {"CompleteLayerUpload", complete(upload_id, digest, "nope")},
             {"GetDownloadUrlForLayer", {{"repositoryName", "nope"}, {"layerDigest", digest}}}}) {
        INFO(operation);
        CHECK(ecr.call(operation, input).error_code() == "RepositoryNotFoundException");
    }
}
