#include "registry/blob_store.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.hpp"
#include "util/sha256.hpp"

using ecsbox::registry::BlobStore;
using ecsbox::registry::BlobStoreError;
using ecsbox::testing::TempDir;
using Kind = ecsbox::registry::BlobStoreError::Kind;
namespace fs = std::filesystem;

namespace {

std::string digest_of(std::string_view bytes) { return "sha256:" + ecsbox::util::sha256_hex(bytes); }

// The kind of BlobStoreError the call throws, or nullopt when it throws nothing.
template <typename Call>
std::optional<Kind> error_kind(Call&& call) {
    try {
        call();
    } catch (const BlobStoreError& error) {
        return error.kind();
    }
    return std::nullopt;
}

void append_all(BlobStore& store, const std::string& id, std::string_view bytes) {
    BlobStore::Appender appender = store.append(id);
    appender.write(bytes);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string k_missing_digest = "sha256:" + std::string(64, '0');

}  // namespace

// ---- Committed blobs ----

TEST_CASE("put stores bytes under their digest in the sharded layout", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string digest = store.put("hello blob");
    CHECK(digest == digest_of("hello blob"));
    const std::string hex = digest.substr(7);
    CHECK(read_file(fs::path(dir.path()) / "blobs" / "sha256" / hex.substr(0, 2) / hex) == "hello blob");
    CHECK(store.exists(digest));
    CHECK(store.size(digest) == 10u);
    CHECK(store.read_all(digest) == std::optional<std::string>("hello blob"));
}

TEST_CASE("put of bytes already stored returns the same digest", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    CHECK(store.put("same") == store.put("same"));
    CHECK(store.list().size() == 1);
}

TEST_CASE("an empty blob can be stored and read", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string digest = store.put("");
    CHECK(digest == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(store.size(digest) == 0u);
    CHECK(store.read_all(digest) == std::optional<std::string>(""));
}

TEST_CASE("a blob reader reads any range and stops at the end", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string digest = store.put("0123456789");
    std::optional<ecsbox::registry::BlobReader> reader = store.open(digest);
    REQUIRE(reader);
    CHECK(reader->size() == 10);
    char buffer[16] = {};
    CHECK(reader->read_at(0, buffer, 3) == 3);
    CHECK(std::string(buffer, 3) == "012");
    CHECK(reader->read_at(4, buffer, 4) == 4);
    CHECK(std::string(buffer, 4) == "4567");
    CHECK(reader->read_at(8, buffer, 16) == 2);  // only what is left
    CHECK(std::string(buffer, 2) == "89");
    CHECK(reader->read_at(10, buffer, 16) == 0);
    CHECK(reader->read_at(1000, buffer, 16) == 0);
}

TEST_CASE("a moved blob reader keeps reading; the moved-from one owns nothing", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    std::optional<ecsbox::registry::BlobReader> source = store.open(store.put("abc"));
    REQUIRE(source);
    ecsbox::registry::BlobReader moved(std::move(*source));
    char buffer[3];
    CHECK(moved.read_at(0, buffer, 3) == 3);
    CHECK(std::string(buffer, 3) == "abc");
    CHECK(error_kind([&] { source->read_at(0, buffer, 3); }) == Kind::io);
}

TEST_CASE("absent and malformed digests are simply not there", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    for (const std::string& digest : {k_missing_digest, std::string("sha256:../../uploads"), std::string(""),
                                     std::string("sha256:") + std::string(64, 'A'), std::string("latest")}) {
        INFO(digest);
        CHECK_FALSE(store.exists(digest));
        CHECK_FALSE(store.size(digest));
        CHECK_FALSE(store.open(digest));
        CHECK_FALSE(store.read_all(digest));
        CHECK_NOTHROW(store.remove(digest));
    }
}

TEST_CASE("remove deletes a blob and tolerates one already gone", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string digest = store.put("to be removed");
    store.remove(digest);
    CHECK_FALSE(store.exists(digest));
    CHECK_NOTHROW(store.remove(digest));
}

TEST_CASE("list reports every committed digest, sorted, and nothing else", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    CHECK(store.list().empty());
    std::vector<std::string> expected = {store.put("one"), store.put("two"), store.put("three")};
    std::sort(expected.begin(), expected.end());
    std::ofstream(fs::path(dir.path()) / "blobs" / "sha256" / "stray") << "not a blob";
    fs::create_directories(fs::path(dir.path()) / "blobs" / "sha256" / "zz");
    std::ofstream(fs::path(dir.path()) / "blobs" / "sha256" / "zz" / "junk") << "not a blob";
    store.start_upload();  // uploads are not blobs
    CHECK(store.list() == expected);
}

// ---- Uploads ----

TEST_CASE("an upload in several appends commits as one blob", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    CHECK(store.upload_exists(id));
    CHECK(store.upload_size(id) == 0);
    {
        BlobStore::Appender appender = store.append(id, 0);
        appender.write("first ");
        appender.write("");
        appender.write("second ");
        CHECK(appender.size() == 13);
    }
    append_all(store, id, "third");
    CHECK(store.upload_size(id) == 18);

    const std::string digest = digest_of("first second third");
    CHECK(store.commit(id, digest) == 18);
    CHECK(store.read_all(digest) == std::optional<std::string>("first second third"));
    CHECK_FALSE(store.upload_exists(id));
    CHECK(fs::is_empty(fs::path(dir.path()) / "uploads"));
}

TEST_CASE("an upload commits when its size matches the expected size", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "sized");
    CHECK(store.commit(id, digest_of("sized"), 5) == 5);
    CHECK(store.exists(digest_of("sized")));
}

TEST_CASE("an upload with nothing appended commits as the empty blob", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    CHECK(store.commit(id, digest_of("")) == 0);
    CHECK(store.exists(digest_of("")));
}

TEST_CASE("upload ids are distinct lower-case hex file names", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string first = store.start_upload();
    const std::string second = store.start_upload();
    CHECK(first != second);
    CHECK(first.size() == 32);
    CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(fs::is_regular_file(fs::path(dir.path()) / "uploads" / first));
}

TEST_CASE("a wrong digest publishes nothing and ends the session", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "actual bytes");
    CHECK(error_kind([&] { store.commit(id, digest_of("other bytes")); }) == Kind::digest_mismatch);
    CHECK_FALSE(store.exists(digest_of("other bytes")));
    CHECK_FALSE(store.exists(digest_of("actual bytes")));
    CHECK(store.list().empty());
    CHECK_FALSE(store.upload_exists(id));
    CHECK(error_kind([&] { store.commit(id, digest_of("actual bytes")); }) == Kind::upload_unknown);
}

TEST_CASE("a wrong size publishes nothing and ends the session", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "12345");
    CHECK(error_kind([&] { store.commit(id, digest_of("12345"), 6); }) == Kind::size_mismatch);
    CHECK_FALSE(store.exists(digest_of("12345")));
    CHECK_FALSE(store.upload_exists(id));
}

TEST_CASE("a malformed digest at commit is refused but the upload survives", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "kept");
    CHECK(error_kind([&] { store.commit(id, "sha256:nothex"); }) == Kind::digest_mismatch);
    CHECK(error_kind([&] { store.commit(id, "sha256:../../../escape"); }) == Kind::digest_mismatch);
    CHECK(store.upload_exists(id));
    CHECK(store.commit(id, digest_of("kept")) == 4);
}

TEST_CASE("an append at the wrong offset writes nothing", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "abc");
    CHECK(error_kind([&] { store.append(id, 2); }) == Kind::offset_mismatch);
    CHECK(error_kind([&] { store.append(id, 4); }) == Kind::offset_mismatch);
    CHECK(store.upload_size(id) == 3);
    {
        BlobStore::Appender appender = store.append(id, 3);
        appender.write("def");
    }
    CHECK(store.commit(id, digest_of("abcdef")) == 6);
}

TEST_CASE("an upload is written by one appender at a time", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    {
        BlobStore::Appender first = store.append(id);
        first.write("one");
        CHECK(error_kind([&] { store.append(id); }) == Kind::offset_mismatch);
        CHECK(error_kind([&] { store.commit(id, digest_of("one")); }) == Kind::offset_mismatch);
        BlobStore::Appender moved(std::move(first));  // still the one writer
        moved.write(" two");
        CHECK(error_kind([&] { store.append(id); }) == Kind::offset_mismatch);
    }
    append_all(store, id, " three");  // free again once the writer is gone
    CHECK(store.commit(id, digest_of("one two three")) == 13);
}

TEST_CASE("an upload survives a restart and commits from the file", "[registry][blob_store]") {
    TempDir dir;
    std::string id;
    {
        BlobStore before(dir.path());
        id = before.start_upload();
        append_all(before, id, "written before ");
    }
    BlobStore after(dir.path());
    CHECK(after.upload_exists(id));
    CHECK(after.upload_size(id) == 15);

    SECTION("and takes more bytes") {
        {
            BlobStore::Appender appender = after.append(id, 15);
            appender.write("and after");
        }
        CHECK(after.commit(id, digest_of("written before and after")) == 24);
        CHECK(after.read_all(digest_of("written before and after")) ==
              std::optional<std::string>("written before and after"));
    }
    SECTION("as it is") {
        CHECK(after.commit(id, digest_of("written before "), 15) == 15);
    }
    SECTION("and still refuses a wrong digest") {
        CHECK(error_kind([&] { after.commit(id, digest_of("something else")); }) == Kind::digest_mismatch);
        CHECK_FALSE(after.upload_exists(id));
    }
}

TEST_CASE("a large upload rehashed after a restart spans several read chunks", "[registry][blob_store]") {
    TempDir dir;
    std::string bytes(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + (i >> 12));
    std::string id;
    {
        BlobStore before(dir.path());
        id = before.start_upload();
        append_all(before, id, bytes);
    }
    BlobStore after(dir.path());
    CHECK(after.commit(id, digest_of(bytes)) == bytes.size());
}

TEST_CASE("cancel ends an upload and tolerates one already gone", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    append_all(store, id, "never published");
    store.cancel(id);
    CHECK_FALSE(store.upload_exists(id));
    CHECK(error_kind([&] { store.append(id); }) == Kind::upload_unknown);
    CHECK(error_kind([&] { store.commit(id, digest_of("never published")); }) == Kind::upload_unknown);
    CHECK_NOTHROW(store.cancel(id));
    CHECK(store.list().empty());
}

TEST_CASE("an appender whose upload was cancelled fails its next write", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    BlobStore::Appender appender = store.append(id);
    appender.write("before");
    store.cancel(id);
    CHECK(error_kind([&] { appender.write("after"); }) == Kind::io);
    CHECK(store.list().empty());
}

TEST_CASE("unknown and malicious upload ids never reach the file system", "[registry][blob_store]") {
    TempDir dir;
    const fs::path root = dir.path();
    BlobStore store(root);
    // A file that "../x" would name if ids were used as paths unchecked.
    std::ofstream(root / "x") << "outside uploads";
    const std::string victim_digest = digest_of("outside uploads");

    for (const std::string& id : {std::string("../x"), std::string(""), std::string("a/b"), std::string("."),
                                 std::string(".."), std::string("/etc/passwd"), std::string(32, 'A'),
                                 std::string(33, 'a'), std::string(31, 'a') + "/", std::string(32, '0')}) {
        INFO("id '" << id << "'");
        CHECK_FALSE(store.upload_exists(id));
        CHECK(error_kind([&] { store.upload_size(id); }) == Kind::upload_unknown);
        CHECK(error_kind([&] { store.append(id); }) == Kind::upload_unknown);
        CHECK(error_kind([&] { store.commit(id, victim_digest); }) == Kind::upload_unknown);
        CHECK_NOTHROW(store.cancel(id));
    }
    CHECK(read_file(root / "x") == "outside uploads");
    CHECK_FALSE(store.exists(victim_digest));
}

TEST_CASE("two uploads stream in parallel from two threads", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    constexpr int k_chunks = 200;
    // Chunks of varying length and content, so an interleaving mistake changes the digest.
    auto chunk = [](char fill, int index) { return std::string(4096 + index, static_cast<char>(fill + index % 7)); };
    auto stream = [&](const std::string& id, char fill) {
        BlobStore::Appender appender = store.append(id);
        for (int index = 0; index < k_chunks; ++index) appender.write(chunk(fill, index));
    };
    auto expected = [&](char fill) {
        std::string bytes;
        for (int index = 0; index < k_chunks; ++index) bytes += chunk(fill, index);
        return bytes;
    };

    const std::string first = store.start_upload();
    const std::string second = store.start_upload();
    std::thread one(stream, first, 'a');
    std::thread two(stream, second, 'A');
    one.join();
    two.join();

    const std::string first_bytes = expected('a');
    const std::string second_bytes = expected('A');
    CHECK(store.commit(first, digest_of(first_bytes)) == first_bytes.size());
    CHECK(store.commit(second, digest_of(second_bytes)) == second_bytes.size());
    CHECK(store.read_all(digest_of(first_bytes)) == std::optional<std::string>(first_bytes));
    CHECK(store.read_all(digest_of(second_bytes)) == std::optional<std::string>(second_bytes));
}

TEST_CASE("committing bytes already stored drops the upload and keeps the blob", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string digest = store.put("layer");
    for (int round = 0; round < 2; ++round) {
        const std::string id = store.start_upload();
        append_all(store, id, "layer");
        CHECK(store.commit(id, digest) == 5);
        CHECK_FALSE(store.upload_exists(id));
    }
    CHECK(store.read_all(digest) == std::optional<std::string>("layer"));
    CHECK(store.list() == std::vector<std::string>{digest});
    CHECK(fs::is_empty(fs::path(dir.path()) / "uploads"));
}

TEST_CASE("sweep_uploads ends uploads last written before the cutoff", "[registry][blob_store]") {
    TempDir dir;
    const fs::path uploads = fs::path(dir.path()) / "uploads";
    BlobStore store(dir.path());
    const auto now = fs::file_time_type::clock::now();
    const std::string stale = store.start_upload();
    const std::string fresh = store.start_upload();
    append_all(store, stale, "abandoned");
    fs::last_write_time(uploads / stale, now - std::chrono::hours(2));
    std::ofstream(uploads / "put-leftover") << "a put that died before its rename";
    fs::last_write_time(uploads / "put-leftover", now - std::chrono::hours(2));

    CHECK(store.sweep_uploads(now - std::chrono::hours(1)) == 1);
    CHECK_FALSE(store.upload_exists(stale));
    CHECK(error_kind([&] { store.commit(stale, digest_of("abandoned")); }) == Kind::upload_unknown);
    CHECK(store.upload_exists(fresh));
    CHECK_FALSE(fs::exists(uploads / "put-leftover"));
}

TEST_CASE("sweep_uploads spares an upload with an open appender", "[registry][blob_store]") {
    TempDir dir;
    BlobStore store(dir.path());
    const std::string id = store.start_upload();
    BlobStore::Appender appender = store.append(id);
    const auto later = fs::file_time_type::clock::now() + std::chrono::hours(1);
    CHECK(store.sweep_uploads(later) == 0);
    appender.write("still streaming");
    CHECK(store.upload_exists(id));
}

TEST_CASE("sweep_uploads ends uploads left over from before a restart", "[registry][blob_store]") {
    TempDir dir;
    std::string id;
    {
        BlobStore before(dir.path());
        id = before.start_upload();
    }
    BlobStore after(dir.path());
    CHECK(after.sweep_uploads(fs::file_time_type::clock::now() + std::chrono::hours(1)) == 1);
    CHECK_FALSE(after.upload_exists(id));
}
