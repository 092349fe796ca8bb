#include "registry/tag_mutability.hpp"

#include <nlohmann/json.hpp>

#include "util/wildcard.hpp"

namespace ecsbox::registry {

bool tag_is_immutable(std::string_view mutability, const std::vector<std::string>& exclusion_filters,
                      std::string_view tag) {
    const bool immutable_by_default = mutability == "IMMUTABLE" || mutability == "IMMUTABLE_WITH_EXCLUSION";
    if (mutability != "IMMUTABLE_WITH_EXCLUSION" && mutability != "MUTABLE_WITH_EXCLUSION") return immutable_by_default;
    bool excluded = false;
    for (const auto& filter : exclusion_filters) excluded |= util::wildcard_match(filter, tag);
    return immutable_by_default != excluded;
}

bool tag_is_immutable(const store::EcrRepositoryRecord& repository, std::string_view tag) {
    const auto body = nlohmann::json::parse(repository.body, nullptr, false);
    if (!body.is_object()) return false;
    const auto mutability = body.value("imageTagMutability", std::string("MUTABLE"));
    std::vector<std::string> filters;
    const auto listed = body.value("imageTagMutabilityExclusionFilters", nlohmann::json::array());
    for (const auto& filter : listed)
        if (filter.is_object()) filters.push_back(filter.value("filter", std::string()));
    return tag_is_immutable(mutability, filters, tag);
}

}  // namespace ecsbox::registry
