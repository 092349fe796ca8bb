#include "registry/blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "registry/reference.hpp"

namespace ecsbox::registry {

namespace fs = std::filesystem;

// The in-memory half of an upload: the file is the truth, this is a cache of its hash. Lock
// order: a session's mutex may be held while taking the store's, never the other way round.
struct BlobStore::Session {
    std::mutex mutex;
    util::Sha256 hasher;     // of the file's first hasher.bytes_hashed() bytes while in_sync
    bool in_sync = true;     // false once the file may hold bytes the hasher never saw
    bool appending = false;  // an Appender is open: one writer per upload, and no commit meanwhile
    bool ended = false;      // committed, cancelled or swept; holders of a stale pointer must stop
};

namespace {

constexpr std::size_t k_upload_id_length = 32;
constexpr std::string_view k_digest_prefix = "sha256:";
constexpr std::size_t k_rehash_chunk = 1 << 20;
constexpr mode_t k_file_mode = 0644;

// Owns a file descriptor inside this file; the public types keep a plain int by contract.
class UniqueFd {
public:
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() {
        if (m_fd >= 0) ::close(m_fd);
    }
    int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }
    explicit operator bool() const { return m_fd >= 0; }

private:
    int m_fd;
};

// Unlinks a temporary file on every way out of a scope unless it was handed on.
class TemporaryFile {
public:
    explicit TemporaryFile(fs::path path) : m_path(std::move(path)) {}
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile() {
        if (!m_path.empty()) ::unlink(m_path.c_str());
    }
    const fs::path& path() const { return m_path; }
    void dismiss() { m_path.clear(); }

private:
    fs::path m_path;
};

// What we generate: lower-case hex only, so an id can never name anything but a file in uploads/.
bool valid_upload_id(std::string_view id) {
    return id.size() == k_upload_id_length &&
           std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// Takes nothing that allocates, so `io_error("open", path, errno)` reads errno before anything
// else could change it.
BlobStoreError io_error(const char* action, const fs::path& path, int error) {
    return BlobStoreError(BlobStoreError::Kind::io, std::string("blob store: cannot ") + action + " " +
                                                        path.string() + ": " + std::strerror(error));
}

BlobStoreError unknown_upload(const std::string& id) {
    return BlobStoreError(BlobStoreError::Kind::upload_unknown, "blob upload '" + id + "' is unknown");
}

// Returns 0 or the errno of the failed write; some bytes may have been written then.
int write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return 0;
}

// Reads until `length` bytes or the end of the file; returns how many, or -1 with errno set.
ssize_t pread_full(int fd, char* out, std::size_t length, std::uint64_t offset) {
    std::size_t done = 0;
    while (done < length) {
        const ssize_t got = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (got == 0) break;
        done += static_cast<std::size_t>(got);
    }
    return static_cast<ssize_t>(done);
}

std::uint64_t file_size(int fd, const fs::path& path) {
    struct stat status {};
    if (::fstat(fd, &status) != 0) throw io_error("stat", path, errno);
    return static_cast<std::uint64_t>(status.st_size);
}

// The slow path after a restart or a failed write: the in-memory hash cannot be trusted.
util::Sha256Digest hash_file(int fd, const fs::path& path) {
    util::Sha256 hasher;
    std::string chunk(k_rehash_chunk, '\0');
    for (std::uint64_t offset = 0;;) {
        const ssize_t got = pread_full(fd, chunk.data(), chunk.size(), offset);
        if (got < 0) throw io_error("read", path, errno);
        if (got == 0) break;
        hasher.update(chunk.data(), static_cast<std::size_t>(got));
        offset += static_cast<std::uint64_t>(got);
    }
    return hasher.finish();
}

std::string hex_of(const std::string& digest) { return digest.substr(k_digest_prefix.size()); }

}  // namespace

// ---- BlobReader ----

BlobReader::BlobReader(BlobReader&& other) noexcept
    : m_fd(std::exchange(other.m_fd, -1)), m_size(other.m_size) {}

BlobReader::~BlobReader() {
    if (m_fd >= 0) ::close(m_fd);
}

std::size_t BlobReader::read_at(std::uint64_t offset, char* out, std::size_t length) const {
    const ssize_t got = pread_full(m_fd, out, length, offset);
    if (got < 0) {
        const int error = errno;
        throw BlobStoreError(BlobStoreError::Kind::io,
                             std::string("blob store: cannot read blob: ") + std::strerror(error));
    }
    return static_cast<std::size_t>(got);
}

// ---- Committed blobs ----

BlobStore::BlobStore(fs::path root) : m_root(std::move(root)) {
    fs::create_directories(m_root / "blobs" / "sha256");
    fs::create_directories(m_root / "uploads");
}

fs::path BlobStore::blob_path(const std::string& digest) const {
    const std::string hex = hex_of(digest);
    return m_root / "blobs" / "sha256" / hex.substr(0, 2) / hex;
}

fs::path BlobStore::upload_path(const std::string& id) const { return m_root / "uploads" / id; }

bool BlobStore::exists(const std::string& digest) const { return size(digest).has_value(); }

std::optional<std::uint64_t> BlobStore::size(const std::string& digest) const {
    if (!valid_digest(digest)) return std::nullopt;
    struct stat status {};
    if (::stat(blob_path(digest).c_str(), &status) != 0 || !S_ISREG(status.st_mode)) return std::nullopt;
    return static_cast<std::uint64_t>(status.st_size);
}

std::optional<BlobReader> BlobStore::open(const std::string& digest) const {
    if (!valid_digest(digest)) return std::nullopt;
    const fs::path path = blob_path(digest);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw io_error("open", path, errno);
    }
    const std::uint64_t size = file_size(fd.get(), path);
    return BlobReader(fd.release(), size);
}

std::optional<std::string> BlobStore::read_all(const std::string& digest) const {
    const std::optional<BlobReader> reader = open(digest);
    if (!reader) return std::nullopt;
    std::string bytes(reader->size(), '\0');
    bytes.resize(reader->read_at(0, bytes.data(), bytes.size()));
    return bytes;
}

std::string BlobStore::put(std::string_view bytes) {
    const std::string digest = std::string(k_digest_prefix) + util::sha256_hex(bytes);
    if (exists(digest)) return digest;
    // Through a private file and a rename, so no reader ever sees a partly written blob.
    TemporaryFile temporary(m_root / "uploads" / ("put-" + m_ids.hex(k_upload_id_length)));
    {
        UniqueFd fd(::open(temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k_file_mode));
        if (!fd) throw io_error("create", temporary.path(), errno);
        if (const int error = write_all(fd.get(), bytes)) throw io_error("write", temporary.path(), error);
    }
    publish(temporary.path(), digest);
    temporary.dismiss();
    return digest;
}

void BlobStore::remove(const std::string& digest) {
    if (!valid_digest(digest)) return;
    const fs::path path = blob_path(digest);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw io_error("remove", path, errno);
}

std::vector<std::string> BlobStore::list() const {
    std::vector<std::string> digests;
    for (const auto& prefix : fs::directory_iterator(m_root / "blobs" / "sha256")) {
        if (!prefix.is_directory()) continue;
        const std::string prefix_name = prefix.path().filename().string();
        for (const auto& blob : fs::directory_iterator(prefix.path())) {
            const std::string hex = blob.path().filename().string();
            std::string digest = std::string(k_digest_prefix) + hex;
            // Only what publish() could have put there: anything else is not ours to report.
            if (valid_digest(digest) && hex.starts_with(prefix_name) && prefix_name.size() == 2 &&
                blob.is_regular_file()) {
                digests.push_back(std::move(digest));
            }
        }
    }
    std::sort(digests.begin(), digests.end());
    return digests;
}

void BlobStore::publish(const fs::path& file, const std::string& digest) {
    const fs::path target = blob_path(digest);
    if (exists(digest)) {  // same digest, same bytes: keep the published copy untouched
        ::unlink(file.c_str());
        return;
    }
    std::error_code error;
    fs::create_directories(target.parent_path(), error);
    if (error) throw io_error("create directory", target.parent_path(), error.value());
    if (::rename(file.c_str(), target.c_str()) != 0) throw io_error("publish", target, errno);
}

// ---- Upload sessions ----

std::string BlobStore::start_upload() {
    std::string id;
    for (;;) {
        id = m_ids.hex(k_upload_id_length);
        const fs::path path = upload_path(id);
        const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, k_file_mode));
        if (fd) break;
        if (errno != EEXIST) throw io_error("create", path, errno);
    }
    std::lock_guard lock(m_mutex);
    m_sessions.emplace(id, std::make_shared<Session>());
    return id;
}

bool BlobStore::upload_exists(const std::string& id) const {
    if (!valid_upload_id(id)) return false;
    struct stat status {};
    return ::stat(upload_path(id).c_str(), &status) == 0 && S_ISREG(status.st_mode);
}

std::uint64_t BlobStore::upload_size(const std::string& id) const {
    if (!valid_upload_id(id)) throw unknown_upload(id);
    struct stat status {};
    if (::stat(upload_path(id).c_str(), &status) != 0 || !S_ISREG(status.st_mode)) throw unknown_upload(id);
    return static_cast<std::uint64_t>(status.st_size);
}

std::shared_ptr<BlobStore::Session> BlobStore::find_session(const std::string& id) {
    if (!valid_upload_id(id)) return nullptr;
    std::lock_guard lock(m_mutex);
    if (const auto found = m_sessions.find(id); found != m_sessions.end()) return found->second;
    // A file without a session: the process restarted since the upload began. An empty hasher
    // will not match the file's size, so commit rehashes it.
    if (!upload_exists(id)) return nullptr;
    return m_sessions.emplace(id, std::make_shared<Session>()).first->second;
}

std::shared_ptr<BlobStore::Session> BlobStore::session_for(const std::string& id) {
    std::shared_ptr<Session> session = find_session(id);
    if (!session) throw unknown_upload(id);
    return session;
}

void BlobStore::end_session(const std::string& id, Session& session) {
    session.ended = true;
    std::lock_guard lock(m_mutex);
    // Only our own entry: a later session under the same id is impossible (ids are never
    // reused), but a stale pointer must never erase a live one.
    if (const auto found = m_sessions.find(id); found != m_sessions.end() && found->second.get() == &session) {
        m_sessions.erase(found);
    }
}

void BlobStore::discard_upload(const std::string& id, Session& session) {
    ::unlink(upload_path(id).c_str());
    end_session(id, session);
}

BlobStore::Appender BlobStore::append(const std::string& id, std::optional<std::uint64_t> expected_offset) {
    const std::shared_ptr<Session> session = session_for(id);
    std::lock_guard lock(session->mutex);
    if (session->ended) throw unknown_upload(id);
    if (session->appending) {
        throw BlobStoreError(BlobStoreError::Kind::offset_mismatch,
                             "blob upload '" + id + "' is already being written by another request");
    }
    const fs::path path = upload_path(id);
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!fd) {
        if (errno != ENOENT) throw io_error("open", path, errno);
        end_session(id, *session);
        throw unknown_upload(id);
    }
    const std::uint64_t size = file_size(fd.get(), path);
    if (expected_offset && *expected_offset != size) {
        throw BlobStoreError(BlobStoreError::Kind::offset_mismatch,
                             "blob upload '" + id + "' has " + std::to_string(size) + " bytes, not " +
                                 std::to_string(*expected_offset));
    }
    if (session->hasher.bytes_hashed() != size) session->in_sync = false;
    session->appending = true;
    return Appender(session, id, fd.release(), size);
}

std::uint64_t BlobStore::commit(const std::string& id, const std::string& digest,
                                std::optional<std::uint64_t> expected_size) {
    const std::shared_ptr<Session> session = session_for(id);
    // A malformed digest is the client's typo, not a failed verification: the upload survives it.
    if (!valid_digest(digest)) {
        throw BlobStoreError(BlobStoreError::Kind::digest_mismatch,
                             "'" + digest + "' is not a digest of the form sha256:<64 lower-case hex digits>");
    }
    std::lock_guard lock(session->mutex);
    if (session->ended) throw unknown_upload(id);
    if (session->appending) {
        throw BlobStoreError(BlobStoreError::Kind::offset_mismatch,
                             "blob upload '" + id + "' cannot complete while another request writes to it");
    }
    const fs::path path = upload_path(id);
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno != ENOENT) throw io_error("open", path, errno);
        end_session(id, *session);
        throw unknown_upload(id);
    }
    const std::uint64_t size = file_size(fd.get(), path);
    if (expected_size && *expected_size != size) {
        discard_upload(id, *session);
        throw BlobStoreError(BlobStoreError::Kind::size_mismatch,
                             "blob upload '" + id + "' has " + std::to_string(size) + " bytes, not the " +
                                 std::to_string(*expected_size) + " declared");
    }
    const bool hash_current = session->in_sync && session->hasher.bytes_hashed() == size;
    // A copy, so a failed publish leaves a session that can still be committed again.
    const std::string actual =
        std::string(k_digest_prefix) + util::to_hex(hash_current ? util::Sha256(session->hasher).finish()
                                                                  : hash_file(fd.get(), path));
    if (actual != digest) {
        discard_upload(id, *session);
        throw BlobStoreError(BlobStoreError::Kind::digest_mismatch,
                             "blob upload '" + id + "' has digest " + actual + ", not " + digest);
    }
    publish(path, digest);
    end_session(id, *session);
    return size;
}

void BlobStore::cancel(const std::string& id) {
    const std::shared_ptr<Session> session = find_session(id);
    if (!session) return;
    std::lock_guard lock(session->mutex);
    if (!session->ended) discard_upload(id, *session);
}

std::size_t BlobStore::sweep_uploads(fs::file_time_type cutoff) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(m_root / "uploads")) files.push_back(entry.path());

    std::size_t swept = 0;
    for (const fs::path& file : files) {
        const std::string name = file.filename().string();
        if (valid_upload_id(name)) {
            swept += sweep_upload(name, cutoff) ? 1 : 0;
            continue;
        }
        // Not an upload: a temporary file of a put() that died before its rename.
        std::error_code error;
        const fs::file_time_type written = fs::last_write_time(file, error);
        if (!error && written < cutoff) fs::remove(file, error);
    }
    return swept;
}

bool BlobStore::sweep_upload(const std::string& id, fs::file_time_type cutoff) {
    const std::shared_ptr<Session> session = find_session(id);
    if (!session) return false;
    std::lock_guard lock(session->mutex);
    // An open Appender is a request streaming right now, however old its last byte.
    if (session->ended || session->appending) return false;
    std::error_code error;
    const fs::file_time_type written = fs::last_write_time(upload_path(id), error);
    if (error || written >= cutoff) return false;
    discard_upload(id, *session);
    return true;
}

// ---- Appender ----

BlobStore::Appender::Appender(std::shared_ptr<Session> session, std::string id, int fd, std::uint64_t size)
    : m_session(std::move(session)), m_id(std::move(id)), m_fd(fd), m_size(size) {}

BlobStore::Appender::Appender(Appender&& other) noexcept
    : m_session(std::move(other.m_session)),
      m_id(std::move(other.m_id)),
      m_fd(std::exchange(other.m_fd, -1)),
      m_size(other.m_size) {}

BlobStore::Appender::~Appender() {
    if (m_fd >= 0) ::close(m_fd);
    if (m_session) {
        std::lock_guard lock(m_session->mutex);
        m_session->appending = false;
    }
}

void BlobStore::Appender::write(std::string_view bytes) {
    if (!m_session) throw BlobStoreError(BlobStoreError::Kind::io, "blob upload appender was moved from");
    std::lock_guard lock(m_session->mutex);
    if (m_session->ended) {
        throw BlobStoreError(BlobStoreError::Kind::io, "blob upload '" + m_id + "' ended while being written");
    }
    if (const int error = write_all(m_fd, bytes)) {
        // Part of the bytes may be in the file but not in the hash: commit must rehash.
        m_session->in_sync = false;
        if (struct stat status {}; ::fstat(m_fd, &status) == 0) m_size = static_cast<std::uint64_t>(status.st_size);
        throw BlobStoreError(BlobStoreError::Kind::io,
                             "blob store: cannot write to upload '" + m_id + "': " + std::strerror(error));
    }
    if (m_session->in_sync) m_session->hasher.update(bytes);
    m_size += bytes.size();
}

std::uint64_t BlobStore::Appender::size() const { return m_size; }

}  // namespace ecsbox::registry
