#pragma once
// Transport-neutral HTTP request and response: the protocol layer is tested without a server,
// and the server adapter is the only code that knows the HTTP library.
#include <map>
#include <string>
#include <strings.h>

namespace ecsbox::protocol {

struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const { return strcasecmp(a.c_str(), b.c_str()) < 0; }
};
using Headers = std::map<std::string, std::string, CaseInsensitiveLess>;

struct HttpRequest {
    std::string method;
    std::string path;
    Headers headers;
    std::string body;

    const std::string* header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? nullptr : &it->second;
    }
};

struct HttpResponse {
    int status = 200;
    Headers headers;
    std::string body;
};

}  // namespace ecsbox::protocol
