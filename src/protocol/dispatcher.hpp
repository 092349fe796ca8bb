#pragma once
// AWS JSON 1.1 front door: X-Amz-Target -> service -> operation -> handler. It parses and
// validates the body against the service model, calls the handler, shapes the result by the
// output shape, and is the one place where exceptions become HTTP error responses.
// Services are added at start-up; afterwards dispatch() is const and safe from any thread.
// It knows nothing of any particular service: handlers are registered by name.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/http_types.hpp"
#include "protocol/service_model.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace ecsbox::protocol {

// What every handler may know about the call besides its input.
struct CallContext {
    std::string account_id;
    std::string region;
    std::string request_id;
    std::string operation;
};

using Handler = std::function<nlohmann::json(const CallContext&, const nlohmann::json& input)>;

struct ServiceOptions {
    std::string validation_error_code;   // what the service calls a failed constraint
    std::string unsupported_error_code;  // answered, with a clear message, for unimplemented operations
};

struct DispatcherOptions {
    std::string account_id;
    std::string default_region;
};

class Dispatcher {
public:
    Dispatcher(DispatcherOptions options, util::IdGenerator& ids, util::Logger& log);

    // Throws std::logic_error if a handler names an operation the model lacks.
    void add_service(std::shared_ptr<const ServiceModel> model, ServiceOptions options,
                     std::vector<std::pair<std::string, Handler>> handlers);

    HttpResponse dispatch(const HttpRequest& request) const;

    // An AWS-shaped error response for failures found before dispatch (e.g. by the HTTP server).
    HttpResponse error_response(int status, const std::string& code, const std::string& message) const;

private:
    struct Service {
        std::shared_ptr<const ServiceModel> model;
        ServiceOptions options;
        std::unordered_map<std::string, Handler> handlers;
    };

    HttpResponse call(const Service& service, const Operation& operation, const HttpRequest& request,
                      CallContext& context) const;
    std::string region_of(const HttpRequest& request) const;

    DispatcherOptions m_options;
    util::IdGenerator& m_ids;
    util::Logger& m_log;
    std::vector<Service> m_services;
    std::unordered_map<std::string, std::size_t> m_by_target_prefix;
};

}  // namespace ecsbox::protocol
