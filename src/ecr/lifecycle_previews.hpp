#pragma once
// The results of StartLifecyclePolicyPreview, kept in memory per repository until the next
// preview of that repository replaces them (ECR keeps only the latest one too). A restart
// forgets them, as an expired preview would be. Repository ids are never reused, so a preview
// cannot outlive its repository into a new one of the same name. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ecr/lifecycle_policy.hpp"

namespace ecsbox::ecr {

struct LifecyclePreview {
    std::string policy_text;
    std::vector<LifecycleExpiration> expirations;  // in the order evaluate_lifecycle_policy gives
};

class LifecyclePreviews {
public:
    void put(std::int64_t repository_id, LifecyclePreview preview) {
        std::lock_guard lock(m_mutex);
        m_previews.insert_or_assign(repository_id, std::move(preview));
    }
    std::optional<LifecyclePreview> find(std::int64_t repository_id) const {
        std::lock_guard lock(m_mutex);
        const auto found = m_previews.find(repository_id);
        if (found == m_previews.end()) return std::nullopt;
        return found->second;
    }

private:
    mutable std::mutex m_mutex;
    std::map<std::int64_t, LifecyclePreview> m_previews;
};

}  // namespace ecsbox::ecr
