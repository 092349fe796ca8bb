#pragma once
// An image reference ("[registry[:port]/]path[:tag][@digest]") split the way the engine's
// POST /images/create wants it: fromImage without the tag, and the tag or digest apart. Pure;
// it splits but does not validate (the engine rejects what is malformed with its own message).
#include <string>
#include <string_view>

namespace ecsbox::docker {

struct ImageReference {
    std::string repository;  // with the registry host, if any: "localhost:4566/app", "nginx"
    std::string tag;         // "" when the reference names none
    std::string digest;      // "sha256:..." or ""

    // What to pull: the digest when pinned, else the tag, else "latest". Never empty, because an
    // empty tag asks the engine for every tag of the repository.
    std::string pull_tag() const;
    // The registry host ("localhost:4566", "123.dkr.ecr.us-east-1.amazonaws.com"), "" for Docker Hub.
    std::string registry() const;
};

ImageReference parse_image_reference(std::string_view reference);

}  // namespace ecsbox::docker
