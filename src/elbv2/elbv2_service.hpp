#pragma once
// ELBv2 as the protocol layer serves it: the elbv2 model (query protocol) and a handler per
// operation. The table is also the source of `ecsbox coverage`.
#include "elbv2/elbv2_context.hpp"
#include "protocol/service_spec.hpp"

namespace ecsbox::elbv2 {

const protocol::ServiceSpec<Elbv2Context>& service_spec();

}  // namespace ecsbox::elbv2
