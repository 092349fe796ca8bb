#pragma once
// A wire format of the AWS protocols: how a request names its operation and carries its input,
// and how an output or an error goes back. Handlers see JSON in and JSON out whatever the
// codec; the dispatcher picks a service's codec from its model's `protocol`. Stateless and
// shared by every thread.
#include <nlohmann/json.hpp>
#include <string>

#include "protocol/aws_error.hpp"
#include "protocol/http_types.hpp"
#include "protocol/service_model.hpp"

namespace ecsbox::protocol {

class Codec {
public:
    virtual ~Codec() = default;

    // The operation the request names, as it spells it; throws AwsError when it names none.
    virtual std::string operation_of(const HttpRequest& request) const = 0;
    // The operation's input as JSON members by the model's names; throws AwsError
    // (the protocol's own error) when the request cannot be read.
    virtual nlohmann::json read_input(const ServiceModel& model, const Operation& operation,
                                      const HttpRequest& request) const = 0;
    // `output` is already shaped by the operation's output shape.
    virtual HttpResponse write_output(const ServiceModel& model, const Operation& operation,
                                      const nlohmann::json& output, const std::string& request_id) const = 0;
    // `model` is null when the request reached no service.
    virtual HttpResponse write_error(const ServiceModel* model, const AwsError& error,
                                     const std::string& request_id) const = 0;
};

}  // namespace ecsbox::protocol
