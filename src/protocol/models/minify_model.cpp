// Build-time tool: copies a botocore service model without its documentation strings, compact.
// The binary embeds the result, so start-up parses a fraction of the text.
// Usage: minify_model IN OUT
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: minify_model IN OUT\n";
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::cerr << "minify_model: cannot read " << argv[1] << "\n";
        return 1;
    }
    nlohmann::json::parser_callback_t drop_docs = [](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        return !(event == nlohmann::json::parse_event_t::key && parsed == "documentation");
    };
    const auto model = nlohmann::json::parse(in, drop_docs);
    std::ofstream out(argv[2]);
    out << model.dump();
    return out ? 0 : 1;
}
