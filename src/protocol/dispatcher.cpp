#include "protocol/dispatcher.hpp"

#include <stdexcept>

#include "protocol/aws_error.hpp"
#include "protocol/json_codec.hpp"
#include "protocol/query_codec.hpp"
#include "protocol/serializer.hpp"
#include "protocol/sigv4_scope.hpp"
#include "protocol/validator.hpp"

namespace ecsbox::protocol {

using nlohmann::json;

Dispatcher::Dispatcher(DispatcherOptions options, util::IdGenerator& ids, util::Logger& log)
    : m_options(std::move(options)),
      m_ids(ids),
      m_log(log),
      m_json_codec(std::make_unique<JsonCodec>()),
      m_query_codec(std::make_unique<QueryCodec>()) {}

void Dispatcher::add_service(std::shared_ptr<const ServiceModel> model, ServiceOptions options,
                             std::vector<std::pair<std::string, Handler>> handlers) {
    const auto& protocol = model->protocol();
    if (protocol != "json" && protocol != "query")
        throw std::logic_error("ecsbox has no codec for the " + protocol + " protocol of " + model->service_id());
    Service service{std::move(model), std::move(options), {}, protocol == "query" ? m_query_codec.get() : m_json_codec.get()};
    for (auto& [name, handler] : handlers) {
        if (!service.model->find_operation(name))
            throw std::logic_error("handler for " + name + " names no operation of " + service.model->service_id());
        service.handlers.emplace(name, std::move(handler));
    }
    if (!service.model->target_prefix().empty())
        m_by_target_prefix.emplace(service.model->target_prefix(), m_services.size());
    m_services.push_back(std::move(service));
}

std::vector<Dispatcher::ServedService> Dispatcher::services() const {
    std::vector<ServedService> out;
    for (const auto& service : m_services) {
        ServedService served{service.model, {}};
        for (const auto& op : service.model->operations())
            if (service.handlers.count(op.name)) served.implemented.push_back(op.name);
        out.push_back(std::move(served));
    }
    return out;
}

std::string Dispatcher::region_of(const HttpRequest& request) const {
    if (const auto* auth = request.header("Authorization"))
        if (auto scope = parse_credential_scope(*auth)) return scope->region;
    return m_options.default_region;
}

HttpResponse Dispatcher::error_response(int status, const std::string& code, const std::string& message) const {
    return m_json_codec->write_error(nullptr, AwsError(code, message, status), m_ids.uuid());
}

const Dispatcher::Service* Dispatcher::route(const HttpRequest& request) const {
    if (const auto* target = request.header("X-Amz-Target")) {
        const auto dot = target->rfind('.');
        const auto it = dot == std::string::npos ? m_by_target_prefix.end() : m_by_target_prefix.find(target->substr(0, dot));
        if (it == m_by_target_prefix.end()) throw unknown_operation("Unknown service target: " + *target);
        return &m_services[it->second];
    }
    if (!QueryCodec::looks_like(request)) return nullptr;
    // A signed request names its service; an unsigned one is known by its API version.
    std::optional<std::string> signed_for;
    if (const auto* auth = request.header("Authorization"))
        if (auto scope = parse_credential_scope(*auth)) signed_for = scope->service;
    const auto version = QueryCodec::version_of(request);
    const Service* by_version = nullptr;
    for (const auto& service : m_services) {
        if (service.codec != m_query_codec.get()) continue;
        if (signed_for && *signed_for == service.model->signing_name()) return &service;
        if (!by_version && service.model->api_version() == version) by_version = &service;
    }
    return signed_for ? nullptr : by_version;
}

HttpResponse Dispatcher::dispatch(const HttpRequest& request) const {
    CallContext context{m_options.account_id, region_of(request), m_ids.uuid(), {}};
    const Service* service = nullptr;
    try {
        service = route(request);
        if (!service) {
            if (QueryCodec::looks_like(request))
                return m_query_codec->write_error(
                    nullptr, AwsError("InvalidAction", "No service of ecsbox answers this query request."), context.request_id);
            if (request.method != "POST") throw unknown_operation("Only POST is accepted for AWS JSON requests.");
            throw unknown_operation("Missing X-Amz-Target header.");
        }
        return call(*service, request, context);
    } catch (const AwsError& e) {
        return (service ? service->codec : m_json_codec.get())
            ->write_error(service ? service->model.get() : nullptr, e, context.request_id);
    }
}

HttpResponse Dispatcher::call(const Service& service, const HttpRequest& request, CallContext& context) const {
    const auto& model = *service.model;
    context.operation = service.codec->operation_of(request);
    const Operation* operation = model.find_operation(context.operation);
    if (!operation) {
        if (service.codec == m_query_codec.get())
            throw AwsError("InvalidAction", "The action " + context.operation + " is not valid for this web service.");
        throw unknown_operation("Operation " + context.operation + " is not part of " + model.service_id() + ".");
    }
    const auto handler = service.handlers.find(operation->name);
    if (handler == service.handlers.end())
        throw AwsError(service.options.unsupported_error_code,
                       "ecsbox does not implement " + model.service_id() + " " + operation->name + " yet.");

    json input = service.codec->read_input(model, *operation, request);
    if (operation->input) validate_input(model, *operation->input, input, service.options.validation_error_code);

    json output;
    try {
        output = handler->second(context, input);
    } catch (const AwsError&) {
        throw;
    } catch (const std::exception& e) {
        // A bug or a failing disk, never the client's fault: log it and say so as AWS does.
        m_log.error("request " + context.request_id + " " + operation->name + " failed: " + e.what());
        throw AwsError("ServerException", "Internal error while handling " + operation->name + ".", 500);
    }
    if (operation->output) shape_output(model, *operation->output, output);
    if (!output.is_object()) output = json::object();
    return service.codec->write_output(model, *operation, output, context.request_id);
}

}  // namespace ecsbox::protocol
