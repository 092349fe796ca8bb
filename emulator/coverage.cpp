#include "coverage.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "protocol/embedded_models.hpp"
#include "protocol/service_model.hpp"
#include "services.hpp"

namespace ecsbox {

namespace {

std::string upper(std::string_view name) {
    std::string out(name);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
}

std::string service_table(std::string_view name, const std::vector<std::string>& implemented) {
    const auto model = protocol::ServiceModel::parse(protocol::embedded_model(name));
    std::string rows;
    std::size_t count = 0;
    for (const auto& op : model.operations()) {
        const bool done = std::find(implemented.begin(), implemented.end(), op.name) != implemented.end();
        count += done;
        rows += "| " + op.name + " | " + (done ? "yes" : "no") + " |\n";
    }
    return upper(name) + " (" + model.api_version() + "): " + std::to_string(count) + " of " +
           std::to_string(model.operations().size()) + " operations implemented.\n\n| Operation | Implemented |\n|---|---|\n" +
           rows;
}

}  // namespace

std::string coverage_markdown() {
    std::string out;
    for_each_service([&](const auto& spec) {
        if (!out.empty()) out += "\n";
        out += service_table(spec.model, spec.implemented());
    });
    return out;
}

}  // namespace ecsbox
