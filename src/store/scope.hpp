#pragma once
// State is scoped per account and region, as in AWS.
#include <string>

namespace ecsbox::store {

struct Scope {
    std::string account;
    std::string region;
    bool operator==(const Scope&) const = default;
};

}  // namespace ecsbox::store
