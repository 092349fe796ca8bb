#pragma once
// Content-addressed blobs and resumable upload sessions as plain files under one root directory:
//   <root>/blobs/sha256/<first two hex>/<hex>    committed blobs, immutable
//   <root>/uploads/<id>                          bytes of an upload in progress
// A blob becomes visible only by an atomic rename after its digest was verified, so an
// interrupted upload never leaves anything half-visible. Uploads hash their bytes as they
// arrive; the hash state lives in memory and is rebuilt from the file when missing (after a
// restart). Nothing here knows repositories: which repository may see a blob is the store's
// business. Thread-safe. Never writes outside its root: ids and digests are validated.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/ids.hpp"
#include "util/sha256.hpp"

namespace ecsbox::registry {

class BlobStoreError : public std::runtime_error {
public:
    enum class Kind { upload_unknown, digest_mismatch, size_mismatch, offset_mismatch, io };
    BlobStoreError(Kind kind, const std::string& message) : std::runtime_error(message), m_kind(kind) {}
    Kind kind() const { return m_kind; }

private:
    Kind m_kind;
};

// An open committed blob, for streaming reads (RAII file descriptor).
class BlobReader {
public:
    BlobReader(int fd, std::uint64_t size) : m_fd(fd), m_size(size) {}
    BlobReader(BlobReader&& other) noexcept;
    BlobReader& operator=(BlobReader&&) = delete;
    BlobReader(const BlobReader&) = delete;
    ~BlobReader();
    std::uint64_t size() const { return m_size; }
    // Reads up to `length` bytes at `offset`; returns how many were read (0 at the end).
    std::size_t read_at(std::uint64_t offset, char* out, std::size_t length) const;

private:
    int m_fd;
    std::uint64_t m_size;
};

class BlobStore {
    struct Session;  // one upload's hash state and writer flag; defined in the .cpp

public:
    explicit BlobStore(std::filesystem::path root);  // creates the directories

    // Committed blobs.
    bool exists(const std::string& digest) const;
    std::optional<std::uint64_t> size(const std::string& digest) const;
    std::optional<BlobReader> open(const std::string& digest) const;
    std::optional<std::string> read_all(const std::string& digest) const;  // for small blobs (configs)
    // Stores bytes already in memory (e.g. a manifest or an image config); returns the digest.
    std::string put(std::string_view bytes);
    void remove(const std::string& digest);  // absent is fine
    std::vector<std::string> list() const;   // every committed digest

    // Upload sessions. Ids are made here (uuid-like) and are the only names under uploads/.
    std::string start_upload();
    bool upload_exists(const std::string& id) const;
    std::uint64_t upload_size(const std::string& id) const;  // throws upload_unknown
    // Appends bytes at the end of the upload. When `expected_offset` is given and differs from the
    // current size, throws offset_mismatch and writes nothing.
    class Appender;
    Appender append(const std::string& id, std::optional<std::uint64_t> expected_offset = std::nullopt);
    // Verifies the whole upload hashes to `digest` (and has `expected_size` bytes when given),
    // then publishes it as that blob and ends the session. On a mismatch the session ends too,
    // and nothing is published. Returns the blob's size.
    std::uint64_t commit(const std::string& id, const std::string& digest,
                         std::optional<std::uint64_t> expected_size = std::nullopt);
    void cancel(const std::string& id);  // absent is fine
    // Ends sessions whose file was last written before `cutoff`; returns how many.
    std::size_t sweep_uploads(std::filesystem::file_time_type cutoff);

    // A writer kept open for one request's body; bytes go to disk and into the hash as they come.
    class Appender {
    public:
        Appender(Appender&& other) noexcept;
        Appender& operator=(Appender&&) = delete;
        Appender(const Appender&) = delete;
        ~Appender();  // closes; the session keeps what was written
        void write(std::string_view bytes);  // throws io
        std::uint64_t size() const;          // the upload's size so far

    private:
        friend class BlobStore;
        // Holds the session itself, not the store: a write never takes the store-wide mutex.
        Appender(std::shared_ptr<Session> session, std::string id, int fd, std::uint64_t size);
        std::shared_ptr<Session> m_session;
        std::string m_id;
        int m_fd;
        std::uint64_t m_size;
    };

private:
    std::shared_ptr<Session> find_session(const std::string& id);  // nullptr when there is no such upload
    std::shared_ptr<Session> session_for(const std::string& id);   // throws upload_unknown
    // Both expect the session's mutex to be held by the caller.
    void end_session(const std::string& id, Session& session);
    void discard_upload(const std::string& id, Session& session);
    bool sweep_upload(const std::string& id, std::filesystem::file_time_type cutoff);
    void publish(const std::filesystem::path& file, const std::string& digest);
    std::filesystem::path blob_path(const std::string& digest) const;
    std::filesystem::path upload_path(const std::string& id) const;

    std::filesystem::path m_root;
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<Session>> m_sessions;  // hash state of live uploads
    util::IdGenerator m_ids;                                      // upload ids and temporary file names
};

}  // namespace ecsbox::registry
