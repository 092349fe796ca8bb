#pragma once
// The one error value of the AWS protocols: a code (the `__type`), a message and an HTTP
// status, and the few further members some error shapes carry. Handlers throw it; the
// dispatcher is the only place that turns it into a response.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace ecsbox::protocol {

class AwsError : public std::runtime_error {
public:
    AwsError(std::string code, const std::string& message, int http_status = 400)
        : std::runtime_error(message), m_code(std::move(code)), m_http_status(http_status) {}

    const std::string& code() const { return m_code; }
    std::string message() const { return what(); }
    int http_status() const { return m_http_status; }

    // A member of the error shape beside the message (InvalidLayerPartException's
    // lastValidByteReceived, ...), written into the error body as it is given.
    AwsError& with(const std::string& member, nlohmann::json value) {
        m_members[member] = std::move(value);
        return *this;
    }
    const nlohmann::json& members() const { return m_members; }

private:
    std::string m_code;
    int m_http_status;
    nlohmann::json m_members = nlohmann::json::object();
};

// Errors every JSON 1.1 service shares, whatever its model says.
inline AwsError serialization_error(const std::string& message) { return {"SerializationException", message}; }
inline AwsError unknown_operation(const std::string& message) { return {"UnknownOperationException", message}; }

}  // namespace ecsbox::protocol
