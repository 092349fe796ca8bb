#pragma once
// Every AWS service ecsbox serves. Adding one is its model (ECSBOX_EMBEDDED_MODELS in
// src/CMakeLists.txt), its handlers folder with a service_spec(), and its line below; the App
// gives each spec the context its handlers run in, and `ecsbox coverage` lists them all.
#include "ecr/ecr_service.hpp"
#include "ecs/ecs_service.hpp"
#include "elbv2/elbv2_service.hpp"

namespace ecsbox {

template <class Visit>
void for_each_service(Visit&& visit) {
    visit(ecs::service_spec());
    visit(ecr::service_spec());
    visit(elbv2::service_spec());
}

}  // namespace ecsbox
