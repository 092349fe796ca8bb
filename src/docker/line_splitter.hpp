#pragma once
// Cuts a byte stream that arrives in arbitrary chunks (curl's write callback) into lines, so a
// JSON object split across two chunks is seen whole. One splitter per stream; not thread-safe.
#include <string>
#include <string_view>

namespace ecsbox::docker {

class LineSplitter {
public:
    // Calls on_line(std::string_view) for every line completed by `chunk`, without its "\n" or
    // "\r\n"; blank lines are skipped. The unterminated tail is kept for the next chunk.
    template <class OnLine>
    void feed(std::string_view chunk, OnLine&& on_line) {
        m_pending.append(chunk);
        std::size_t start = 0;
        for (auto end = m_pending.find('\n'); end != std::string::npos; end = m_pending.find('\n', start)) {
            std::string_view line(m_pending.data() + start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            start = end + 1;
            if (!line.empty()) on_line(line);
        }
        m_pending.erase(0, start);
    }

    // What has arrived after the last newline.
    std::string_view pending() const { return m_pending; }

private:
    std::string m_pending;
};

}  // namespace ecsbox::docker
