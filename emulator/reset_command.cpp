#include "reset_command.hpp"

#include <curl/curl.h>
#include <memory>

namespace ecsbox {

namespace {

std::size_t append(char* data, std::size_t size, std::size_t count, void* body) {
    static_cast<std::string*>(body)->append(data, size * count);
    return size * count;
}

}  // namespace

int reset_command(const std::string& endpoint, std::ostream& out, std::ostream& err) {
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    if (!curl) {
        err << "ecsbox reset: cannot initialise libcurl\n";
        return 1;
    }
    auto url = endpoint;
    while (!url.empty() && url.back() == '/') url.pop_back();
    url += "/_ecsbox/reset";
    std::string body;
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, "");
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 60L);
    if (const auto code = curl_easy_perform(curl.get()); code != CURLE_OK) {
        err << "ecsbox reset: " << url << ": " << curl_easy_strerror(code) << "\n";
        return 1;
    }
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        err << "ecsbox reset: " << url << " answered " << status << ": " << body << "\n";
        return 1;
    }
    out << body << "\n";
    return 0;
}

}  // namespace ecsbox
