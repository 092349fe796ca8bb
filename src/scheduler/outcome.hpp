#pragma once
// Errors as values for the scheduling code that handlers and the reconciler share: a refusal
// says what kind it is and why, and each caller turns it into its own terms (a handler into
// the AWS error, the service scheduler into a service event). Never thrown.
#include <optional>
#include <string>
#include <utility>

namespace ecsbox::scheduler {

struct SchedulingError {
    enum class Kind {
        invalid_parameter,  // the request or definition asks for something that cannot be
        unavailable,        // the engine or its facts are not there yet: retry later
    };
    Kind kind = Kind::invalid_parameter;
    std::string message;
};

inline SchedulingError invalid(std::string message) {
    return {SchedulingError::Kind::invalid_parameter, std::move(message)};
}

// A value, or the SchedulingError that stood in its way.
template <class T>
class Outcome {
public:
    Outcome(T value) : m_value(std::move(value)) {}
    Outcome(SchedulingError error) : m_error(std::move(error)) {}

    explicit operator bool() const { return m_value.has_value(); }
    T& operator*() { return *m_value; }
    const T& operator*() const { return *m_value; }
    T* operator->() { return &*m_value; }
    const T* operator->() const { return &*m_value; }
    const SchedulingError& error() const { return *m_error; }

private:
    std::optional<T> m_value;
    std::optional<SchedulingError> m_error;
};

}  // namespace ecsbox::scheduler
