#include "docker/line_splitter.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ecsbox::docker::LineSplitter;

namespace {
std::vector<std::string> feed_all(LineSplitter& splitter, const std::vector<std::string>& chunks) {
    std::vector<std::string> lines;
    for (const auto& chunk : chunks)
        splitter.feed(chunk, [&](std::string_view line) { lines.emplace_back(line); });
    return lines;
}
}  // namespace

TEST_CASE("lines split across chunks arrive whole", "[docker][line_splitter]") {
    LineSplitter splitter;
    const auto lines = feed_all(splitter, {"{\"a\":", "1}\n{\"b\"", ":2}\n{\"c\":3}\n{\"d"});
    CHECK(lines == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"});
    CHECK(splitter.pending() == "{\"d");
}

TEST_CASE("CRLF endings and blank lines are dropped", "[docker][line_splitter]") {
    LineSplitter splitter;
    const auto lines = feed_all(splitter, {"one\r", "\n\r\n\ntwo\r\n"});
    CHECK(lines == std::vector<std::string>{"one", "two"});
    CHECK(splitter.pending().empty());
}
