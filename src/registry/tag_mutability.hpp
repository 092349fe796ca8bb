#pragma once
// Whether a repository lets a tag move to another image: ECR's tag mutability setting and its
// exclusion filters, shared by the registry's manifest PUT and ECR's PutImage so the two never
// disagree. Pure functions.
#include <string>
#include <string_view>
#include <vector>

#include "store/ecr_repositories_store.hpp"

namespace ecsbox::registry {

// IMMUTABLE: every tag is fixed; MUTABLE: none is; IMMUTABLE_WITH_EXCLUSION: every tag but
// those matching a filter; MUTABLE_WITH_EXCLUSION: only those matching a filter.
bool tag_is_immutable(std::string_view mutability, const std::vector<std::string>& exclusion_filters,
                      std::string_view tag);

// The same, read from a repository's settings (its body JSON, as the ECR handlers write it).
bool tag_is_immutable(const store::EcrRepositoryRecord& repository, std::string_view tag);

}  // namespace ecsbox::registry
