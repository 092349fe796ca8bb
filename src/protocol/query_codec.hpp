#pragma once
// The AWS query protocol (ELBv2, CloudWatch, STS, ...): a form-encoded POST whose Action and
// Version name the operation and whose other parameters flatten the input shape (`A.B` for
// structures, `L.member.N` for lists, `M.entry.N.key` for maps, as the model's locationName and
// flattened traits say); answers are XML in the model's xmlNamespace, wrapped in
// <OperationResponse> and the operation's resultWrapper; errors are <ErrorResponse> with the
// error shape's code.
#include "protocol/codec.hpp"

namespace ecsbox::protocol {

class QueryCodec final : public Codec {
public:
    explicit QueryCodec(std::string validation_error_code = "ValidationError")
        : m_validation_error_code(std::move(validation_error_code)) {}

    std::string operation_of(const HttpRequest& request) const override;
    nlohmann::json read_input(const ServiceModel& model, const Operation& operation,
                              const HttpRequest& request) const override;
    HttpResponse write_output(const ServiceModel& model, const Operation& operation, const nlohmann::json& output,
                              const std::string& request_id) const override;
    HttpResponse write_error(const ServiceModel* model, const AwsError& error,
                             const std::string& request_id) const override;

    // True for a request in this protocol's form (a form-encoded body).
    static bool looks_like(const HttpRequest& request);
    // The request's Version parameter, "" without one.
    static std::string version_of(const HttpRequest& request);

private:
    std::string m_validation_error_code;
};

}  // namespace ecsbox::protocol
