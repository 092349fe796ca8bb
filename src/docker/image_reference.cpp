#include "docker/image_reference.hpp"

namespace ecsbox::docker {

std::string ImageReference::pull_tag() const {
    if (!digest.empty()) return digest;
    return tag.empty() ? "latest" : tag;
}

std::string ImageReference::registry() const {
    // As in the docker CLI: the first component is a host only when it looks like one, so
    // "library/nginx" stays on Docker Hub while "localhost:4566/app" does not.
    const auto slash = repository.find('/');
    if (slash == std::string::npos) return "";
    const std::string first = repository.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string::npos) return first;
    return "";
}

ImageReference parse_image_reference(std::string_view reference) {
    ImageReference out;
    if (const auto at = reference.find('@'); at != std::string_view::npos) {
        out.digest = std::string(reference.substr(at + 1));
        reference = reference.substr(0, at);
    }
    // A tag follows the last ':' after the last '/'; an earlier ':' belongs to a registry port.
    const auto slash = reference.rfind('/');
    const auto colon = reference.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        out.tag = std::string(reference.substr(colon + 1));
        reference = reference.substr(0, colon);
    }
    out.repository = std::string(reference);
    return out;
}

}  // namespace ecsbox::docker
