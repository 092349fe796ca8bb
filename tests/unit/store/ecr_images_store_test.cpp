#include "store/ecr_images_store.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "store/db.hpp"
#include "store/ecr_repositories_store.hpp"
#include "support/migrated_db.hpp"
#include "support/temp_dir.hpp"

using ecsbox::store::Database;
using ecsbox::store::EcrImageRecord;
using ecsbox::store::EcrImagesStore;
using ecsbox::store::EcrRepositoriesStore;
using ecsbox::store::EcrRepositoryRecord;
using ecsbox::store::EcrTagFilter;
using ecsbox::store::EcrUploadRecord;
using ecsbox::store::StoreError;
using ecsbox::testing::migrated;
using ecsbox::testing::TempDir;
using Strings = std::vector<std::string>;

namespace {

struct Fixture {
    TempDir dir;
    Database db{dir.path() + "/t.db"};
    EcrRepositoriesStore repositories{migrated(db)};
    EcrImagesStore images{db};
    std::int64_t repo = add_repository("app");
    std::int64_t other = add_repository("other");

    std::int64_t add_repository(const std::string& name) {
        EcrRepositoryRecord record;
        record.scope = {"000000000000", "us-east-1"};
        record.name = name;
        record.arn = "arn:aws:ecr:us-east-1:000000000000:repository/" + name;
        record.body = "{}";
        return *repositories.insert(record);
    }
};

EcrImageRecord image(std::int64_t repository_id, const std::string& digest, double pushed_at = 1) {
    return {repository_id,
            digest,
            R"({"schemaVersion":2,"digest":")" + digest + "\"}",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.oci.image.config.v1+json",
            1234,
            pushed_at,
            std::nullopt,
            {}};
}

Strings digests(const std::vector<EcrImageRecord>& rows) {
    Strings out;
    for (const auto& row : rows) out.push_back(row.digest);
    return out;
}

}  // namespace

TEST_CASE("a new image is stored with its references; pushing it again keeps the first", "[store][ecr]") {
    Fixture f;
    CHECK(f.images.put_image(image(f.repo, "sha256:a", 10), {"sha256:config", "sha256:layer"}));
    auto again = image(f.repo, "sha256:a", 20);
    again.manifest = "changed";
    CHECK_FALSE(f.images.put_image(again, {"sha256:else"}));

    const auto found = f.images.find_by_digest(f.repo, "sha256:a");
    REQUIRE(found);
    CHECK(found->pushed_at == 10);
    CHECK(found->manifest == image(f.repo, "sha256:a").manifest);
    CHECK(found->media_type == "application/vnd.oci.image.manifest.v1+json");
    CHECK(found->artifact_media_type == "application/vnd.oci.image.config.v1+json");
    CHECK(found->size == 1234);
    CHECK_FALSE(found->last_pull_at);
    CHECK(found->tags.empty());
    CHECK(f.images.references_of(f.repo, "sha256:a") == Strings{"sha256:config", "sha256:layer"});
    CHECK(f.images.referenced_by(f.repo, "sha256:layer") == Strings{"sha256:a"});
    CHECK_FALSE(f.images.find_by_digest(f.other, "sha256:a"));
    CHECK(f.images.count(f.repo) == 1);
    CHECK(f.images.count(f.other) == 0);
}

TEST_CASE("a manifest keeps its exact bytes", "[store][ecr]") {
    Fixture f;
    auto record = image(f.repo, "sha256:a");
    record.manifest = "{\n  \"schemaVersion\": 2,\t\"x\": \"\xc3\xa9\"\n}\n";
    REQUIRE(f.images.put_image(record, {}));
    CHECK(f.images.find_by_digest(f.repo, "sha256:a")->manifest == record.manifest);
}

TEST_CASE("a tag moves between images and reports where it pointed before", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.images.put_image(image(f.repo, "sha256:a"), {}));
    REQUIRE(f.images.put_image(image(f.repo, "sha256:b"), {}));
    CHECK_FALSE(f.images.set_tag(f.repo, "latest", "sha256:a"));
    CHECK(f.images.set_tag(f.repo, "v1", "sha256:a") == std::nullopt);
    CHECK(f.images.find_by_tag(f.repo, "latest")->digest == "sha256:a");
    CHECK(f.images.find_by_digest(f.repo, "sha256:a")->tags == Strings{"latest", "v1"});

    CHECK(f.images.set_tag(f.repo, "latest", "sha256:b") == std::string("sha256:a"));
    CHECK(f.images.find_by_tag(f.repo, "latest")->digest == "sha256:b");
    CHECK(f.images.tags_of(f.repo, "sha256:a") == Strings{"v1"});
    CHECK_FALSE(f.images.find_by_tag(f.other, "latest"));

    CHECK(f.images.remove_tag(f.repo, "v1"));
    CHECK_FALSE(f.images.remove_tag(f.repo, "v1"));
    CHECK(f.images.tags_of(f.repo, "sha256:a").empty());
    CHECK(f.images.find_by_digest(f.repo, "sha256:a"));  // untagging keeps the image
}

TEST_CASE("tags of a repository list in lexical order, a page at a time", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.images.put_image(image(f.repo, "sha256:a"), {}));
    REQUIRE(f.images.put_image(image(f.repo, "sha256:b"), {}));
    REQUIRE(f.images.put_image(image(f.other, "sha256:a"), {}));
    for (const auto* tag : {"v2", "latest", "V1"}) f.images.set_tag(f.repo, tag, "sha256:a");
    f.images.set_tag(f.repo, "beta", "sha256:b");
    f.images.set_tag(f.other, "alpha", "sha256:a");
    CHECK(f.images.list_tags(f.repo, std::nullopt, 10) == Strings{"V1", "beta", "latest", "v2"});
    CHECK(f.images.list_tags(f.repo, std::nullopt, 2) == Strings{"V1", "beta"});
    CHECK(f.images.list_tags(f.repo, std::string("beta"), 2) == Strings{"latest", "v2"});
    CHECK(f.images.list_tags(f.repo, std::string("v2"), 2).empty());
}

TEST_CASE("a tag can only point at an image of its own repository", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.images.put_image(image(f.other, "sha256:a"), {}));
    CHECK_THROWS_AS(f.images.set_tag(f.repo, "latest", "sha256:a"), StoreError);
    CHECK_THROWS_AS(f.images.set_tag(f.repo, "latest", "sha256:missing"), StoreError);
    CHECK_FALSE(f.images.find_by_tag(f.repo, "latest"));
}

TEST_CASE("images list by digest with their tags, filtered by tag status", "[store][ecr]") {
    Fixture f;
    for (const char* d : {"sha256:c", "sha256:a", "sha256:d", "sha256:b"}) REQUIRE(f.images.put_image(image(f.repo, d), {}));
    REQUIRE(f.images.put_image(image(f.other, "sha256:0"), {}));
    f.images.set_tag(f.repo, "x", "sha256:b");
    f.images.set_tag(f.repo, "y", "sha256:b");
    f.images.set_tag(f.repo, "z", "sha256:d");

    const auto all = f.images.list(f.repo, EcrTagFilter::any, std::nullopt, 10);
    CHECK(digests(all) == Strings{"sha256:a", "sha256:b", "sha256:c", "sha256:d"});
    CHECK(all[1].tags == Strings{"x", "y"});
    CHECK(digests(f.images.list(f.repo, EcrTagFilter::tagged, std::nullopt, 10)) == Strings{"sha256:b", "sha256:d"});
    CHECK(digests(f.images.list(f.repo, EcrTagFilter::untagged, std::nullopt, 10)) == Strings{"sha256:a", "sha256:c"});
    CHECK(digests(f.images.list(f.repo, EcrTagFilter::any, std::string("sha256:b"), 2)) ==
          Strings{"sha256:c", "sha256:d"});
    CHECK(digests(f.images.list(f.repo, EcrTagFilter::untagged, std::string("sha256:a"), 10)) == Strings{"sha256:c"});
}

TEST_CASE("deleting an image takes its tags and references, not other images'", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.images.put_image(image(f.repo, "sha256:a"), {"sha256:l"}));
    REQUIRE(f.images.put_image(image(f.repo, "sha256:b"), {"sha256:l"}));
    f.images.set_tag(f.repo, "latest", "sha256:a");
    CHECK(f.images.remove_image(f.repo, "sha256:a"));
    CHECK_FALSE(f.images.remove_image(f.repo, "sha256:a"));
    CHECK_FALSE(f.images.find_by_tag(f.repo, "latest"));
    CHECK(f.images.references_of(f.repo, "sha256:a").empty());
    CHECK(f.images.referenced_by(f.repo, "sha256:l") == Strings{"sha256:b"});
    // The tag name is free again.
    f.images.set_tag(f.repo, "latest", "sha256:b");
    CHECK(f.images.count(f.repo) == 1);
}

TEST_CASE("a pull is recorded on the image", "[store][ecr]") {
    Fixture f;
    REQUIRE(f.images.put_image(image(f.repo, "sha256:a"), {}));
    CHECK(f.images.record_pull(f.repo, "sha256:a", 99.5));
    CHECK(f.images.find_by_digest(f.repo, "sha256:a")->last_pull_at == 99.5);
    CHECK_FALSE(f.images.record_pull(f.repo, "sha256:missing", 1));
}

TEST_CASE("blobs are linked per repository; linking again refreshes the link", "[store][ecr]") {
    Fixture f;
    f.images.link_blob(f.repo, "sha256:l", 10, 5);
    CHECK(f.images.is_linked(f.repo, "sha256:l"));
    CHECK_FALSE(f.images.is_linked(f.other, "sha256:l"));
    f.images.link_blob(f.repo, "sha256:l", 10, 7);
    const auto link = f.images.find_link(f.repo, "sha256:l");
    REQUIRE(link);
    CHECK(link->digest == "sha256:l");
    CHECK(link->size == 10);
    CHECK(link->linked_at == 7);
    CHECK(f.images.unlink_blob(f.repo, "sha256:l"));
    CHECK_FALSE(f.images.unlink_blob(f.repo, "sha256:l"));
    CHECK_FALSE(f.images.is_linked(f.repo, "sha256:l"));

    f.images.link_blob(f.repo, "sha256:m", 1, 1);
    f.images.link_blob(f.other, "sha256:m", 1, 1);
    f.images.unlink_everywhere("sha256:m");
    CHECK_FALSE(f.images.is_linked(f.repo, "sha256:m"));
    CHECK_FALSE(f.images.is_linked(f.other, "sha256:m"));
}

TEST_CASE("unreferenced blobs: no image of any repository uses them and every link is old", "[store][ecr]") {
    Fixture f;
    f.images.link_blob(f.repo, "sha256:used-here", 1, 1);
    f.images.link_blob(f.repo, "sha256:used-elsewhere", 1, 1);
    f.images.link_blob(f.repo, "sha256:old", 1, 1);
    f.images.link_blob(f.repo, "sha256:fresh", 1, 100);
    f.images.link_blob(f.repo, "sha256:mixed", 1, 1);
    f.images.link_blob(f.other, "sha256:mixed", 1, 100);
    f.images.link_blob(f.repo, "sha256:manifest", 1, 1);
    REQUIRE(f.images.put_image(image(f.repo, "sha256:img"), {"sha256:used-here"}));
    REQUIRE(f.images.put_image(image(f.other, "sha256:manifest"), {"sha256:used-elsewhere"}));

    CHECK(f.images.unreferenced_blobs(50) == Strings{"sha256:old"});
    CHECK(f.images.unreferenced_blobs(1000) == Strings{"sha256:fresh", "sha256:mixed", "sha256:old"});
    CHECK(f.images.unreferenced_among({"sha256:unknown", "sha256:old", "sha256:fresh", "sha256:used-here",
                                       "sha256:img", "sha256:mixed"},
                                      50) == Strings{"sha256:unknown", "sha256:old"});

    // Once the image goes, what it referenced is collectable.
    REQUIRE(f.images.remove_image(f.repo, "sha256:img"));
    CHECK(f.images.unreferenced_blobs(50) == Strings{"sha256:old", "sha256:used-here"});
}

TEST_CASE("upload sessions belong to one repository", "[store][ecr]") {
    Fixture f;
    f.images.add_upload({"u1", f.repo, 10});
    f.images.add_upload({"u2", f.other, 20});
    const auto found = f.images.find_upload(f.repo, "u1");
    REQUIRE(found);
    CHECK(found->id == "u1");
    CHECK(found->repository_id == f.repo);
    CHECK(found->started_at == 10);
    CHECK_FALSE(f.images.find_upload(f.other, "u1"));
    CHECK_THROWS_AS(f.images.add_upload({"u1", f.other, 30}), StoreError);

    const auto old = f.images.uploads_started_before(15);
    REQUIRE(old.size() == 1);
    CHECK(old[0].id == "u1");
    CHECK(f.images.remove_upload("u1"));
    CHECK_FALSE(f.images.remove_upload("u1"));
    CHECK_FALSE(f.images.find_upload(f.repo, "u1"));
}
