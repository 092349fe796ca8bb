#pragma once
// The AWS front door: request -> service -> operation -> handler, in each service's wire
// format (its model's protocol: a Codec). It reads and validates the input against the model,
// calls the handler, shapes the result by the output shape, and is the one place where
// exceptions become error responses.
// Services are added at start-up; afterwards dispatch() is const and safe from any thread.
// It knows nothing of any particular service: handlers are registered by name.
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "protocol/codec.hpp"
#include "protocol/embedded_models.hpp"
#include "protocol/http_types.hpp"
#include "protocol/service_model.hpp"
#include "protocol/service_spec.hpp"
#include "util/ids.hpp"
#include "util/log.hpp"

namespace ecsbox::protocol {

struct DispatcherOptions {
    std::string account_id;
    std::string default_region;
};

class Dispatcher {
public:
    Dispatcher(DispatcherOptions options, util::IdGenerator& ids, util::Logger& log);

    // Serves a service: its spec's handlers called with `context`, which must outlive the
    // dispatcher. The model is the spec's embedded one unless given (tests parse it once).
    // Throws std::logic_error if a handler names an operation the model lacks.
    template <class Context>
    void add(const ServiceSpec<Context>& spec, Context& context, std::shared_ptr<const ServiceModel> model = nullptr) {
        std::vector<std::pair<std::string, Handler>> handlers;
        for (const auto& [name, fn] : spec.handlers)
            handlers.emplace_back(name, [&context, fn = fn](const CallContext& call, const nlohmann::json& input) {
                return fn(context, call, input);
            });
        if (!model) model = std::make_shared<const ServiceModel>(ServiceModel::parse(embedded_model(spec.model)));
        add_service(std::move(model), spec.options, std::move(handlers));
    }

    void add_service(std::shared_ptr<const ServiceModel> model, ServiceOptions options,
                     std::vector<std::pair<std::string, Handler>> handlers);

    // What each service it serves implements, in the order they were added.
    struct ServedService {
        std::shared_ptr<const ServiceModel> model;
        std::vector<std::string> implemented;
    };
    std::vector<ServedService> services() const;

    HttpResponse dispatch(const HttpRequest& request) const;

    // An AWS-shaped error response for failures found before dispatch (e.g. by the HTTP server).
    HttpResponse error_response(int status, const std::string& code, const std::string& message) const;

private:
    struct Service {
        std::shared_ptr<const ServiceModel> model;
        ServiceOptions options;
        std::unordered_map<std::string, Handler> handlers;
        const Codec* codec = nullptr;
    };

    // The service a request is for: by X-Amz-Target's prefix, else (query protocol) by the
    // service of its SigV4 credential scope and its Version. Null when none serves it.
    const Service* route(const HttpRequest& request) const;
    HttpResponse call(const Service& service, const HttpRequest& request, CallContext& context) const;
    std::string region_of(const HttpRequest& request) const;

    DispatcherOptions m_options;
    util::IdGenerator& m_ids;
    util::Logger& m_log;
    std::unique_ptr<Codec> m_json_codec, m_query_codec;
    std::vector<Service> m_services;
    std::unordered_map<std::string, std::size_t> m_by_target_prefix;
};

}  // namespace ecsbox::protocol
