#include "registry/routes.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "registry/reference.hpp"
#include "util/base64.hpp"

namespace ecsbox::registry {

using nlohmann::json;

namespace {

constexpr std::size_t k_max_tags_page = 1000;

enum class Resource { base, tags, manifest, blob, uploads, upload };

struct Route {
    Resource resource = Resource::base;
    std::string name;
    std::string reference;  // tag or digest, blob digest, or upload id
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Splits "/v2/<name>/<resource>/<reference>". Names contain slashes, so the resource is found
// from the end: the last path segments decide, the rest is the name.
std::optional<Route> parse_route(std::string_view path) {
    if (path == "/v2/" || path == "/v2") return Route{};
    if (!path.starts_with("/v2/")) return std::nullopt;
    auto rest = path.substr(4);
    if (ends_with(rest, "/")) rest.remove_suffix(1);
    const auto split_last = [](std::string_view text) -> std::pair<std::string_view, std::string_view> {
        const auto slash = text.rfind('/');
        if (slash == std::string_view::npos) return {"", text};
        return {text.substr(0, slash), text.substr(slash + 1)};
    };
    if (ends_with(rest, "/tags/list")) return Route{Resource::tags, std::string(rest.substr(0, rest.size() - 10)), ""};
    if (ends_with(rest, "/blobs/uploads")) return Route{Resource::uploads, std::string(rest.substr(0, rest.size() - 14)), ""};
    const auto [head, last] = split_last(rest);
    if (ends_with(head, "/blobs/uploads"))
        return Route{Resource::upload, std::string(head.substr(0, head.size() - 14)), std::string(last)};
    if (ends_with(head, "/manifests")) return Route{Resource::manifest, std::string(head.substr(0, head.size() - 10)), std::string(last)};
    if (ends_with(head, "/blobs")) return Route{Resource::blob, std::string(head.substr(0, head.size() - 6)), std::string(last)};
    return std::nullopt;
}

RegistryResponse error_response(int status, const std::string& code, const std::string& message) {
    RegistryResponse response;
    response.status = status;
    response.content_type = "application/json";
    response.body = json{{"errors", {{{"code", code}, {"message", message}, {"detail", json::object()}}}}}.dump();
    return response;
}

RegistryResponse error_response(const RegistryError& e) { return error_response(e.http_status(), e.code_name(), e.what()); }

RegistryResponse unauthorized() {
    auto response = error_response(401, "UNAUTHORIZED", "authentication required: docker login with the password of "
                                                        "'aws ecr get-login-password' and the user AWS");
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"ecsbox\",service=\"ecr.amazonaws.com\"");
    return response;
}

std::optional<std::uint64_t> number(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::string> query(const RegistryRequest& request, const std::string& name) {
    const auto it = request.query.find(name);
    return it == request.query.end() ? std::nullopt : std::optional(it->second);
}

std::string header_or(const RegistryRequest& request, std::string_view name, std::string fallback = "") {
    if (!request.header) return fallback;
    return request.header(name).value_or(std::move(fallback));
}

// "0-<last byte>": how the spec reports an upload's progress ("0-0" while empty).
std::string progress(std::uint64_t size) { return "0-" + std::to_string(size == 0 ? 0 : size - 1); }

void add_upload_headers(RegistryResponse& response, const std::string& name, const std::string& id, std::uint64_t size) {
    response.headers.emplace_back("Location", "/v2/" + name + "/blobs/uploads/" + id);
    response.headers.emplace_back("Range", progress(size));
    response.headers.emplace_back("Docker-Upload-UUID", id);
}

RegistryResponse status_only(int status) {
    RegistryResponse response;
    response.status = status;
    return response;
}

RegistryResponse created_blob(const std::string& name, const std::string& digest) {
    RegistryResponse response;
    response.status = 201;
    response.headers.emplace_back("Location", "/v2/" + name + "/blobs/" + digest);
    response.headers.emplace_back("Docker-Content-Digest", digest);
    return response;
}

// Streams the request body into an upload; the bytes stay in the session if the client stops.
void stream_into(BlobStore::Appender& appender, const RegistryRequest& request) {
    if (!request.read_body) return;
    std::optional<std::string> failure;
    const bool complete = request.read_body([&](std::string_view chunk) {
        try {
            appender.write(chunk);
            return true;
        } catch (const std::exception& e) {
            failure = e.what();
            return false;
        }
    });
    if (failure) throw RegistryError(ErrorCode::blob_upload_invalid, "cannot store the upload: " + *failure);
    if (!complete) throw RegistryError(ErrorCode::blob_upload_invalid, "the upload's body was cut off");
}

std::string read_small_body(const RegistryRequest& request, std::size_t limit) {
    std::string body;
    if (!request.read_body) return body;
    bool too_large = false;
    const bool complete = request.read_body([&](std::string_view chunk) {
        if (body.size() + chunk.size() > limit) {
            too_large = true;
            return false;
        }
        body.append(chunk);
        return true;
    });
    if (too_large)
        throw RegistryError(ErrorCode::manifest_invalid, "the manifest is larger than " + std::to_string(limit) + " bytes");
    if (!complete) throw RegistryError(ErrorCode::manifest_invalid, "the manifest's body was cut off");
    return body;
}

// "bytes=a-b", "bytes=a-" or "bytes=-n" against a blob of `size` bytes -> [offset, length].
std::optional<std::pair<std::uint64_t, std::uint64_t>> byte_range(std::string_view header, std::uint64_t size) {
    if (!header.starts_with("bytes=")) return std::nullopt;
    header.remove_prefix(6);
    const auto dash = header.find('-');
    if (dash == std::string_view::npos || header.find(',') != std::string_view::npos) return std::nullopt;
    const auto first_text = header.substr(0, dash), last_text = header.substr(dash + 1);
    if (first_text.empty()) {  // the last n bytes
        const auto n = number(last_text);
        if (!n || *n == 0) return std::nullopt;
        const auto length = std::min(*n, size);
        return std::pair{size - length, length};
    }
    const auto first = number(first_text);
    if (!first || *first >= size) return std::nullopt;
    auto last = last_text.empty() ? std::optional(size - 1) : number(last_text);
    if (!last || *last < *first) return std::nullopt;
    last = std::min(*last, size - 1);
    return std::pair{*first, *last - *first + 1};
}

class Handler {
public:
    Handler(Registry& registry, const RegistryRequest& request, const Route& route, store::Scope scope)
        : m_registry(registry), m_request(request), m_route(route), m_scope(std::move(scope)) {}

    RegistryResponse run() {
        const auto& method = m_request.method;
        const bool read = method == "GET" || method == "HEAD";
        switch (m_route.resource) {
            case Resource::base:
                if (read) return json_response(json::object());
                break;
            case Resource::tags:
                if (read) return tags();
                break;
            case Resource::manifest:
                if (read) return get_manifest();
                if (method == "PUT") return put_manifest();
                if (method == "DELETE") return delete_manifest();
                break;
            case Resource::blob:
                if (read) return get_blob();
                if (method == "DELETE") return delete_blob();
                break;
            case Resource::uploads:
                if (method == "POST") return start_upload();
                break;
            case Resource::upload:
                if (method == "GET") return upload_status();
                if (method == "PATCH") return patch_upload();
                if (method == "PUT") return finish_upload();
                if (method == "DELETE") return cancel_upload();
                break;
        }
        throw RegistryError(ErrorCode::unsupported, "the registry does not support " + method + " on " + m_request.path);
    }

private:
    store::EcrRepositoryRecord repository() const { return m_registry.repository(m_scope, m_route.name); }

    static RegistryResponse json_response(const json& body) {
        RegistryResponse response;
        response.content_type = "application/json";
        response.body = body.dump();
        return response;
    }

    RegistryResponse tags() const {
        const auto repo = repository();
        std::size_t limit = k_max_tags_page;
        if (const auto n = query(m_request, "n")) {
            const auto parsed = number(*n);
            if (!parsed || *parsed == 0)
                throw RegistryError(ErrorCode::pagination_number_invalid, "n must be a positive number of tags");
            limit = std::min<std::size_t>(*parsed, k_max_tags_page);
        }
        auto tags = m_registry.tags(repo, query(m_request, "last"), limit + 1);
        const bool more = tags.size() > limit;
        if (more) tags.pop_back();
        auto response = json_response({{"name", m_route.name}, {"tags", tags}});
        if (more)
            response.headers.emplace_back("Link", "</v2/" + m_route.name + "/tags/list?n=" + std::to_string(limit) +
                                                      "&last=" + tags.back() + ">; rel=\"next\"");
        return response;
    }

    RegistryResponse get_manifest() const {
        const auto repo = repository();
        auto manifest = m_registry.get_manifest(repo, m_route.reference, m_request.method == "GET");
        const auto accept = header_or(m_request, "Accept");
        if (!accepts_media_type(accept, manifest.media_type))
            throw RegistryError(ErrorCode::manifest_unknown, "the manifest is a " + manifest.media_type +
                                                                 ", which the request's Accept header does not take");
        RegistryResponse response;
        response.content_type = manifest.media_type;
        response.headers.emplace_back("Docker-Content-Digest", manifest.digest);
        response.headers.emplace_back("ETag", "\"" + manifest.digest + "\"");
        response.body = std::move(manifest.bytes);
        return response;
    }

    RegistryResponse put_manifest() const {
        const auto repo = repository();
        const auto body = read_small_body(m_request, k_max_manifest_bytes);
        const auto result = m_registry.put_manifest(repo, m_route.reference, body, header_or(m_request, "Content-Type"));
        RegistryResponse response;
        response.status = 201;
        response.headers.emplace_back("Location", "/v2/" + m_route.name + "/manifests/" + result.digest);
        response.headers.emplace_back("Docker-Content-Digest", result.digest);
        return response;
    }

    RegistryResponse delete_manifest() const {
        m_registry.delete_manifest(repository(), m_route.reference);
        return status_only(202);
    }

    RegistryResponse get_blob() const {
        const auto repo = repository();
        if (!valid_digest(m_route.reference))
            throw RegistryError(ErrorCode::digest_invalid, "'" + m_route.reference + "' is not a sha256 digest");
        auto blob = m_registry.open_blob(repo, m_route.reference);
        if (!blob) throw RegistryError(ErrorCode::blob_unknown, "blob " + m_route.reference + " is not in " + m_route.name);
        RegistryResponse response;
        response.content_type = "application/octet-stream";
        response.headers.emplace_back("Docker-Content-Digest", m_route.reference);
        response.headers.emplace_back("Accept-Ranges", "bytes");
        response.headers.emplace_back("ETag", "\"" + m_route.reference + "\"");
        response.length = blob->size();
        if (const auto range = header_or(m_request, "Range"); !range.empty()) {
            const auto span = byte_range(range, blob->size());
            if (!span) {
                auto refused = error_response(416, "RANGE_INVALID", "the range '" + range + "' is not satisfiable");
                refused.headers.emplace_back("Content-Range", "bytes */" + std::to_string(blob->size()));
                return refused;
            }
            response.status = 206;
            response.offset = span->first;
            response.length = span->second;
            response.headers.emplace_back("Content-Range", "bytes " + std::to_string(span->first) + "-" +
                                                               std::to_string(span->first + span->second - 1) + "/" +
                                                               std::to_string(blob->size()));
        }
        response.blob.emplace(std::move(*blob));
        return response;
    }

    RegistryResponse delete_blob() const {
        m_registry.delete_blob(repository(), m_route.reference);
        return status_only(202);
    }

    RegistryResponse start_upload() const {
        const auto repo = repository();
        if (const auto mount = query(m_request, "mount")) {
            const auto from = query(m_request, "from");
            if (from && valid_repository_name(*from) && valid_digest(*mount)) {
                try {
                    if (m_registry.mount_blob(repo, m_registry.repository(m_scope, *from), *mount))
                        return created_blob(m_route.name, *mount);
                } catch (const RegistryError&) {
                    // No such source repository: the client gets an ordinary upload instead.
                }
            }
        }
        const auto id = m_registry.start_upload(repo);
        if (const auto digest = query(m_request, "digest")) {  // monolithic: the blob is the body
            // One request, one session: if it fails, nothing of it stays behind to resume.
            try {
                {
                    auto appender = m_registry.append(repo, id, std::nullopt);
                    stream_into(appender, m_request);
                }
                m_registry.complete_upload(repo, id, *digest, std::nullopt);
            } catch (...) {
                try {
                    m_registry.cancel_upload(repo, id);
                } catch (const RegistryError&) {
                    // A digest mismatch has ended the session already.
                }
                throw;
            }
            return created_blob(m_route.name, *digest);
        }
        RegistryResponse response;
        response.status = 202;
        add_upload_headers(response, m_route.name, id, 0);
        return response;
    }

    RegistryResponse upload_status() const {
        const auto repo = repository();
        const auto size = m_registry.upload_size(repo, m_route.reference);
        RegistryResponse response;
        response.status = 204;
        add_upload_headers(response, m_route.name, m_route.reference, size);
        return response;
    }

    // "Content-Range: <first>-<last>": where this chunk must start.
    std::optional<std::uint64_t> chunk_start() const {
        const auto range = header_or(m_request, "Content-Range");
        if (range.empty()) return std::nullopt;
        const auto text = std::string_view(range).substr(range.starts_with("bytes ") ? 6 : 0);
        const auto start = number(text.substr(0, text.find('-')));
        if (!start) throw RegistryError(ErrorCode::range_invalid, "malformed Content-Range '" + range + "'");
        return start;
    }

    RegistryResponse patch_upload() const {
        const auto repo = repository();
        std::uint64_t size = 0;
        {
            auto appender = m_registry.append(repo, m_route.reference, chunk_start());
            stream_into(appender, m_request);
            size = appender.size();
        }
        RegistryResponse response;
        response.status = 202;
        add_upload_headers(response, m_route.name, m_route.reference, size);
        return response;
    }

    RegistryResponse finish_upload() const {
        const auto repo = repository();
        const auto digest = query(m_request, "digest");
        if (!digest) throw RegistryError(ErrorCode::digest_invalid, "the final PUT of an upload needs ?digest=");
        if (m_request.read_body) {  // the last chunk may come with the PUT
            auto appender = m_registry.append(repo, m_route.reference, chunk_start());
            stream_into(appender, m_request);
        }
        m_registry.complete_upload(repo, m_route.reference, *digest, std::nullopt);
        return created_blob(m_route.name, *digest);
    }

    RegistryResponse cancel_upload() const {
        m_registry.cancel_upload(repository(), m_route.reference);
        return status_only(204);
    }

    Registry& m_registry;
    const RegistryRequest& m_request;
    const Route& m_route;
    store::Scope m_scope;
};

}  // namespace

RegistryResponse RegistryRoutes::handle(const RegistryRequest& request) const {
    auto response = [&]() -> RegistryResponse {
        try {
            return answer(request);
        } catch (const RegistryError& e) {
            return error_response(e);
        } catch (const std::exception& e) {
            return error_response(500, "UNKNOWN", std::string("the registry failed: ") + e.what());
        }
    }();
    response.headers.emplace_back("Docker-Distribution-API-Version", "registry/2.0");
    return response;
}

RegistryResponse RegistryRoutes::answer(const RegistryRequest& request) const {
    // Credentials first: an unauthenticated client learns nothing, not even what exists.
    std::optional<store::Scope> scope;
    const auto authorization = header_or(request, "Authorization");
    if (authorization.starts_with("Basic ")) {
        const auto decoded = util::base64_decode(std::string_view(authorization).substr(6)).value_or("");
        const auto colon = decoded.find(':');
        if (colon != std::string::npos && decoded.substr(0, colon) == "AWS")
            if (const auto token = m_tokens.verify(std::string_view(decoded).substr(colon + 1), m_clock.now()))
                scope = store::Scope{token->account, token->region};
        if (!scope) return unauthorized();
    } else if (const auto presigned = query(request, std::string(k_download_token_parameter)); presigned) {
        // A presigned URL opens blob downloads only, and only until its token expires.
        const auto route = parse_route(request.path);
        const auto token = m_tokens.verify(*presigned, m_clock.now());
        if (!token || !route || route->resource != Resource::blob || (request.method != "GET" && request.method != "HEAD"))
            return unauthorized();
        scope = store::Scope{token->account, token->region};
    } else if (m_access.anonymous) {
        scope = store::Scope{m_access.default_account, m_access.default_region};
    } else {
        return unauthorized();
    }
    const auto route = parse_route(request.path);
    if (!route) throw RegistryError(ErrorCode::unsupported, "no registry route for " + request.path);
    if (route->resource != Resource::base && !valid_repository_name(route->name))
        throw RegistryError(ErrorCode::name_invalid, "'" + route->name + "' is not a valid repository name");
    return Handler(m_registry, request, *route, *scope).run();
}

}  // namespace ecsbox::registry
