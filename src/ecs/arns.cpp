#include "ecs/arns.hpp"

#include <cctype>
#include <charconv>

namespace ecsbox::ecs {

namespace {

bool is_hex_id(std::string_view id) {
    if (id.empty() || id.size() > 64) return false;
    for (const char c : id)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace

std::optional<std::string> task_arn_from(const store::Scope& scope, const std::string& cluster_name,
                                         const std::string& identifier) {
    if (auto arn = parse_ecs_arn(identifier)) {
        if (arn->resource_type != "task") return std::nullopt;
        return identifier;
    }
    if (!is_hex_id(identifier)) return std::nullopt;
    return task_arn(scope, cluster_name, identifier);
}

bool is_ecs_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    for (const char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) return false;
    return true;
}

namespace {

bool in_scope(const ParsedArn& arn, const store::Scope& scope) {
    return arn.region == scope.region && arn.account == scope.account;
}

}  // namespace

std::optional<std::string> cluster_name_from(const store::Scope& scope, const std::string& identifier) {
    if (auto arn = parse_ecs_arn(identifier)) {
        if (!in_scope(*arn, scope) || arn->resource_type != "cluster" || !is_ecs_name(arn->resource_id))
            return std::nullopt;
        return arn->resource_id;
    }
    if (!is_ecs_name(identifier)) return std::nullopt;
    return identifier;
}

std::optional<TaskDefinitionRef> parse_task_definition_ref(const store::Scope& scope, const std::string& identifier) {
    std::string_view text = identifier;
    if (auto arn = parse_ecs_arn(identifier)) {
        if (!in_scope(*arn, scope) || arn->resource_type != "task-definition") return std::nullopt;
        text = identifier;
        text.remove_prefix(identifier.size() - arn->resource_id.size());
        if (text.find(':') == std::string_view::npos) return std::nullopt;  // an ARN always names a revision
    }
    const auto colon = text.find(':');
    TaskDefinitionRef ref{std::string(text.substr(0, colon)), std::nullopt};
    if (!is_ecs_name(ref.family)) return std::nullopt;
    if (colon != std::string_view::npos) {
        const auto digits = text.substr(colon + 1);
        std::int64_t revision = 0;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), revision);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || revision < 1)
            return std::nullopt;
        ref.revision = revision;
    }
    return ref;
}

}  // namespace ecsbox::ecs
