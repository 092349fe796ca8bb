#include "protocol/dispatcher.hpp"

#include <stdexcept>

#include "protocol/aws_error.hpp"
#include "protocol/json_limits.hpp"
#include "protocol/serializer.hpp"
#include "protocol/sigv4_scope.hpp"
#include "protocol/validator.hpp"

namespace ecsbox::protocol {

using nlohmann::json;

namespace {
constexpr const char* k_content_type = "application/x-amz-json-1.1";
}

Dispatcher::Dispatcher(DispatcherOptions options, util::IdGenerator& ids, util::Logger& log)
    : m_options(std::move(options)), m_ids(ids), m_log(log) {}

void Dispatcher::add_service(std::shared_ptr<const ServiceModel> model, ServiceOptions options,
                             std::vector<std::pair<std::string, Handler>> handlers) {
    Service service{std::move(model), std::move(options), {}};
    for (auto& [name, handler] : handlers) {
        if (!service.model->find_operation(name))
            throw std::logic_error("handler for " + name + " names no operation of " + service.model->service_id());
        service.handlers.emplace(name, std::move(handler));
    }
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
    HttpResponse response;
    response.status = status;
    response.headers.emplace("Content-Type", k_content_type);
    response.headers.emplace("x-amzn-RequestId", m_ids.uuid());
    response.headers.emplace("X-Amzn-ErrorType", code);
    response.body = error_body(code, message);
    return response;
}

HttpResponse Dispatcher::dispatch(const HttpRequest& request) const {
    CallContext context{m_options.account_id, region_of(request), m_ids.uuid(), {}};
    HttpResponse response;
    try {
        if (request.method != "POST") throw unknown_operation("Only POST is accepted for AWS JSON requests.");
        const auto* target = request.header("X-Amz-Target");
        if (!target) throw unknown_operation("Missing X-Amz-Target header.");
        const auto dot = target->rfind('.');
        const auto service_it =
            dot == std::string::npos ? m_by_target_prefix.end() : m_by_target_prefix.find(target->substr(0, dot));
        if (service_it == m_by_target_prefix.end())
            throw unknown_operation("Unknown service target: " + *target);
        const Service& service = m_services[service_it->second];
        context.operation = target->substr(dot + 1);
        const Operation* operation = service.model->find_operation(context.operation);
        if (!operation)
            throw unknown_operation("Operation " + context.operation + " is not part of " +
                                    service.model->service_id() + ".");
        response = call(service, *operation, request, context);
    } catch (const AwsError& e) {
        response = error_response(e.http_status(), e.code(), e.message());
        if (!e.members().empty()) response.body = error_body(e.code(), e.message(), e.members());
    }
    response.headers.insert_or_assign("x-amzn-RequestId", context.request_id);
    return response;
}

HttpResponse Dispatcher::call(const Service& service, const Operation& operation, const HttpRequest& request,
                              CallContext& context) const {
    const auto handler = service.handlers.find(operation.name);
    if (handler == service.handlers.end())
        throw AwsError(service.options.unsupported_error_code,
                       "ecsbox does not implement " + service.model->service_id() + " " + operation.name + " yet.");

    if (json_nesting_depth(request.body) > k_max_json_depth)
        throw serialization_error("Request body is nested more than " + std::to_string(k_max_json_depth) +
                                  " levels deep.");
    json input = request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
    if (input.is_discarded()) throw serialization_error("Request body is not valid JSON (or not UTF-8).");
    if (!input.is_object()) throw serialization_error("Request body must be a JSON object.");
    if (operation.input) validate_input(*service.model, *operation.input, input, service.options.validation_error_code);

    json output;
    try {
        output = handler->second(context, input);
    } catch (const AwsError&) {
        throw;
    } catch (const std::exception& e) {
        // A bug or a failing disk, never the client's fault: log it and say so as AWS does.
        m_log.error("request " + context.request_id + " " + operation.name + " failed: " + e.what());
        throw AwsError("ServerException", "Internal error while handling " + operation.name + ".", 500);
    }
    if (operation.output) shape_output(*service.model, *operation.output, output);
    if (!output.is_object()) output = json::object();

    HttpResponse response;
    response.headers.emplace("Content-Type", k_content_type);
    response.body = to_wire(output);
    return response;
}

}  // namespace ecsbox::protocol
