#pragma once
// What a service hands the protocol layer: the name of its embedded model, its error codes, and
// a handler per operation over the service's own context. The protocol layer never names a
// service; each service folder defines one spec, and the wiring adds it with its context.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

template <class Context>
struct ServiceSpec {
    using HandlerFn = nlohmann::json (*)(Context&, const CallContext&, const nlohmann::json&);

    std::string_view model;  // its embedded model's name (protocol/embedded_models.hpp)
    ServiceOptions options;
    std::vector<std::pair<std::string_view, HandlerFn>> handlers;  // by operation, in the model's spelling

    std::vector<std::string> implemented() const {
        std::vector<std::string> names;
        for (const auto& [name, _] : handlers) names.emplace_back(name);
        return names;
    }
};

}  // namespace ecsbox::protocol
