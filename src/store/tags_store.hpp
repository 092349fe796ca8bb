#pragma once
// Tags of any resource, keyed by its ARN, kept in the order their keys were first set (the order
// AWS lists them in). Thread-safe through the Database lock.
#include <string>
#include <utility>
#include <vector>

#include "store/db.hpp"

namespace ecsbox::store {

using TagList = std::vector<std::pair<std::string, std::string>>;

class TagsStore {
public:
    explicit TagsStore(Database& db) : m_db(db) {}

    TagList list(const std::string& resource_arn);
    std::size_t count(const std::string& resource_arn);
    // Adds tags or overwrites the values of existing keys.
    void put(const std::string& resource_arn, const TagList& tags);
    void remove(const std::string& resource_arn, const std::vector<std::string>& keys);
    void remove_all(const std::string& resource_arn);

private:
    Database& m_db;
};

}  // namespace ecsbox::store
