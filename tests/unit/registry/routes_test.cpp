#include "registry/routes.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"
#include "util/base64.hpp"
#include "util/sha256.hpp"

using namespace ecsbox;
using nlohmann::json;

namespace {

const store::Scope k_scope{"000000000000", "us-east-1"};

std::string digest_of(const std::string& bytes) { return "sha256:" + util::sha256_hex(bytes); }

struct Reply {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;

    json json_body() const { return json::parse(body); }
    std::string error_code() const { return json_body()["errors"][0]["code"]; }
    std::string header(const std::string& name) const { return headers.count(name) ? headers.at(name) : ""; }
};

// The registry routes over a real store and blob store in a temp dir, called in process.
class RegistryHarness {
public:
    explicit RegistryHarness(bool anonymous = false)
        : m_routes(m_registry, m_tokens, m_clock, {anonymous, k_scope.account, k_scope.region}) {
        m_token = m_tokens.mint(k_scope.account, k_scope.region, m_clock.now() + 3600);
    }

    void create_repository(const std::string& name) {
        store::EcrRepositoryRecord record;
        record.scope = k_scope;
        record.name = name;
        record.arn = "arn:aws:ecr:us-east-1:000000000000:repository/" + name;
        record.created_at = m_clock.now();
        record.body = json{{"imageTagMutability", "MUTABLE"}}.dump();
        REQUIRE(m_store.ecr_repositories().insert(record));
    }

    Reply call(const std::string& method, const std::string& path, const std::string& body = "",
               std::map<std::string, std::string> headers = {}, std::map<std::string, std::string> query = {},
               bool authenticated = true) {
        if (authenticated) headers.emplace("Authorization", "Basic " + util::base64_encode("AWS:" + m_token));
        registry::RegistryRequest request;
        request.method = method;
        request.path = path;
        request.query = std::move(query);
        request.header = [headers](std::string_view name) -> std::optional<std::string> {
            for (const auto& [key, value] : headers)
                if (strcasecmp(key.c_str(), std::string(name).c_str()) == 0) return value;
            return std::nullopt;
        };
        if (method == "PUT" || method == "PATCH" || method == "POST")
            request.read_body = [body](const std::function<bool(std::string_view)>& sink) {
                // In two pieces, as a network delivers it.
                const auto half = body.size() / 2;
                return sink(std::string_view(body).substr(0, half)) && sink(std::string_view(body).substr(half));
            };
        auto response = m_routes.handle(request);
        Reply reply;
        reply.status = response.status;
        for (const auto& [name, value] : response.headers) reply.headers[name] = value;
        reply.body = response.body;
        if (response.blob) {
            reply.body.resize(response.length);
            response.blob->read_at(response.offset, reply.body.data(), response.length);
        }
        return reply;
    }

    // Pushes a blob in one request; returns its digest.
    std::string push_blob(const std::string& repository, const std::string& bytes) {
        const auto digest = digest_of(bytes);
        const auto reply = call("POST", "/v2/" + repository + "/blobs/uploads/", bytes, {}, {{"digest", digest}});
        REQUIRE(reply.status == 201);
        return digest;
    }

    std::string image_manifest(const std::string& repository, const std::string& layer_bytes) {
        const auto config = push_blob(repository, R"({"architecture":"amd64","os":"linux"})");
        const auto layer = push_blob(repository, layer_bytes);
        return json{{"schemaVersion", 2},
                    {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
                    {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"}, {"digest", config}, {"size", 37}}},
                    {"layers", {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"}, {"digest", layer},
                                 {"size", layer_bytes.size()}}}}}
            .dump();
    }

    testing::FakeClock& clock() { return m_clock; }
    std::size_t upload_files() const {
        const auto dir = std::filesystem::path(m_dir.path()) / "registry" / "uploads";
        if (!std::filesystem::exists(dir)) return 0;
        return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
    }
    std::string token_until(double expires_at) const { return m_tokens.mint(k_scope.account, k_scope.region, expires_at); }

private:
    testing::TempDir m_dir;
    testing::FakeClock m_clock;
    store::Store m_store{m_dir.path()};
    registry::BlobStore m_blobs{m_dir.path() + "/registry"};
    registry::Registry m_registry{m_store, m_blobs, m_clock};
    registry::AuthTokens m_tokens{"secret"};
    registry::RegistryRoutes m_routes;
    std::string m_token;
};

constexpr const char* k_manifest_type = "application/vnd.docker.distribution.manifest.v2+json";

}  // namespace

TEST_CASE("the registry asks for ECR credentials and says which API it speaks", "[registry][routes]") {
    RegistryHarness h;
    const auto anonymous = h.call("GET", "/v2/", "", {}, {}, false);
    CHECK(anonymous.status == 401);
    CHECK(anonymous.error_code() == "UNAUTHORIZED");
    CHECK_THAT(anonymous.header("WWW-Authenticate"), Catch::StartsWith("Basic realm="));
    CHECK(anonymous.header("Docker-Distribution-API-Version") == "registry/2.0");

    CHECK(h.call("GET", "/v2/").status == 200);
    const auto forged = h.call("GET", "/v2/", "", {{"Authorization", "Basic " + util::base64_encode("AWS:forged")}}, {}, false);
    CHECK(forged.status == 401);
    const auto wrong_user = h.call("GET", "/v2/", "", {{"Authorization", "Basic " + util::base64_encode("admin:x")}}, {}, false);
    CHECK(wrong_user.status == 401);
}

TEST_CASE("anonymous access, when allowed, sees the default account and region", "[registry][routes]") {
    RegistryHarness h(true);
    h.create_repository("open");
    CHECK(h.call("GET", "/v2/", "", {}, {}, false).status == 200);
    CHECK(h.call("GET", "/v2/open/tags/list", "", {}, {}, false).status == 200);
}

TEST_CASE("a blob pushed in one request can be fetched whole, in part, and by HEAD", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto digest = h.push_blob("app", "hello, registry");

    const auto head = h.call("HEAD", "/v2/app/blobs/" + digest);
    CHECK(head.status == 200);
    CHECK(head.header("Docker-Content-Digest") == digest);
    const auto whole = h.call("GET", "/v2/app/blobs/" + digest);
    CHECK(whole.body == "hello, registry");
    const auto part = h.call("GET", "/v2/app/blobs/" + digest, "", {{"Range", "bytes=7-14"}});
    CHECK(part.status == 206);
    CHECK(part.body == "registry");
    CHECK(part.header("Content-Range") == "bytes 7-14/15");
    CHECK(h.call("GET", "/v2/app/blobs/" + digest, "", {{"Range", "bytes=99-"}}).status == 416);
}

TEST_CASE("a chunked upload reports its progress, refuses gaps, and ends with the digest", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto started = h.call("POST", "/v2/app/blobs/uploads/");
    REQUIRE(started.status == 202);
    const auto location = started.header("Location");
    CHECK_THAT(location, Catch::StartsWith("/v2/app/blobs/uploads/"));
    CHECK(started.header("Range") == "0-0");

    const auto first = h.call("PATCH", location, "first-", {{"Content-Range", "0-5"}});
    CHECK(first.status == 202);
    CHECK(first.header("Range") == "0-5");
    CHECK(h.call("PATCH", location, "gap", {{"Content-Range", "10-12"}}).status == 416);
    CHECK(h.call("GET", location).header("Range") == "0-5");
    CHECK(h.call("PATCH", location, "second").header("Range") == "0-11");

    const auto wrong = h.call("PUT", location, "", {}, {{"digest", digest_of("something else")}});
    CHECK(wrong.status == 400);
    CHECK(wrong.error_code() == "DIGEST_INVALID");
}

TEST_CASE("a finished upload is a blob of the repository; a cancelled one is gone", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto location = h.call("POST", "/v2/app/blobs/uploads/").header("Location");
    h.call("PATCH", location, "first-");
    const auto done = h.call("PUT", location, "second", {}, {{"digest", digest_of("first-second")}});
    CHECK(done.status == 201);
    CHECK(done.header("Location") == "/v2/app/blobs/" + digest_of("first-second"));
    CHECK(h.call("GET", "/v2/app/blobs/" + digest_of("first-second")).body == "first-second");

    const auto cancelled = h.call("POST", "/v2/app/blobs/uploads/").header("Location");
    CHECK(h.call("DELETE", cancelled).status == 204);
    const auto unknown = h.call("GET", cancelled);
    CHECK(unknown.status == 404);
    CHECK(unknown.error_code() == "BLOB_UPLOAD_UNKNOWN");
}

TEST_CASE("manifests need their blobs, then answer by tag and by digest", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("team/app");
    const auto manifest = h.image_manifest("team/app", "layer bytes");
    const auto digest = digest_of(manifest);

    h.create_repository("other");
    const auto missing = h.call("PUT", "/v2/other/manifests/v1", manifest, {{"Content-Type", k_manifest_type}});
    CHECK(missing.status == 400);
    CHECK(missing.error_code() == "MANIFEST_BLOB_UNKNOWN");

    const auto put = h.call("PUT", "/v2/team/app/manifests/v1", manifest, {{"Content-Type", k_manifest_type}});
    CHECK(put.status == 201);
    CHECK(put.header("Docker-Content-Digest") == digest);
    CHECK(put.header("Location") == "/v2/team/app/manifests/" + digest);

    for (const auto& reference : {std::string("v1"), digest}) {
        const auto got = h.call("GET", "/v2/team/app/manifests/" + reference, "", {{"Accept", k_manifest_type}});
        CHECK(got.status == 200);
        CHECK(got.body == manifest);
        CHECK(got.header("Docker-Content-Digest") == digest);
    }
    const auto refused = h.call("GET", "/v2/team/app/manifests/v1", "", {{"Accept", "application/vnd.oci.image.index.v1+json"}});
    CHECK(refused.status == 404);
    CHECK(refused.error_code() == "MANIFEST_UNKNOWN");

    CHECK(h.call("DELETE", "/v2/team/app/manifests/" + digest).status == 202);
    CHECK(h.call("GET", "/v2/team/app/manifests/v1").error_code() == "MANIFEST_UNKNOWN");
}

TEST_CASE("tags are listed in pages with a Link to the next", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto manifest = h.image_manifest("app", "layer");
    for (const char* tag : {"c", "a", "b"})
        REQUIRE(h.call("PUT", std::string("/v2/app/manifests/") + tag, manifest, {{"Content-Type", k_manifest_type}}).status == 201);
    const auto first = h.call("GET", "/v2/app/tags/list", "", {}, {{"n", "2"}});
    CHECK(first.json_body() == json{{"name", "app"}, {"tags", {"a", "b"}}});
    CHECK(first.header("Link") == "</v2/app/tags/list?n=2&last=b>; rel=\"next\"");
    CHECK(h.call("GET", "/v2/app/tags/list", "", {}, {{"n", "0"}}).error_code() == "PAGINATION_NUMBER_INVALID");
    CHECK(h.call("GET", "/v2/app/tags/list", "", {}, {{"n", "lots"}}).status == 400);
    const auto rest = h.call("GET", "/v2/app/tags/list", "", {}, {{"n", "2"}, {"last", "b"}});
    CHECK(rest.json_body()["tags"] == json::array({"c"}));
    CHECK(rest.header("Link").empty());
}

TEST_CASE("a blob of one repository mounts into another without an upload", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("source");
    h.create_repository("target");
    const auto digest = h.push_blob("source", "shared layer");
    const auto mounted = h.call("POST", "/v2/target/blobs/uploads/", "", {}, {{"mount", digest}, {"from", "source"}});
    CHECK(mounted.status == 201);
    CHECK(h.call("GET", "/v2/target/blobs/" + digest).body == "shared layer");
    // Nothing to mount: an ordinary upload starts instead.
    const auto fallback = h.call("POST", "/v2/target/blobs/uploads/", "", {}, {{"mount", digest_of("x")}, {"from", "source"}});
    CHECK(fallback.status == 202);
}

TEST_CASE("names, digests and repositories that are not there get the spec's errors", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    CHECK(h.call("GET", "/v2/../etc/tags/list").error_code() == "NAME_INVALID");
    CHECK(h.call("GET", "/v2/App/tags/list").error_code() == "NAME_INVALID");
    const auto unknown = h.call("GET", "/v2/nothing/tags/list");
    CHECK(unknown.status == 404);
    CHECK(unknown.error_code() == "NAME_UNKNOWN");
    CHECK(h.call("GET", "/v2/app/blobs/sha256:zz").error_code() == "DIGEST_INVALID");
    const auto absent = h.call("GET", "/v2/app/blobs/" + digest_of("never pushed"));
    CHECK(absent.status == 404);
    CHECK(absent.error_code() == "BLOB_UNKNOWN");
    CHECK(h.call("PATCH", "/v2/app/manifests/v1").status == 405);
    const auto bad = h.call("PUT", "/v2/app/manifests/v1", "{not json", {{"Content-Type", k_manifest_type}});
    CHECK(bad.status == 400);
    CHECK(bad.error_code() == "MANIFEST_INVALID");
}

TEST_CASE("a presigned blob URL lets that download in without credentials, and nothing else", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto digest = h.push_blob("app", "layer bytes");
    const auto token = h.token_until(h.clock().now() + 60);
    const auto fetched = h.call("GET", "/v2/app/blobs/" + digest, "", {}, {{"X-Ecsbox-Token", token}}, false);
    CHECK(fetched.status == 200);
    CHECK(fetched.body == "layer bytes");
    CHECK(h.call("GET", "/v2/app/tags/list", "", {}, {{"X-Ecsbox-Token", token}}, false).status == 401);
    CHECK(h.call("DELETE", "/v2/app/blobs/" + digest, "", {}, {{"X-Ecsbox-Token", token}}, false).status == 401);
    h.clock().advance(61);
    CHECK(h.call("GET", "/v2/app/blobs/" + digest, "", {}, {{"X-Ecsbox-Token", token}}, false).status == 401);
}

TEST_CASE("a one-request upload that fails leaves no session behind", "[registry][routes]") {
    RegistryHarness h;
    h.create_repository("app");
    const auto wrong = h.call("POST", "/v2/app/blobs/uploads/", "some bytes", {}, {{"digest", digest_of("other bytes")}});
    CHECK(wrong.error_code() == "DIGEST_INVALID");
    const auto malformed = h.call("POST", "/v2/app/blobs/uploads/", "some bytes", {}, {{"digest", "sha256:nope"}});
    CHECK(malformed.error_code() == "DIGEST_INVALID");
    CHECK(h.upload_files() == 0);
    CHECK(h.call("GET", "/v2/app/blobs/" + digest_of("some bytes")).error_code() == "BLOB_UNKNOWN");
}
