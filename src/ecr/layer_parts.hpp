#pragma once
// The part sizes of layer uploads in progress through UploadLayerPart, so CompleteLayerUpload can
// refuse an upload with a part under ECR's minimum other than the last. Kept in memory: after a
// restart, uploads already under way are not checked. Thread-safe.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <string>

namespace ecsbox::ecr {

// ECR's smallest part but the last.
inline constexpr std::uint64_t k_min_layer_part_size = 5 * 1024 * 1024;

class LayerParts {
public:
    // A part arrived; the one before it is no longer the last.
    void record(const std::string& upload_id, std::uint64_t size) {
        std::lock_guard lock(m_mutex);
        auto& parts = m_uploads[upload_id];
        if (parts.count > 0) parts.smallest_before_last = std::min(parts.smallest_before_last, parts.last);
        parts.last = size;
        ++parts.count;
    }
    bool has_small_part_before_last(const std::string& upload_id) const {
        std::lock_guard lock(m_mutex);
        const auto found = m_uploads.find(upload_id);
        return found != m_uploads.end() && found->second.smallest_before_last < k_min_layer_part_size;
    }
    void forget(const std::string& upload_id) {
        std::lock_guard lock(m_mutex);
        m_uploads.erase(upload_id);
    }

private:
    struct Parts {
        std::uint64_t count = 0;
        std::uint64_t last = 0;
        std::uint64_t smallest_before_last = std::numeric_limits<std::uint64_t>::max();
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Parts> m_uploads;
};

}  // namespace ecsbox::ecr
