#include "protocol/json_codec.hpp"

#include "protocol/json_limits.hpp"
#include "protocol/serializer.hpp"

namespace ecsbox::protocol {

using nlohmann::json;

namespace {

std::string content_type(const ServiceModel* model) {
    return "application/x-amz-json-" + (model ? model->json_version() : std::string("1.1"));
}

}  // namespace

std::string JsonCodec::operation_of(const HttpRequest& request) const {
    const auto* target = request.header("X-Amz-Target");
    if (!target) throw unknown_operation("Missing X-Amz-Target header.");
    const auto dot = target->rfind('.');
    if (dot == std::string::npos) throw unknown_operation("Unknown service target: " + *target);
    return target->substr(dot + 1);
}

json JsonCodec::read_input(const ServiceModel&, const Operation&, const HttpRequest& request) const {
    if (request.method != "POST") throw unknown_operation("Only POST is accepted for AWS JSON requests.");
    if (json_nesting_depth(request.body) > k_max_json_depth)
        throw serialization_error("Request body is nested more than " + std::to_string(k_max_json_depth) +
                                  " levels deep.");
    json input = request.body.empty() ? json::object() : json::parse(request.body, nullptr, false);
    if (input.is_discarded()) throw serialization_error("Request body is not valid JSON (or not UTF-8).");
    if (!input.is_object()) throw serialization_error("Request body must be a JSON object.");
    return input;
}

HttpResponse JsonCodec::write_output(const ServiceModel& model, const Operation&, const json& output,
                                     const std::string& request_id) const {
    HttpResponse response;
    response.headers.emplace("Content-Type", content_type(&model));
    response.headers.emplace("x-amzn-RequestId", request_id);
    response.body = to_wire(output.is_object() ? output : json::object());
    return response;
}

HttpResponse JsonCodec::write_error(const ServiceModel* model, const AwsError& error,
                                    const std::string& request_id) const {
    HttpResponse response;
    response.status = error.http_status();
    response.headers.emplace("Content-Type", content_type(model));
    response.headers.emplace("x-amzn-RequestId", request_id);
    response.headers.emplace("X-Amzn-ErrorType", error.code());
    response.body = error.members().empty() ? error_body(error.code(), error.message())
                                            : error_body(error.code(), error.message(), error.members());
    return response;
}

}  // namespace ecsbox::protocol
