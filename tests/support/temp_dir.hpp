#pragma once
// A directory under $TMPDIR that exists for the lifetime of the object and is removed after,
// whatever the test did.
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace ecsbox::testing {

class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "ecsbox-test-XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        m_path = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

}  // namespace ecsbox::testing
