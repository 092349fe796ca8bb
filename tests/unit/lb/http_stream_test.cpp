#include "lb/http_stream.hpp"

#include <catch2/catch.hpp>

using ecsbox::lb::HttpStream;
using Event = HttpStream::Event;

TEST_CASE("a request's head and end are found, and pipelined requests are read one at a time", "[lb][http]") {
    HttpStream stream(HttpStream::Kind::request);
    const std::string first = "POST /items?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nX-Two: 1\r\n\r\n";
    const std::string second = "GET /next HTTP/1.1\r\nHost: a\r\n\r\n";
    const std::string wire = first + "hello" + second;

    auto step = stream.feed(wire);
    REQUIRE(step.event == Event::head);
    CHECK(step.consumed == first.size());
    CHECK(stream.head().method == "POST");
    CHECK(stream.head().target == "/items?x=1");
    CHECK(*stream.head().header("content-length") == "5");
    CHECK(*stream.head().header("X-TWO") == "1");

    auto rest = std::string_view(wire).substr(step.consumed);
    step = stream.feed(rest);
    REQUIRE(step.event == Event::complete);
    CHECK(step.consumed == 5);
    CHECK(stream.keep_alive());

    rest = rest.substr(step.consumed);
    step = stream.feed(rest);
    REQUIRE(step.event == Event::head);
    CHECK(stream.head().method == "GET");
    CHECK(stream.head().target == "/next");
    CHECK(stream.head().headers.size() == 1);
    step = stream.feed(rest.substr(step.consumed));
    CHECK(step.event == Event::complete);
    CHECK(step.consumed == 0);
}

TEST_CASE("a chunked body is taken byte for byte until its last chunk, fed in pieces", "[lb][http]") {
    HttpStream stream(HttpStream::Kind::response);
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string body = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    auto step = stream.feed(head);
    REQUIRE(step.event == Event::head);
    CHECK(stream.head().status == 200);
    std::size_t taken = 0;
    for (std::size_t i = 0; i < body.size(); i += 3) {
        step = stream.feed(std::string_view(body).substr(i, 3));
        taken += step.consumed;
        if (step.event == Event::complete) break;
        CHECK(step.event == Event::more);
    }
    CHECK(step.event == Event::complete);
    CHECK(taken == body.size());
}

TEST_CASE("a response to HEAD has no body, one without a length runs to the close", "[lb][http]") {
    HttpStream head_answer(HttpStream::Kind::response);
    head_answer.expect_no_body();
    const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
    auto step = head_answer.feed(wire);
    REQUIRE(step.event == Event::head);
    step = head_answer.feed(std::string_view(wire).substr(step.consumed));
    CHECK(step.event == Event::complete);

    HttpStream until_close(HttpStream::Kind::response);
    step = until_close.feed("HTTP/1.1 200 OK\r\n\r\nsome bytes");
    REQUIRE(step.event == Event::head);
    step = until_close.feed("some bytes");
    CHECK(step.event == Event::more);
    CHECK(until_close.finish().event == Event::complete);
    CHECK_FALSE(until_close.keep_alive());
}

TEST_CASE("an upgrade request ends the parse at its head; garbage is an error", "[lb][http]") {
    HttpStream stream(HttpStream::Kind::request);
    const std::string head = "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    auto step = stream.feed(head + "\x81\x05hello");
    REQUIRE(step.event == Event::head);
    CHECK(stream.upgrade());
    step = stream.feed(std::string_view("\x81\x05hello"));
    CHECK(step.event == Event::complete);

    HttpStream bad(HttpStream::Kind::request);
    CHECK(bad.feed("NOT HTTP AT ALL\r\n\r\n").event == Event::error);
    CHECK_FALSE(bad.error().empty());
}
