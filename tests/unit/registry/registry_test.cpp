#include "registry/registry.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "util/sha256.hpp"

using ecsbox::registry::BlobStore;
using ecsbox::registry::ErrorCode;
using ecsbox::registry::Registry;
using ecsbox::registry::RegistryError;
using ecsbox::store::EcrRepositoryRecord;
using ecsbox::testing::FakeClock;
using ecsbox::testing::TempDir;
using nlohmann::json;
using Strings = std::vector<std::string>;
namespace media_type = ecsbox::registry::media_type;

namespace {

const ecsbox::store::Scope k_scope{"123456789012", "us-east-1"};

std::string digest_of(std::string_view bytes) { return "sha256:" + ecsbox::util::sha256_hex(bytes); }

// The code of the RegistryError the call throws, or nullopt when it throws nothing.
template <typename Call>
std::optional<ErrorCode> error_code(Call&& call) {
    try {
        call();
    } catch (const RegistryError& e) {
        return e.code();
    }
    return std::nullopt;
}

struct Fixture {
    TempDir dir;
    FakeClock clock;
    ecsbox::store::Store store{dir.path()};
    BlobStore blobs{dir.path() + "/registry"};
    Registry registry{store, blobs, clock};
    EcrRepositoryRecord app = add_repository("app");
    EcrRepositoryRecord other = add_repository("other");

    EcrRepositoryRecord add_repository(const std::string& name, const std::string& body = "{}") {
        EcrRepositoryRecord record;
        record.scope = k_scope;
        record.name = name;
        record.arn = "arn:aws:ecr:us-east-1:123456789012:repository/" + name;
        record.body = body;
        store.ecr_repositories().insert(record);
        return registry.repository(k_scope, name);
    }

    // Uploads `bytes` in one piece and returns its digest.
    std::string push_blob(const EcrRepositoryRecord& repo, const std::string& bytes) {
        const auto id = registry.start_upload(repo);
        registry.append(repo, id, 0).write(bytes);
        const auto digest = digest_of(bytes);
        registry.complete_upload(repo, id, digest, bytes.size());
        return digest;
    }

    // An OCI image of a config and the given layers, all uploaded into `repo`; returns the
    // manifest's bytes.
    std::string push_image_blobs(const EcrRepositoryRecord& repo, const Strings& layers,
                                 const std::string& config = R"({"architecture":"amd64","os":"linux"})") {
        json manifest = {{"schemaVersion", 2},
                         {"mediaType", media_type::oci_manifest},
                         {"config",
                          {{"mediaType", media_type::oci_config},
                           {"size", config.size()},
                           {"digest", push_blob(repo, config)}}},
                         {"layers", json::array()}};
        for (const auto& layer : layers)
            manifest["layers"].push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                                          {"size", layer.size()},
                                          {"digest", push_blob(repo, layer)}});
        return manifest.dump();
    }
};

std::string index_of(const Strings& children) {
    json index = {{"schemaVersion", 2}, {"mediaType", media_type::oci_index}, {"manifests", json::array()}};
    for (const auto& child : children)
        index["manifests"].push_back({{"mediaType", media_type::oci_manifest},
                                      {"size", child.size()},
                                      {"digest", digest_of(child)},
                                      {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}});
    return index.dump();
}

}  // namespace

TEST_CASE("repositories are looked up by scope and name", "[registry]") {
    Fixture f;
    CHECK(f.registry.repository(k_scope, "app").id == f.app.id);
    CHECK(error_code([&] { f.registry.repository(k_scope, "missing"); }) == ErrorCode::name_unknown);
    CHECK(error_code([&] { f.registry.repository({"123456789012", "eu-west-1"}, "app"); }) ==
          ErrorCode::name_unknown);
    CHECK(error_code([&] { f.registry.repository(k_scope, "../app"); }) == ErrorCode::name_invalid);
}

TEST_CASE("an upload completed under its digest becomes a blob of its repository only", "[registry]") {
    Fixture f;
    const std::string bytes = "layer bytes";
    const auto id = f.registry.start_upload(f.app);
    f.registry.append(f.app, id, std::nullopt).write(bytes);
    CHECK(f.registry.upload_size(f.app, id) == bytes.size());
    CHECK(f.registry.complete_upload(f.app, id, digest_of(bytes), std::nullopt) == bytes.size());

    CHECK(f.registry.blob_size(f.app, digest_of(bytes)) == bytes.size());
    const auto reader = f.registry.open_blob(f.app, digest_of(bytes));
    REQUIRE(reader);
    std::string read(reader->size(), '\0');
    CHECK(reader->read_at(0, read.data(), read.size()) == bytes.size());
    CHECK(read == bytes);
    // The other repository never linked it.
    CHECK_FALSE(f.registry.blob_size(f.other, digest_of(bytes)));
    CHECK_FALSE(f.registry.open_blob(f.other, digest_of(bytes)));
    // The session is over.
    CHECK(error_code([&] { f.registry.upload_size(f.app, id); }) == ErrorCode::blob_upload_unknown);
}

TEST_CASE("an upload that does not hash to its digest is refused and ends", "[registry]") {
    Fixture f;
    const auto id = f.registry.start_upload(f.app);
    f.registry.append(f.app, id, std::nullopt).write("some bytes");
    // Malformed: a typo the client may correct, the session survives.
    CHECK(error_code([&] { f.registry.complete_upload(f.app, id, "sha256:xyz", std::nullopt); }) ==
          ErrorCode::digest_invalid);
    CHECK(f.registry.upload_size(f.app, id) == 10);
    // Well formed but wrong: the session ends and nothing is published.
    CHECK(error_code([&] { f.registry.complete_upload(f.app, id, digest_of("other bytes"), std::nullopt); }) ==
          ErrorCode::digest_invalid);
    CHECK_FALSE(f.registry.blob_size(f.app, digest_of("other bytes")));
    CHECK_FALSE(f.blobs.exists(digest_of("some bytes")));
    CHECK(error_code([&] { f.registry.upload_size(f.app, id); }) == ErrorCode::blob_upload_unknown);

    const auto sized = f.registry.start_upload(f.app);
    f.registry.append(f.app, sized, std::nullopt).write("12345");
    CHECK(error_code([&] { f.registry.complete_upload(f.app, sized, digest_of("12345"), 4); }) ==
          ErrorCode::size_invalid);
}

TEST_CASE("chunks append at the offsets that continue the upload", "[registry]") {
    Fixture f;
    const auto id = f.registry.start_upload(f.app);
    f.registry.append(f.app, id, 0).write("first,");
    f.registry.append(f.app, id, 6).write("second,");
    CHECK(error_code([&] { f.registry.append(f.app, id, 6); }) == ErrorCode::range_invalid);
    CHECK(error_code([&] { f.registry.append(f.app, id, 20); }) == ErrorCode::range_invalid);
    {
        auto appender = f.registry.append(f.app, id, std::nullopt);
        CHECK(appender.size() == 13);
        appender.write("third");
    }
    CHECK(f.registry.upload_size(f.app, id) == 18);
    CHECK(f.registry.complete_upload(f.app, id, digest_of("first,second,third"), 18) == 18);
    CHECK(f.registry.blob_size(f.app, digest_of("first,second,third")) == 18);
}

TEST_CASE("an upload of another repository is unknown, and so is one cancelled", "[registry]") {
    Fixture f;
    const auto id = f.registry.start_upload(f.app);
    CHECK(error_code([&] { f.registry.upload_size(f.other, id); }) == ErrorCode::blob_upload_unknown);
    CHECK(error_code([&] { f.registry.append(f.other, id, std::nullopt); }) == ErrorCode::blob_upload_unknown);
    CHECK(error_code([&] { f.registry.complete_upload(f.other, id, digest_of(""), std::nullopt); }) ==
          ErrorCode::blob_upload_unknown);
    CHECK(error_code([&] { f.registry.cancel_upload(f.other, id); }) == ErrorCode::blob_upload_unknown);
    CHECK(f.registry.upload_size(f.app, id) == 0);  // untouched by the other repository's attempts

    f.registry.cancel_upload(f.app, id);
    CHECK(error_code([&] { f.registry.upload_size(f.app, id); }) == ErrorCode::blob_upload_unknown);
    CHECK(error_code([&] { f.registry.append(f.app, "0123456789abcdef0123456789abcdef", 0); }) ==
          ErrorCode::blob_upload_unknown);
}

TEST_CASE("a manifest put by tag keeps its exact bytes and is found by tag and digest", "[registry]") {
    Fixture f;
    const auto bytes = f.push_image_blobs(f.app, {"layer one", "layer two"});
    const auto result = f.registry.put_manifest(f.app, "latest", bytes, std::string(media_type::oci_manifest));
    CHECK(result.digest == digest_of(bytes));
    CHECK(result.image_created);
    CHECK_FALSE(result.tag_moved);

    const auto by_tag = f.registry.get_manifest(f.app, "latest", false);
    CHECK(by_tag.digest == digest_of(bytes));
    CHECK(by_tag.media_type == media_type::oci_manifest);
    CHECK(by_tag.bytes == bytes);
    CHECK(f.registry.get_manifest(f.app, digest_of(bytes), false).bytes == bytes);
    CHECK(error_code([&] { f.registry.get_manifest(f.other, "latest", false); }) == ErrorCode::manifest_unknown);
    CHECK(error_code([&] { f.registry.get_manifest(f.app, "v9", false); }) == ErrorCode::manifest_unknown);

    const auto image = f.store.ecr_images().find_by_digest(f.app.id, digest_of(bytes));
    REQUIRE(image);
    CHECK(image->size == static_cast<std::int64_t>(std::string(R"({"architecture":"amd64","os":"linux"})").size() +
                                                   9 + 9));
    CHECK(image->artifact_media_type == media_type::oci_config);
    CHECK(image->pushed_at == f.clock.now());
    CHECK(image->tags == Strings{"latest"});
    CHECK_FALSE(image->last_pull_at);

    // Only a GET records a pull.
    f.clock.advance(5);
    f.registry.get_manifest(f.app, "latest", true);
    CHECK(f.store.ecr_images().find_by_digest(f.app.id, digest_of(bytes))->last_pull_at == f.clock.now());

    // The same manifest again: nothing new.
    const auto again = f.registry.put_manifest(f.app, "latest", bytes, "");
    CHECK_FALSE(again.image_created);
    CHECK_FALSE(again.tag_moved);
}

TEST_CASE("a manifest put by digest must hash to it", "[registry]") {
    Fixture f;
    const auto bytes = f.push_image_blobs(f.app, {"layer"});
    CHECK(error_code([&] { f.registry.put_manifest(f.app, digest_of("else"), bytes, ""); }) ==
          ErrorCode::digest_invalid);
    CHECK(error_code([&] { f.registry.put_manifest(f.app, "sha256:ABC", bytes, ""); }) == ErrorCode::digest_invalid);
    CHECK(error_code([&] { f.registry.put_manifest(f.app, "-bad-tag", bytes, ""); }) == ErrorCode::tag_invalid);
    const auto result = f.registry.put_manifest(f.app, digest_of(bytes), bytes, "");
    CHECK(result.image_created);
    CHECK(f.store.ecr_images().find_by_digest(f.app.id, digest_of(bytes))->tags.empty());
}

TEST_CASE("a manifest is refused while it is malformed or a blob it names is not in the repository", "[registry]") {
    Fixture f;
    CHECK(error_code([&] { f.registry.put_manifest(f.app, "latest", "not json", ""); }) ==
          ErrorCode::manifest_invalid);
    try {
        f.registry.put_manifest(f.app, "latest", R"({"schemaVersion":1})", "");
        FAIL("accepted");
    } catch (const RegistryError& e) {
        CHECK(e.code() == ErrorCode::manifest_invalid);
        CHECK(std::string(e.what()).find("schemaVersion") != std::string::npos);
        CHECK(std::string(e.code_name()) == "MANIFEST_INVALID");
        CHECK(e.http_status() == 400);
    }

    // The layers went to the other repository: this one cannot name them.
    const auto bytes = f.push_image_blobs(f.other, {"layer"});
    try {
        f.registry.put_manifest(f.app, "latest", bytes, "");
        FAIL("accepted");
    } catch (const RegistryError& e) {
        CHECK(e.code() == ErrorCode::manifest_blob_unknown);
        CHECK(std::string(e.what()).find("sha256:") != std::string::npos);
    }
    CHECK(error_code([&] { f.registry.get_manifest(f.app, "latest", false); }) == ErrorCode::manifest_unknown);
    // Mounted, they are.
    for (const auto& digest : {digest_of("layer"), digest_of(R"({"architecture":"amd64","os":"linux"})")})
        CHECK(f.registry.mount_blob(f.app, f.other, digest));
    CHECK(f.registry.put_manifest(f.app, "latest", bytes, "").image_created);
}

TEST_CASE("a tag the repository keeps immutable does not move", "[registry]") {
    Fixture f;
    const auto fixed = f.add_repository("fixed", R"({"imageTagMutability":"IMMUTABLE"})");
    const auto first = f.push_image_blobs(fixed, {"one"});
    const auto second = f.push_image_blobs(fixed, {"two"});
    f.registry.put_manifest(fixed, "v1", first, "");
    try {
        f.registry.put_manifest(fixed, "v1", second, "");
        FAIL("the tag moved");
    } catch (const RegistryError& e) {
        CHECK(e.code() == ErrorCode::tag_invalid);
        CHECK(std::string(e.what()) == "The image tag 'v1' already exists in the 'fixed' repository and cannot be "
                                       "overwritten because the repository is immutable.");
    }
    // The same image again is no move; a new tag is no move either.
    CHECK_NOTHROW(f.registry.put_manifest(fixed, "v1", first, ""));
    CHECK_NOTHROW(f.registry.put_manifest(fixed, "v2", second, ""));
    CHECK(f.registry.get_manifest(fixed, "v1", false).bytes == first);

    // In a mutable repository the tag moves, and says so.
    f.registry.put_manifest(f.app, "latest", f.push_image_blobs(f.app, {"one"}), "");
    const auto moved = f.registry.put_manifest(f.app, "latest", f.push_image_blobs(f.app, {"two"}), "");
    CHECK(moved.tag_moved);
    CHECK(moved.image_created);
}

TEST_CASE("an index is accepted once its children are images of the repository", "[registry]") {
    Fixture f;
    const auto child = f.push_image_blobs(f.app, {"layer"});
    const auto index = index_of({child});
    try {
        f.registry.put_manifest(f.app, "multi", index, std::string(media_type::oci_index));
        FAIL("accepted");
    } catch (const RegistryError& e) {
        CHECK(e.code() == ErrorCode::manifest_blob_unknown);
        CHECK(std::string(e.what()).find(digest_of(child)) != std::string::npos);
    }
    f.registry.put_manifest(f.app, digest_of(child), child, "");
    const auto result = f.registry.put_manifest(f.app, "multi", index, std::string(media_type::oci_index));
    CHECK(result.image_created);
    const auto stored = f.store.ecr_images().find_by_tag(f.app.id, "multi");
    REQUIRE(stored);
    CHECK(stored->media_type == media_type::oci_index);
    CHECK(stored->artifact_media_type.empty());
    // As large as its largest image, not as its children's manifests.
    CHECK(stored->size == f.store.ecr_images().find_by_digest(f.app.id, digest_of(child))->size);
    CHECK(f.store.ecr_images().referenced_by(f.app.id, digest_of(child)) == Strings{digest_of(index)});
}

TEST_CASE("deleting by tag drops the tag, and the image with its last one; by digest, all of it", "[registry]") {
    Fixture f;
    const auto bytes = f.push_image_blobs(f.app, {"layer"});
    f.registry.put_manifest(f.app, "v1", bytes, "");
    f.registry.put_manifest(f.app, "latest", bytes, "");

    f.registry.delete_manifest(f.app, "v1");
    CHECK(error_code([&] { f.registry.get_manifest(f.app, "v1", false); }) == ErrorCode::manifest_unknown);
    CHECK(f.registry.get_manifest(f.app, digest_of(bytes), false).bytes == bytes);
    f.registry.delete_manifest(f.app, "latest");
    CHECK(error_code([&] { f.registry.get_manifest(f.app, digest_of(bytes), false); }) ==
          ErrorCode::manifest_unknown);
    CHECK(error_code([&] { f.registry.delete_manifest(f.app, "latest"); }) == ErrorCode::manifest_unknown);

    f.registry.put_manifest(f.app, "v1", bytes, "");
    f.registry.put_manifest(f.app, "v2", bytes, "");
    f.registry.delete_manifest(f.app, digest_of(bytes));
    CHECK(f.store.ecr_images().count(f.app.id) == 0);
    CHECK(f.registry.tags(f.app, std::nullopt, 10).empty());
    CHECK(error_code([&] { f.registry.delete_manifest(f.app, digest_of(bytes)); }) == ErrorCode::manifest_unknown);
    CHECK(error_code([&] { f.registry.delete_manifest(f.app, "sha256:nothex"); }) == ErrorCode::digest_invalid);
}

TEST_CASE("tags page in lexical order", "[registry]") {
    Fixture f;
    const auto bytes = f.push_image_blobs(f.app, {"layer"});
    for (const auto* tag : {"v3", "v1", "latest", "v2"}) f.registry.put_manifest(f.app, tag, bytes, "");
    CHECK(f.registry.tags(f.app, std::nullopt, 100) == Strings{"latest", "v1", "v2", "v3"});
    CHECK(f.registry.tags(f.app, std::nullopt, 2) == Strings{"latest", "v1"});
    CHECK(f.registry.tags(f.app, std::string("v1"), 2) == Strings{"v2", "v3"});
    CHECK(f.registry.tags(f.app, std::string("v3"), 2).empty());
    CHECK(f.registry.tags(f.other, std::nullopt, 100).empty());
}

TEST_CASE("a mount links a blob the source repository has, and nothing else", "[registry]") {
    Fixture f;
    const auto digest = f.push_blob(f.other, "shared layer");
    CHECK_FALSE(f.registry.mount_blob(f.other, f.app, digest));  // app does not have it
    CHECK_FALSE(f.registry.mount_blob(f.app, f.other, digest_of("absent")));
    CHECK_FALSE(f.registry.mount_blob(f.app, f.other, "sha256:bad"));
    CHECK(f.registry.mount_blob(f.app, f.other, digest));
    CHECK(f.registry.blob_size(f.app, digest) == 12);
}

TEST_CASE("deleting a blob unlinks it from its repository only", "[registry]") {
    Fixture f;
    const auto digest = f.push_blob(f.app, "layer");
    f.registry.mount_blob(f.other, f.app, digest);
    f.registry.delete_blob(f.app, digest);
    CHECK_FALSE(f.registry.blob_size(f.app, digest));
    CHECK(f.registry.blob_size(f.other, digest) == 5);
    CHECK(error_code([&] { f.registry.delete_blob(f.app, digest); }) == ErrorCode::blob_unknown);
    CHECK(error_code([&] { f.registry.delete_blob(f.app, "sha256:1"); }) == ErrorCode::digest_invalid);
}

TEST_CASE("garbage collection keeps referenced and recently linked blobs and deletes the rest", "[registry]") {
    Fixture f;
    const auto bytes = f.push_image_blobs(f.app, {"kept layer"});
    f.registry.put_manifest(f.app, "latest", bytes, "");
    const auto orphan = f.push_blob(f.app, "orphan layer");
    const auto unlinked = f.push_blob(f.other, "deleted layer");
    f.registry.delete_blob(f.other, unlinked);

    f.clock.advance(600);
    const auto recent = f.push_blob(f.app, "recent layer");  // a push whose manifest has not come yet
    // Within the grace period only the blob nothing links goes.
    CHECK(f.registry.collect_garbage(3600) == 1);
    CHECK_FALSE(f.blobs.exists(unlinked));
    CHECK(f.blobs.exists(orphan));

    f.clock.advance(3600);
    CHECK(f.registry.collect_garbage(3600) == 1);
    CHECK_FALSE(f.blobs.exists(orphan));
    CHECK_FALSE(f.registry.blob_size(f.app, orphan));
    CHECK(f.blobs.exists(recent));

    f.clock.advance(3600);
    CHECK(f.registry.collect_garbage(3600) == 1);
    CHECK_FALSE(f.blobs.exists(recent));
    // What the image references stays, however old.
    CHECK(f.blobs.exists(digest_of("kept layer")));
    CHECK(f.registry.blob_size(f.app, digest_of("kept layer")) == 10);
    CHECK(f.registry.get_manifest(f.app, "latest", false).bytes == bytes);

    // Once the image goes, so do its blobs.
    f.registry.delete_manifest(f.app, "latest");
    f.clock.advance(3601);
    CHECK(f.registry.collect_garbage(3600) == 2);
    CHECK(f.blobs.list().empty());
}

TEST_CASE("garbage collection ends idle uploads and forgets them", "[registry]") {
    Fixture f;
    const auto id = f.registry.start_upload(f.app);
    f.registry.append(f.app, id, 0).write("partial");
    f.clock.advance(10);
    f.registry.collect_garbage(3600);  // idle for less than the grace period: kept
    CHECK(f.registry.upload_size(f.app, id) == 7);
    f.registry.collect_garbage(0);
    CHECK(error_code([&] { f.registry.upload_size(f.app, id); }) == ErrorCode::blob_upload_unknown);
    CHECK(f.store.ecr_images().uploads_started_before(f.clock.now() + 1).empty());
}
