#pragma once
// ECR as the protocol layer serves it: the ecr model and a handler per operation. The table
// is also the source of `ecsbox coverage`.
#include "ecr/ecr_context.hpp"
#include "protocol/service_spec.hpp"

namespace ecsbox::ecr {

const protocol::ServiceSpec<EcrContext>& service_spec();

}  // namespace ecsbox::ecr
