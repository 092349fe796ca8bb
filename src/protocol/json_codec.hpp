#pragma once
// The AWS JSON 1.0 and 1.1 protocols: the operation in X-Amz-Target, the input a JSON object,
// errors as {"__type", "message"} with X-Amzn-ErrorType.
#include "protocol/codec.hpp"

namespace ecsbox::protocol {

class JsonCodec final : public Codec {
public:
    std::string operation_of(const HttpRequest& request) const override;
    nlohmann::json read_input(const ServiceModel& model, const Operation& operation,
                              const HttpRequest& request) const override;
    HttpResponse write_output(const ServiceModel& model, const Operation& operation, const nlohmann::json& output,
                              const std::string& request_id) const override;
    HttpResponse write_error(const ServiceModel* model, const AwsError& error,
                             const std::string& request_id) const override;
};

}  // namespace ecsbox::protocol
