#include "protocol/embedded_models.hpp"

#include <stdexcept>
#include <string>

namespace ecsbox::protocol {

std::string_view embedded_model(std::string_view name) {
    for (const auto& model : embedded_models())
        if (model.name == name) return model.text;
    throw std::out_of_range("no service model named " + std::string(name) + " is compiled in");
}

}  // namespace ecsbox::protocol
