#include "docker/engine_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <utility>

#include "docker/image_reference.hpp"
#include "docker/line_splitter.hpp"
#include "util/rfc3339.hpp"

namespace ecsbox::docker {

namespace {

using json = nlohmann::json;

constexpr int k_max_api_major = 1;
constexpr int k_max_api_minor = 43;
constexpr long k_connect_timeout_ms = 2000;
constexpr long k_call_timeout_s = 30;
// A pull has no overall limit (layers can be large), but one that moves no byte for this long
// has stalled; the engine reports progress every second or so while it works.
constexpr long k_pull_stall_s = 300;
// How often a streaming call looks at its stop flag while no data arrives.
constexpr int k_stop_poll_ms = 100;
// Error bodies are short; this only bounds what a confused peer could make us hold.
constexpr std::size_t k_max_body = 64 * 1024 * 1024;

using CurlEasy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using CurlMulti = std::unique_ptr<CURLM, decltype(&curl_multi_cleanup)>;
using CurlList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// Percent-encodes all but RFC 3986's unreserved characters and those in `keep`.
std::string encode(std::string_view text, std::string_view keep = "") {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '-' || c == '_' ||
            c == '.' || c == '~' || keep.find(c) != std::string_view::npos) {
            out += c;
        } else {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", u);
            out += hex;
        }
    }
    return out;
}

// A path segment: image references keep their '/', ':' and '@' (the engine's routes take them).
std::string segment(std::string_view text) { return encode(text, "/:@"); }

// Field readers that treat a missing, null or mistyped member as empty: the engine omits or
// nulls many fields depending on its version and the container's state.
const json& member(const json& object, const char* key) {
    static const json k_null;
    if (!object.is_object()) return k_null;
    const auto it = object.find(key);
    return it == object.end() ? k_null : *it;
}
std::string text(const json& object, const char* key) {
    const json& v = member(object, key);
    return v.is_string() ? v.get<std::string>() : std::string();
}
std::int64_t integer(const json& object, const char* key) {
    const json& v = member(object, key);
    return v.is_number() ? v.get<std::int64_t>() : 0;
}
bool boolean(const json& object, const char* key) {
    const json& v = member(object, key);
    return v.is_boolean() && v.get<bool>();
}
std::map<std::string, std::string> string_map(const json& object) {
    std::map<std::string, std::string> out;
    if (!object.is_object()) return out;
    for (const auto& [key, value] : object.items())
        if (value.is_string()) out[key] = value.get<std::string>();
    return out;
}
int to_int(const std::string& digits) {
    try {
        return std::stoi(digits);
    } catch (const std::exception&) {
        return 0;
    }
}

// "172.17.0.0/16" -> "172.17.0.1"; nullopt for anything but an IPv4 subnet with room for hosts.
std::optional<std::string> first_host_address(const std::string& subnet) {
    unsigned a = 0, b = 0, c = 0, d = 0, bits = 0;
    char tail = 0;
    if (std::sscanf(subnet.c_str(), "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &bits, &tail) != 5) return std::nullopt;
    if (a > 255 || b > 255 || c > 255 || d > 255 || bits > 30) return std::nullopt;
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    const std::uint32_t host = (((a << 24) | (b << 16) | (c << 8) | d) & mask) + 1;
    return std::to_string(host >> 24) + "." + std::to_string((host >> 16) & 255) + "." +
           std::to_string((host >> 8) & 255) + "." + std::to_string(host & 255);
}

json parse_body(const std::string& body, const std::string& what) {
    json parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) throw DockerError(500, "unexpected answer from the Docker engine to " + what);
    return parsed;
}

// The engine's {"message": "..."}, else the body itself, else the status.
std::string error_message(long status, const std::string& body) {
    const json parsed = json::parse(body, nullptr, false);
    if (const std::string message = text(parsed, "message"); !message.empty()) return message;
    std::string trimmed = body;
    while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
    return trimmed.empty() ? "Docker engine answered HTTP " + std::to_string(status) : trimmed;
}

std::pair<int, int> parse_version(const std::string& version) {
    const auto dot = version.find('.');
    if (dot == std::string::npos) return {0, 0};
    return {to_int(version.substr(0, dot)), to_int(version.substr(dot + 1))};
}

// The state a transfer's callbacks share with the code that started it.
struct Transfer {
    CURL* easy = nullptr;
    const std::function<void(std::string_view)>* on_chunk = nullptr;
    std::string body;
    std::exception_ptr failure;  // thrown by on_chunk; rethrown once curl has returned
};

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    auto& transfer = *static_cast<Transfer*>(user);
    const std::size_t length = size * count;
    long status = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
    // An error answer is read whole for its message; a good one goes to the stream consumer.
    if (transfer.on_chunk && status < 400) {
        try {
            (*transfer.on_chunk)(std::string_view(data, length));
        } catch (...) {
            transfer.failure = std::current_exception();
            return 0;  // aborts the transfer; exceptions must not cross libcurl's C frames
        }
        return length;
    }
    if (transfer.body.size() + length > k_max_body) return 0;
    transfer.body.append(data, length);
    return length;
}

}  // namespace

struct EngineClient::Request {
    std::string method{};  // GET | POST | DELETE
    std::string path{};    // without the version prefix
    std::optional<std::string> body{};
    bool versioned = true;
    long timeout_seconds = k_call_timeout_s;  // 0: none
    long stall_seconds = 0;                   // 0: none
    const std::function<void(std::string_view)>* on_chunk = nullptr;
    const std::atomic<bool>* stop = nullptr;
    std::vector<std::string> headers{};  // "Name: value"
};

struct EngineClient::Response {
    long status = 0;
    std::string body;
    std::string transport_error;  // non-empty when the transfer itself failed
    bool stopped = false;         // ended because the stop flag was raised
};

EngineClient::EngineClient(Endpoint endpoint) : m_endpoint(std::move(endpoint)) {
    // libcurl's process-wide state, reference-counted by libcurl (and thread-safe since 7.84),
    // so holding it per client is as good as once per process.
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

EngineClient::~EngineClient() { curl_global_cleanup(); }

EngineClient::Response EngineClient::send(const Request& request) {
    const std::string path = request.versioned ? api_prefix() + request.path : request.path;
    CurlEasy easy(curl_easy_init(), &curl_easy_cleanup);
    CurlMulti multi(curl_multi_init(), &curl_multi_cleanup);
    if (!easy || !multi) throw DockerError(0, "libcurl could not allocate a handle");

    Transfer transfer;
    transfer.easy = easy.get();
    transfer.on_chunk = request.on_chunk;
    char error_buffer[CURL_ERROR_SIZE] = {};

    CURL* h = easy.get();
    const std::string url = m_endpoint.base_url() + path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    if (m_endpoint.is_unix()) curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, m_endpoint.unix_path.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM tricks: we are multi-threaded
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, k_connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, request.timeout_seconds);
    if (request.stall_seconds > 0) {
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, request.stall_seconds);
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);

    // Without "Expect:" curl waits up to a second for a 100-continue before sending a large body.
    CurlList headers(curl_slist_append(nullptr, "Expect:"), &curl_slist_free_all);
    for (const auto& header : request.headers) headers.reset(curl_slist_append(headers.release(), header.c_str()));
    if (request.body) {
        headers.reset(curl_slist_append(headers.release(), "Content-Type: application/json"));
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body->size()));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body->data());
    } else if (request.method == "POST") {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t{0});
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    }
    if (request.method != "GET" && request.method != "POST")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    // The multi interface rather than curl_easy_perform: an idle easy transfer wakes only about
    // once a second, and a streaming call must notice its stop flag within ~100 ms.
    Response response;
    curl_multi_add_handle(multi.get(), h);
    int running = 1;
    CURLMcode multi_code = CURLM_OK;
    while (true) {
        multi_code = curl_multi_perform(multi.get(), &running);
        if (multi_code != CURLM_OK || running == 0) break;
        if (request.stop && request.stop->load()) {
            response.stopped = true;
            break;
        }
        multi_code = curl_multi_poll(multi.get(), nullptr, 0, k_stop_poll_ms, nullptr);
        if (multi_code != CURLM_OK) break;
    }
    CURLcode result = CURLE_OK;
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued))
        if (message->msg == CURLMSG_DONE) result = message->data.result;
    curl_multi_remove_handle(multi.get(), h);

    if (transfer.failure) std::rethrow_exception(transfer.failure);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    response.body = std::move(transfer.body);
    if (response.stopped) return response;
    if (multi_code != CURLM_OK) {
        response.transport_error = curl_multi_strerror(multi_code);
    } else if (result != CURLE_OK) {
        response.transport_error = error_buffer[0] ? error_buffer : curl_easy_strerror(result);
    }
    return response;
}

EngineClient::Response EngineClient::call(const Request& request) { return check(send(request)); }

EngineClient::Response EngineClient::check(Response response) {
    if (!response.transport_error.empty())
        throw DockerError(0, "Docker engine at " + m_endpoint.describe() + ": " + response.transport_error);
    if (response.status >= 400)
        throw DockerError(static_cast<int>(response.status), error_message(response.status, response.body));
    return response;
}

std::string EngineClient::api_prefix() {
    // Held across the request so concurrent first calls ask once; later calls only read.
    std::lock_guard lock(m_version_mutex);
    if (m_api_version.empty()) {
        Request request{.method = "GET", .path = "/version", .versioned = false};
        const json version = parse_body(call(request).body, "GET /version");
        std::string offered = text(version, "ApiVersion");
        const auto [major, minor] = parse_version(offered);
        if (major == 0) throw DockerError(500, "Docker engine reported no API version");
        if (std::pair(major, minor) > std::pair(k_max_api_major, k_max_api_minor))
            offered = std::to_string(k_max_api_major) + "." + std::to_string(k_max_api_minor);
        m_api_version = offered;
    }
    return "/v" + m_api_version;
}

bool EngineClient::ping() {
    try {
        const Response response = send({.method = "GET", .path = "/_ping", .versioned = false, .timeout_seconds = 5});
        return response.transport_error.empty() && response.status == 200;
    } catch (const std::exception&) {
        return false;
    }
}

EngineInfo EngineClient::info() {
    const json body = parse_body(call({.method = "GET", .path = "/info"}).body, "GET /info");
    EngineInfo info;
    info.cpus = static_cast<int>(integer(body, "NCPU"));
    info.memory_bytes = integer(body, "MemTotal");
    info.server_version = text(body, "ServerVersion");
    info.operating_system = text(body, "OperatingSystem");
    std::lock_guard lock(m_version_mutex);
    info.api_version = m_api_version;
    return info;
}

std::optional<ImageInfo> EngineClient::inspect_image(const std::string& reference) {
    const Response response = send({.method = "GET", .path = "/images/" + segment(reference) + "/json"});
    if (response.transport_error.empty() && response.status == 404) return std::nullopt;
    const json body = parse_body(check(response).body, "GET /images/{name}/json");
    ImageInfo image;
    image.id = text(body, "Id");
    for (const json& digest : member(body, "RepoDigests"))
        if (digest.is_string()) image.repo_digests.push_back(digest.get<std::string>());
    return image;
}

void EngineClient::pull_image(const std::string& reference, const std::string& registry_auth) {
    const ImageReference parsed = parse_image_reference(reference);
    // The pull answers 200 at once and then streams progress as JSON lines; a failure after
    // that point arrives as a line with "error" (and "errorDetail"), not as a status.
    std::string stream_error;
    LineSplitter lines;
    const std::function<void(std::string_view)> on_chunk = [&](std::string_view chunk) {
        lines.feed(chunk, [&](std::string_view line) {
            if (!stream_error.empty()) return;
            const json progress = json::parse(line, nullptr, false);
            std::string message = text(member(progress, "errorDetail"), "message");
            if (message.empty()) message = text(progress, "error");
            stream_error = message;
        });
    };
    const std::string path = "/images/create?fromImage=" + encode(parsed.repository) +
                             "&tag=" + encode(parsed.pull_tag());
    std::vector<std::string> headers;
    if (!registry_auth.empty()) headers.push_back("X-Registry-Auth: " + registry_auth);
    check(send({.method = "POST", .path = path, .timeout_seconds = 0, .stall_seconds = k_pull_stall_s,
                .on_chunk = &on_chunk, .headers = std::move(headers)}));
    if (!stream_error.empty()) throw DockerError(500, stream_error);
}

std::string EngineClient::create_container(const std::string& name, const nlohmann::json& config) {
    std::string path = "/containers/create";
    if (!name.empty()) path += "?name=" + encode(name);
    const json body = parse_body(call({.method = "POST", .path = path, .body = config.dump()}).body,
                                 "POST /containers/create");
    std::string id = text(body, "Id");
    if (id.empty()) throw DockerError(500, "Docker engine created a container without an id");
    return id;
}

void EngineClient::start_container(const std::string& id) {
    // 304 (already started) is below 400, so it passes as success.
    call({.method = "POST", .path = "/containers/" + segment(id) + "/start"});
}

void EngineClient::stop_container(const std::string& id, int timeout_seconds) {
    // The engine answers only once the container is down, up to `timeout_seconds` later.
    call({.method = "POST",
          .path = "/containers/" + segment(id) + "/stop?t=" + std::to_string(timeout_seconds),
          .timeout_seconds = k_call_timeout_s + std::max(timeout_seconds, 0)});
}

void EngineClient::remove_container(const std::string& id) {
    const Response response =
        send({.method = "DELETE", .path = "/containers/" + segment(id) + "?force=1&v=1"});
    if (response.transport_error.empty()) {
        if (response.status == 404) return;
        // Another caller's removal of the same container is under way: it will be gone either way.
        if (response.status == 409 &&
            error_message(response.status, response.body).find("already in progress") != std::string::npos)
            return;
    }
    check(response);
}

std::optional<ContainerState> EngineClient::inspect_container(const std::string& id) {
    const Response response = send({.method = "GET", .path = "/containers/" + segment(id) + "/json"});
    if (response.transport_error.empty() && response.status == 404) return std::nullopt;
    const json body = parse_body(check(response).body, "GET /containers/{id}/json");
    const json& state = member(body, "State");
    const json& config = member(body, "Config");

    ContainerState out;
    out.id = text(body, "Id");
    out.name = text(body, "Name");
    if (!out.name.empty() && out.name[0] == '/') out.name.erase(0, 1);
    out.status = text(state, "Status");
    out.running = boolean(state, "Running");
    out.exit_code = static_cast<int>(integer(state, "ExitCode"));
    out.oom_killed = boolean(state, "OOMKilled");
    out.error = text(state, "Error");
    out.started_at = util::parse_docker_time(text(state, "StartedAt"));
    out.finished_at = util::parse_docker_time(text(state, "FinishedAt"));
    out.health = text(member(state, "Health"), "Status");
    out.image = text(config, "Image");
    out.image_id = text(body, "Image");
    out.labels = string_map(member(config, "Labels"));
    out.network_mode = text(member(body, "HostConfig"), "NetworkMode");
    const json& networks = member(member(body, "NetworkSettings"), "Networks");
    if (networks.is_object())
        for (const auto& [_, network] : networks.items())
            if (const auto address = text(network, "IPAddress"); !address.empty()) out.ipv4_addresses.push_back(address);
    // {"80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}], "81/tcp": null}: null is a port
    // exposed but not published.
    const json& ports = member(member(body, "NetworkSettings"), "Ports");
    if (ports.is_object()) {
        for (const auto& [key, bindings] : ports.items()) {
            const auto slash = key.find('/');
            const int container_port = to_int(key.substr(0, slash));
            const std::string protocol = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
            if (!bindings.is_array()) continue;
            for (const json& binding : bindings) {
                out.ports.push_back({.container_port = container_port,
                                     .protocol = protocol,
                                     .host_ip = text(binding, "HostIp"),
                                     .host_port = to_int(text(binding, "HostPort"))});
            }
        }
    }
    return out;
}

std::vector<ContainerSummary> EngineClient::list_containers(const std::string& label_key) {
    const json filters = {{"label", {label_key}}};
    const json body = parse_body(
        call({.method = "GET", .path = "/containers/json?all=1&filters=" + encode(filters.dump())}).body,
        "GET /containers/json");
    std::vector<ContainerSummary> out;
    for (const json& item : body) {
        ContainerSummary summary;
        summary.id = text(item, "Id");
        const json& names = member(item, "Names");
        if (names.is_array() && !names.empty() && names[0].is_string()) summary.name = names[0].get<std::string>();
        if (!summary.name.empty() && summary.name[0] == '/') summary.name.erase(0, 1);
        summary.state = text(item, "State");
        summary.labels = string_map(member(item, "Labels"));
        out.push_back(std::move(summary));
    }
    return out;
}

std::string EngineClient::ensure_volume(const std::string& name, const nlohmann::json& options) {
    const Response existing = send({.method = "GET", .path = "/volumes/" + segment(name)});
    if (existing.transport_error.empty() && existing.status == 404) {
        const auto pick = [&](const char* engine_key, const char* ecs_key) -> json {
            const json& v = member(options, engine_key);
            return v.is_null() ? member(options, ecs_key) : v;
        };
        json body = {{"Name", name}, {"Driver", "local"}};
        if (const json driver = pick("Driver", "driver"); driver.is_string() && !driver.get<std::string>().empty())
            body["Driver"] = driver;
        if (const json opts = pick("DriverOpts", "driverOpts"); opts.is_object()) body["DriverOpts"] = opts;
        if (const json labels = pick("Labels", "labels"); labels.is_object()) body["Labels"] = labels;
        // Creating a volume that appeared meanwhile (same name and driver) succeeds: no race.
        call({.method = "POST", .path = "/volumes/create", .body = body.dump()});
        return name;
    }
    check(existing);
    return name;
}

void EngineClient::remove_volume(const std::string& name) {
    const Response response = send({.method = "DELETE", .path = "/volumes/" + segment(name)});
    if (response.transport_error.empty() && response.status == 404) return;
    check(response);
}

std::optional<json> EngineClient::container_stats(const std::string& id) {
    // one-shot: a single sample at once, instead of waiting a second for a CPU delta.
    const Response response =
        send({.method = "GET", .path = "/containers/" + segment(id) + "/stats?stream=false&one-shot=true"});
    if (response.transport_error.empty() && response.status == 404) return std::nullopt;
    return parse_body(check(response).body, "GET /containers/{id}/stats");
}

std::optional<std::string> EngineClient::network_gateway(const std::string& network) {
    const Response response = send({.method = "GET", .path = "/networks/" + segment(network)});
    if (response.transport_error.empty() && response.status == 404) return std::nullopt;
    const json body = parse_body(check(response).body, "GET /networks/{id}");
    // IPv4 first: a dual-stack network lists an IPv6 subnet too, and containers reach the host
    // through either.
    std::optional<std::string> any;
    const json& configs = member(member(body, "IPAM"), "Config");
    for (const json& config : configs) {
        const std::string gateway = text(config, "Gateway");
        if (gateway.empty()) continue;
        if (gateway.find(':') == std::string::npos) return gateway;
        if (!any) any = gateway;
    }
    if (any) return any;
    // The default bridge often lists only its subnet (dockerd gives docker0 the gateway address
    // without recording it), and its gateway is then the subnet's first address.
    for (const json& config : configs)
        if (auto gateway = first_host_address(text(config, "Subnet"))) return gateway;
    return std::nullopt;
}

void EngineClient::watch_events(const std::string& label_key, const std::atomic<bool>& stop,
                                const std::function<void(const ContainerEvent&)>& on_event) {
    const json filters = {{"type", {"container"}}, {"label", {label_key}}};
    LineSplitter lines;
    const std::function<void(std::string_view)> on_chunk = [&](std::string_view chunk) {
        lines.feed(chunk, [&](std::string_view line) {
            const json event = json::parse(line, nullptr, false);
            if (!event.is_object()) return;  // not an event: skip it rather than end the stream
            const json& actor = member(event, "Actor");
            ContainerEvent out;
            out.id = text(event, "id");
            if (out.id.empty()) out.id = text(actor, "ID");
            out.action = text(event, "Action");
            if (out.action.empty()) out.action = text(event, "status");
            // The attributes are the container's labels plus "name", "image" and, for "die",
            // "exitCode": all are kept.
            out.labels = string_map(member(actor, "Attributes"));
            on_event(out);
        });
    };
    const Response response = send({.method = "GET",
                                     .path = "/events?filters=" + encode(filters.dump()),
                                     .timeout_seconds = 0,
                                     .on_chunk = &on_chunk,
                                     .stop = &stop});
    if (response.stopped) return;
    // The stream was open (200) and then ended, the engine going away included: that is the
    // end of the stream, not a failure to open it.
    if (response.status == 200) return;
    check(response);
}

}  // namespace ecsbox::docker
