#include "registry/repository_uri.hpp"

#include <algorithm>
#include <cctype>

namespace ecsbox::registry {

namespace {

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// "<12 digits>.dkr.ecr.<region>.amazonaws.com" (also ".com.cn") -> account and region.
std::optional<store::Scope> ecr_host_scope(std::string_view host) {
    const auto first_dot = host.find('.');
    if (first_dot == std::string_view::npos) return std::nullopt;
    const auto account = host.substr(0, first_dot);
    auto rest = host.substr(first_dot + 1);
    if (!all_digits(account) || account.size() != 12 || !rest.starts_with("dkr.ecr.")) return std::nullopt;
    rest.remove_prefix(8);
    const auto dot = rest.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto region = rest.substr(0, dot);
    const auto domain = rest.substr(dot + 1);
    if (region.empty() || (domain != "amazonaws.com" && domain != "amazonaws.com.cn")) return std::nullopt;
    return store::Scope{std::string(account), std::string(region)};
}

}  // namespace

std::optional<RegistryImage> resolve_registry_image(std::string_view image, std::string_view registry_host,
                                                    const store::Scope& task_scope) {
    const auto slash = image.find('/');
    if (slash == std::string_view::npos || slash + 1 == image.size()) return std::nullopt;
    const auto host = image.substr(0, slash);
    const auto path = image.substr(slash + 1);
    if (host == registry_host) return RegistryImage{std::string(image), task_scope};
    if (const auto scope = ecr_host_scope(host))
        return RegistryImage{std::string(registry_host) + "/" + std::string(path), *scope};
    return std::nullopt;
}

}  // namespace ecsbox::registry
