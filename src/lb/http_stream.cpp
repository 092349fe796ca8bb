#include "lb/http_stream.hpp"

#include <strings.h>

namespace ecsbox::lb {

const std::string* HttpHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key.size() == name.size() && ::strncasecmp(key.data(), name.data(), name.size()) == 0) return &value;
    return nullptr;
}

HttpStream::HttpStream(Kind kind) {
    http_parser_init(&m_parser, kind == Kind::request ? HTTP_REQUEST : HTTP_RESPONSE);
    m_parser.data = this;
    http_parser_settings_init(&m_settings);
    m_settings.on_message_begin = on_message_begin;
    m_settings.on_url = on_url;
    m_settings.on_header_field = on_header_field;
    m_settings.on_header_value = on_header_value;
    m_settings.on_headers_complete = on_headers_complete;
    m_settings.on_message_complete = on_message_complete;
}

int HttpStream::on_message_begin(http_parser* parser) {
    auto* self = static_cast<HttpStream*>(parser->data);
    self->m_head = HttpHead{};
    self->m_in_value = false;
    return 0;
}

int HttpStream::on_url(http_parser* parser, const char* at, std::size_t length) {
    static_cast<HttpStream*>(parser->data)->m_head.target.append(at, length);
    return 0;
}

int HttpStream::on_header_field(http_parser* parser, const char* at, std::size_t length) {
    auto* self = static_cast<HttpStream*>(parser->data);
    if (self->m_in_value || self->m_head.headers.empty()) self->m_head.headers.emplace_back();
    self->m_in_value = false;
    self->m_head.headers.back().first.append(at, length);
    return 0;
}

int HttpStream::on_header_value(http_parser* parser, const char* at, std::size_t length) {
    auto* self = static_cast<HttpStream*>(parser->data);
    self->m_in_value = true;
    if (!self->m_head.headers.empty()) self->m_head.headers.back().second.append(at, length);
    return 0;
}

int HttpStream::on_headers_complete(http_parser* parser) {
    auto* self = static_cast<HttpStream*>(parser->data);
    auto& head = self->m_head;
    head.version_major = parser->http_major;
    head.version_minor = parser->http_minor;
    if (parser->type == HTTP_REQUEST)
        head.method = http_method_str(static_cast<http_method>(parser->method));
    else
        head.status = static_cast<int>(parser->status_code);
    self->m_keep_alive = http_should_keep_alive(parser) != 0;
    head.keep_alive = self->m_keep_alive;
    self->m_paused_for = Event::head;
    http_parser_pause(parser, 1);
    // 1 tells the parser the message has no body (a response to HEAD).
    const bool no_body = self->m_no_body;
    // A response with no length that is not chunked, and may have a body, ends with the connection.
    const int status = static_cast<int>(parser->status_code);
    self->m_until_close = parser->type == HTTP_RESPONSE && !no_body && !(parser->flags & (F_CHUNKED | F_CONTENTLENGTH)) &&
                          status >= 200 && status != 204 && status != 304;
    self->m_no_body = false;
    return no_body ? 1 : 0;
}

int HttpStream::on_message_complete(http_parser* parser) {
    auto* self = static_cast<HttpStream*>(parser->data);
    self->m_keep_alive = http_should_keep_alive(parser) != 0;
    self->m_paused_for = Event::complete;
    http_parser_pause(parser, 1);
    return 0;
}

HttpStream::Step HttpStream::run(const char* data, std::size_t length) {
    m_paused_for = Event::more;
    const auto consumed = http_parser_execute(&m_parser, &m_settings, data, length);
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error == HPE_PAUSED) {
        http_parser_pause(&m_parser, 0);
        if (m_paused_for != Event::head) return {m_paused_for, consumed};
        // The parser stops on the head's last byte (its final LF): take it now, so the head
        // ends where its bytes do. A message without a body ends with it.
        m_paused_for = Event::more;
        http_parser_execute(&m_parser, &m_settings, data + consumed, 1);
        if (HTTP_PARSER_ERRNO(&m_parser) == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0);
            m_complete_pending = true;
        }
        return {Event::head, consumed + 1};
    }
    if (error != HPE_OK) return {Event::error, consumed};
    // An upgrade ends the parse at the head: what follows is the other protocol.
    if (m_parser.upgrade && m_paused_for == Event::more) return {Event::complete, consumed};
    return {m_paused_for, consumed};
}

HttpStream::Step HttpStream::feed(std::string_view data) {
    if (m_complete_pending) {
        m_complete_pending = false;
        return {Event::complete, 0};
    }
    return run(data.data(), data.size());
}

HttpStream::Step HttpStream::finish() { return run(nullptr, 0); }

std::string HttpStream::error() const {
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    return std::string(http_errno_name(error)) + ": " + http_errno_description(error);
}

}  // namespace ecsbox::lb
