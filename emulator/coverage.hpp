#pragma once
// `ecsbox coverage`: which operations of each service model ecsbox implements, as the markdown
// table the README embeds. Generated from every service spec (services.hpp), never by hand.
#include <string>

namespace ecsbox {

std::string coverage_markdown();

}  // namespace ecsbox
