#pragma once
// One direction of an HTTP/1.1 connection, read with the Node.js HTTP parser (Debian's
// libhttp-parser): it says where each message's head ends and where the message ends, so the
// proxy can rewrite heads and pass bodies on byte for byte, chunked framing included.
// Pipelined messages are read one at a time: feeding stops at the end of each.
#include <http_parser.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ecsbox::lb {

struct HttpHead {
    std::string method;  // requests
    std::string target;  // requests: the request target as sent
    int status = 0;      // responses
    int version_major = 1, version_minor = 1;
    std::vector<std::pair<std::string, std::string>> headers;
    bool keep_alive = true;  // as far as the head says (its version and Connection header)

    const std::string* header(std::string_view name) const;  // case-insensitive; the first
};

class HttpStream {
public:
    enum class Kind { request, response };
    enum class Event {
        more,      // everything given was taken (body bytes, or part of a head); feed more
        head,      // a message's head ended: head() holds it; what follows is its body
        complete,  // the message ended; the rest belongs to the next message
        error,     // not HTTP: error() says why
    };
    struct Step {
        Event event = Event::more;
        std::size_t consumed = 0;  // bytes of the input taken before the event
    };

    explicit HttpStream(Kind kind);
    HttpStream(const HttpStream&) = delete;
    HttpStream& operator=(const HttpStream&) = delete;

    Step feed(std::string_view data);
    // The peer closed: ends a body that runs until the connection closes.
    Step finish();
    // A message without a body ended with the head just reported: the next feed, even of
    // nothing, says so.
    bool complete_pending() const { return m_complete_pending; }
    // The response being read answers a HEAD request: it has no body whatever it says.
    void expect_no_body() { m_no_body = true; }

    const HttpHead& head() const { return m_head; }
    // After head, as far as the head says, and after complete: whether the connection may
    // carry another message.
    bool keep_alive() const { return m_keep_alive; }
    // After head: the body ends only when the connection closes (no length, not chunked).
    bool body_until_close() const { return m_until_close; }
    // After head: the request asks to switch protocols, or the response (101) does.
    bool upgrade() const { return m_parser.upgrade != 0; }
    std::string error() const;

private:
    static int on_message_begin(http_parser* parser);
    static int on_url(http_parser* parser, const char* at, std::size_t length);
    static int on_header_field(http_parser* parser, const char* at, std::size_t length);
    static int on_header_value(http_parser* parser, const char* at, std::size_t length);
    static int on_headers_complete(http_parser* parser);
    static int on_message_complete(http_parser* parser);
    Step run(const char* data, std::size_t length);

    http_parser m_parser{};
    http_parser_settings m_settings{};
    HttpHead m_head;
    bool m_in_value = false;
    bool m_no_body = false;
    bool m_keep_alive = false;
    Event m_paused_for = Event::more;
    bool m_complete_pending = false;  // a message without a body ended with its head
    bool m_until_close = false;
};

}  // namespace ecsbox::lb
