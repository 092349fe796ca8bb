#pragma once
// ECS as the protocol layer serves it: the ecs model and a handler per operation. The table
// is also the source of `ecsbox coverage`.
#include "ecs/ecs_context.hpp"
#include "protocol/service_spec.hpp"

namespace ecsbox::ecs {

const protocol::ServiceSpec<EcsContext>& service_spec();

}  // namespace ecsbox::ecs
