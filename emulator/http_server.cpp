#include "http_server.hpp"

#include <array>
#include <chrono>
#include <limits>
#include <thread>
#include <httplib.h>

namespace ecsbox {

namespace {

constexpr std::size_t k_workers = 64;

protocol::HttpRequest to_protocol(const httplib::Request& req) {
    protocol::HttpRequest out;
    out.method = req.method;
    out.path = req.path;
    for (const auto& [name, value] : req.headers) out.headers.emplace(name, value);
    out.body = req.body;
    return out;
}

void write(const protocol::HttpResponse& from, httplib::Response& to) {
    to.status = from.status;
    std::string content_type = "application/json";
    for (const auto& [name, value] : from.headers) {
        if (strcasecmp(name.c_str(), "Content-Type") == 0) content_type = value;
        else to.set_header(name, value);
    }
    to.set_content(from.body, content_type);
}

registry::RegistryRequest to_registry(const httplib::Request& req) {
    registry::RegistryRequest out;
    out.method = req.method;
    out.path = req.path;
    for (const auto& [name, value] : req.params) out.query.emplace(name, value);
    // A header sent several times (the engine sends one Accept per media type) reads as one
    // comma-separated list, as HTTP defines it.
    out.header = [&req](std::string_view name) -> std::optional<std::string> {
        const std::string key(name);
        const auto count = req.get_header_value_count(key);
        if (count == 0) return std::nullopt;
        std::string value = req.get_header_value(key, 0);
        for (std::size_t i = 1; i < count; ++i) value += ", " + req.get_header_value(key, i);
        return value;
    };
    return out;
}

void write(registry::RegistryResponse from, httplib::Response& to) {
    to.status = from.status;
    for (auto& [name, value] : from.headers) to.set_header(name, value);
    if (!from.blob) {
        to.set_content(from.body, from.content_type.empty() ? "text/plain" : from.content_type);
        return;
    }
    // The provider may be copied by httplib, and is called from the connection's thread while
    // the response is written: it shares ownership of the open file.
    auto blob = std::make_shared<registry::BlobReader>(std::move(*from.blob));
    const auto start = from.offset;
    to.set_content_provider(
        from.length, from.content_type,
        [blob, start](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
            std::array<char, 256 * 1024> buffer{};
            const auto got = blob->read_at(start + offset, buffer.data(), std::min(length, buffer.size()));
            return got > 0 && sink.write(buffer.data(), got);
        });
}

}  // namespace

HttpServer::HttpServer(const protocol::Dispatcher& dispatcher, util::Logger& log, std::size_t max_body)
    : m_dispatcher(dispatcher), m_log(log), m_server(std::make_unique<httplib::Server>()) {
    // Responses are written in one piece, but Nagle plus delayed ACKs would still stall
    // pipelined keep-alive clients by ~40 ms.
    m_server->set_tcp_nodelay(true);
    // httplib's default adds SO_REUSEPORT, which would let a second ecsbox share a port already
    // in use instead of failing. SO_REUSEADDR alone still allows an immediate restart.
    m_server->set_socket_options([](socket_t sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    m_server->set_keep_alive_max_count(100000);
    // httplib gives each connection a worker for as long as it stays open, and SDKs keep pools
    // of idle keep-alive connections (boto3: 10 per client). Enough workers for several such
    // clients, and a short idle timeout so idle connections hand their worker back (and a stop
    // does not wait long for them); clients reconnect transparently.
    m_server->new_task_queue = [] { return std::make_unique<httplib::ThreadPool>(k_workers).release(); };
    m_server->set_keep_alive_timeout(2);

    // Image layers stream through /v2/ and may be gigabytes; JSON bodies are capped here, as they
    // are read, so neither is ever held whole beyond its limit.
    m_server->set_payload_max_length(std::numeric_limits<std::size_t>::max());
    m_server->Post("/", [this, max_body](const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& read_content) {
        const auto start = std::chrono::steady_clock::now();
        auto request = to_protocol(req);
        bool too_large = false;
        read_content([&](const char* data, std::size_t length) {
            too_large = request.body.size() + length > max_body;
            if (!too_large) request.body.append(data, length);
            return !too_large;
        });
        if (too_large) {
            write(m_dispatcher.error_response(413, "RequestEntityTooLargeException",
                                              "The request body is larger than ecsbox accepts."),
                  res);
            res.set_header("Connection", "close");  // the rest of the body is never read
            return;
        }
        const auto response = m_dispatcher.dispatch(request);
        write(response, res);
        if (m_log.enabled(util::LogLevel::debug)) {
            const auto us =
                std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start).count();
            m_log.debug(req.method + " " + req.path + " " + req.get_header_value("X-Amz-Target") + " " +
                        std::to_string(response.status) + " " + std::to_string(us) + "us");
        }
    });
    // Anything the routes above do not take, and failures before a handler runs (an oversized
    // body, a malformed request line), still get an AWS-shaped answer.
    m_server->set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) {
        // httplib calls this for every status >= 400, including the dispatcher's own answers.
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        const auto code = res.status == 413 ? "RequestEntityTooLargeException"
                          : res.status == 404 ? "UnknownOperationException"
                                             : "SerializationException";
        const auto message = res.status == 413   ? "The request body is larger than ecsbox accepts."
                             : res.status == 404 ? "No route for " + req.method + " " + req.path + "."
                             // HTTP/1.1 clients mark an empty body with Content-Length: 0.
                             : !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")
                                 ? "A " + req.method + " needs a Content-Length, 0 for no body (with curl: -d '')."
                                 : "The request could not be read.";
        const int status = res.status == 404 ? 400 : res.status;
        write(m_dispatcher.error_response(status, code, message), res);
        return httplib::Server::HandlerResponse::Handled;
    }));
}

HttpServer::~HttpServer() = default;

namespace {

httplib::Server::Handler route(HttpServer::RouteHandler handler) {
    return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        std::vector<std::string> captures;
        for (std::size_t i = 1; i < req.matches.size(); ++i) captures.push_back(req.matches[i].str());
        write(handler(to_protocol(req), captures), res);
    };
}

}  // namespace

void HttpServer::get(const std::string& pattern, RouteHandler handler) { m_server->Get(pattern, route(std::move(handler))); }

void HttpServer::post(const std::string& pattern, RouteHandler handler) {
    m_server->Post(pattern, route(std::move(handler)));
}

void HttpServer::serve_registry(const registry::RegistryRoutes& routes) {
    const auto plain = [&routes](const httplib::Request& req, httplib::Response& res) {
        write(routes.handle(to_registry(req)), res);
    };
    const auto with_body = [&routes](const httplib::Request& req, httplib::Response& res,
                                     const httplib::ContentReader& read_content) {
        auto request = to_registry(req);
        request.read_body = [&read_content](const std::function<bool(std::string_view)>& sink) {
            return read_content([&sink](const char* data, std::size_t length) { return sink({data, length}); });
        };
        write(routes.handle(request), res);
    };
    const std::string pattern = R"(/v2(/.*)?)";
    m_server->Get(pattern, plain);  // HEAD too
    m_server->Delete(pattern, plain);
    m_server->Put(pattern, with_body);
    m_server->Patch(pattern, with_body);
    m_server->Post(pattern, with_body);
}

bool HttpServer::bind(const std::string& host, int port) { return m_server->bind_to_port(host, port); }

void HttpServer::serve() {
    m_in_serve = true;
    if (!m_stop_requested) m_server->listen_after_bind();
    m_in_serve = false;
}

// httplib ignores a stop() that arrives before its accept loop is running, so a stop racing a
// start waits for the loop to begin (or for serve() to end) before asking it to end.
void HttpServer::stop() {
    m_stop_requested = true;
    while (m_in_serve && !m_server->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    m_server->stop();
}

}  // namespace ecsbox
