#include "protocol/embedded_models.hpp"

extern "C" {
extern const char ecsbox_model_ecs_begin[];
extern const char ecsbox_model_ecs_end[];
extern const char ecsbox_model_ecr_begin[];
extern const char ecsbox_model_ecr_end[];
}

namespace ecsbox::protocol {

std::string_view embedded_ecs_model() {
    return {ecsbox_model_ecs_begin, static_cast<std::size_t>(ecsbox_model_ecs_end - ecsbox_model_ecs_begin)};
}

std::string_view embedded_ecr_model() {
    return {ecsbox_model_ecr_begin, static_cast<std::size_t>(ecsbox_model_ecr_end - ecsbox_model_ecr_begin)};
}

}  // namespace ecsbox::protocol
