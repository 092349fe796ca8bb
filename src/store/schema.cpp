#include "store/schema.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace ecsbox::store {

namespace {

// Append only: a released migration is never edited, so every database replays the same history.
const std::vector<std::string> k_migrations = {
    // 1: the ECS control plane
    R"sql(
    CREATE TABLE clusters (
        arn        TEXT PRIMARY KEY,
        account    TEXT NOT NULL,
        region     TEXT NOT NULL,
        name       TEXT NOT NULL,
        status     TEXT NOT NULL,
        body       TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE TABLE task_definition_families (
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        family        TEXT NOT NULL,
        last_revision INTEGER NOT NULL,
        PRIMARY KEY (account, region, family)
    );
    CREATE TABLE task_definitions (
        arn                 TEXT PRIMARY KEY,
        account             TEXT NOT NULL,
        region              TEXT NOT NULL,
        family              TEXT NOT NULL,
        revision            INTEGER NOT NULL,
        status              TEXT NOT NULL,
        body                TEXT NOT NULL,
        registered_at       REAL NOT NULL,
        deregistered_at     REAL,
        delete_requested_at REAL,
        UNIQUE (account, region, family, revision)
    );
    CREATE INDEX task_definitions_by_status ON task_definitions (account, region, status, family, revision);
    CREATE TABLE tags (
        resource_arn TEXT NOT NULL,
        key          TEXT NOT NULL,
        value        TEXT NOT NULL,
        position     INTEGER NOT NULL,
        PRIMARY KEY (resource_arn, key)
    );
    CREATE TABLE account_settings (
        account       TEXT NOT NULL,
        region        TEXT NOT NULL,
        principal_arn TEXT NOT NULL,
        name          TEXT NOT NULL,
        value         TEXT NOT NULL,
        PRIMARY KEY (account, region, principal_arn, name)
    );
    )sql",
    // 2: tasks and the container instances they run on
    R"sql(
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE container_instances (
        arn          TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        cluster_arn  TEXT NOT NULL,
        status       TEXT NOT NULL,
        body         TEXT NOT NULL,
        registered_at REAL NOT NULL
    );
    CREATE INDEX container_instances_by_cluster ON container_instances (cluster_arn, status);
    CREATE TABLE attributes (
        cluster_arn TEXT NOT NULL,
        target_type TEXT NOT NULL,
        target_id   TEXT NOT NULL,
        name        TEXT NOT NULL,
        value       TEXT,
        PRIMARY KEY (cluster_arn, target_id, name)
    );
    CREATE TABLE tasks (
        arn                    TEXT PRIMARY KEY,
        account                TEXT NOT NULL,
        region                 TEXT NOT NULL,
        cluster_arn            TEXT NOT NULL,
        task_definition_arn    TEXT NOT NULL,
        family                 TEXT NOT NULL,
        container_instance_arn TEXT,
        started_by             TEXT,
        service_name           TEXT,
        launch_type            TEXT NOT NULL,
        last_status            TEXT NOT NULL,
        desired_status         TEXT NOT NULL,
        stop_code              TEXT,
        stopped_reason         TEXT,
        version                INTEGER NOT NULL,
        created_at             REAL NOT NULL,
        stopped_at             REAL,
        body                   TEXT NOT NULL
    );
    CREATE INDEX tasks_by_cluster ON tasks (cluster_arn, desired_status);
    CREATE TABLE engines (
        name           TEXT PRIMARY KEY,
        runtime        TEXT NOT NULL,
        cpu_units      INTEGER NOT NULL,
        memory_mib     INTEGER NOT NULL,
        docker_version TEXT NOT NULL,
        connected      INTEGER NOT NULL,
        updated_at     REAL NOT NULL
    );
    CREATE INDEX tasks_unfinished ON tasks (last_status) WHERE last_status <> 'STOPPED';
    )sql",
    // 3: ECR repositories, images and the registry's bookkeeping. Repository ids never repeat
    // (AUTOINCREMENT), so an id held across a delete and a re-create cannot reach the new one.
    // Everything below a repository goes with it through ON DELETE CASCADE.
    R"sql(
    CREATE TABLE ecr_repositories (
        id                          INTEGER PRIMARY KEY AUTOINCREMENT,
        account                     TEXT NOT NULL,
        region                      TEXT NOT NULL,
        name                        TEXT NOT NULL,
        arn                         TEXT NOT NULL,
        created_at                  REAL NOT NULL,
        body                        TEXT NOT NULL,
        policy                      TEXT,
        lifecycle_policy            TEXT,
        lifecycle_policy_updated_at REAL,
        lifecycle_evaluated_at      REAL,
        UNIQUE (account, region, name)
    );
    CREATE TABLE ecr_images (
        repository_id       INTEGER NOT NULL REFERENCES ecr_repositories (id) ON DELETE CASCADE,
        digest              TEXT NOT NULL,
        manifest            TEXT NOT NULL,
        media_type          TEXT NOT NULL,
        artifact_media_type TEXT NOT NULL,
        size                INTEGER NOT NULL,
        pushed_at           REAL NOT NULL,
        last_pull_at        REAL,
        PRIMARY KEY (repository_id, digest)
    );
    CREATE INDEX ecr_images_by_digest ON ecr_images (digest);
    CREATE TABLE ecr_image_tags (
        repository_id INTEGER NOT NULL,
        tag           TEXT NOT NULL,
        digest        TEXT NOT NULL,
        PRIMARY KEY (repository_id, tag),
        FOREIGN KEY (repository_id, digest) REFERENCES ecr_images (repository_id, digest) ON DELETE CASCADE
    );
    CREATE INDEX ecr_image_tags_by_digest ON ecr_image_tags (repository_id, digest);
    CREATE TABLE ecr_image_blobs (
        repository_id INTEGER NOT NULL,
        image_digest  TEXT NOT NULL,
        blob_digest   TEXT NOT NULL,
        PRIMARY KEY (repository_id, image_digest, blob_digest),
        FOREIGN KEY (repository_id, image_digest) REFERENCES ecr_images (repository_id, digest) ON DELETE CASCADE
    );
    CREATE INDEX ecr_image_blobs_by_blob ON ecr_image_blobs (blob_digest, repository_id);
    CREATE TABLE ecr_repository_blobs (
        repository_id INTEGER NOT NULL REFERENCES ecr_repositories (id) ON DELETE CASCADE,
        digest        TEXT NOT NULL,
        size          INTEGER NOT NULL,
        linked_at     REAL NOT NULL,
        PRIMARY KEY (repository_id, digest)
    );
    CREATE INDEX ecr_repository_blobs_by_digest ON ecr_repository_blobs (digest, linked_at);
    CREATE TABLE ecr_uploads (
        id            TEXT PRIMARY KEY,
        repository_id INTEGER NOT NULL REFERENCES ecr_repositories (id) ON DELETE CASCADE,
        started_at    REAL NOT NULL
    );
    CREATE INDEX ecr_uploads_by_repository ON ecr_uploads (repository_id);
    )sql",
    // 4: idempotency tokens of requests that create things (RunTask's clientToken)
    R"sql(
    CREATE TABLE client_tokens (
        account    TEXT NOT NULL,
        region     TEXT NOT NULL,
        operation  TEXT NOT NULL,
        token      TEXT NOT NULL,
        request    TEXT NOT NULL,
        response   TEXT NOT NULL,
        created_at REAL NOT NULL,
        PRIMARY KEY (account, region, operation, token)
    );
    CREATE INDEX client_tokens_by_age ON client_tokens (created_at);
    )sql",
    // 5: services, their deployments and events. A service task's stop is accounted for once by
    // the service scheduler (failed tasks, replacement), which `service_accounted` remembers.
    R"sql(
    CREATE TABLE services (
        arn                 TEXT PRIMARY KEY,
        account             TEXT NOT NULL,
        region              TEXT NOT NULL,
        cluster_arn         TEXT NOT NULL,
        name                TEXT NOT NULL,
        status              TEXT NOT NULL,
        desired_count       INTEGER NOT NULL,
        scheduling_strategy TEXT NOT NULL,
        launch_type         TEXT NOT NULL,
        body                TEXT NOT NULL,
        created_at          REAL NOT NULL,
        updated_at          REAL NOT NULL,
        inactive_at         REAL
    );
    CREATE INDEX services_by_cluster ON services (cluster_arn, status);
    CREATE TABLE service_deployments (
        id                   TEXT PRIMARY KEY,
        arn                  TEXT NOT NULL UNIQUE,
        service_arn          TEXT NOT NULL,
        status               TEXT NOT NULL,
        task_definition_arn  TEXT NOT NULL,
        rollout_state        TEXT NOT NULL,
        rollout_state_reason TEXT NOT NULL,
        failed_tasks         INTEGER NOT NULL,
        body                 TEXT NOT NULL,
        created_at           REAL NOT NULL,
        updated_at           REAL NOT NULL,
        finished_at          REAL
    );
    CREATE INDEX service_deployments_by_service ON service_deployments (service_arn, created_at);
    CREATE TABLE service_events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        service_arn TEXT NOT NULL,
        id          TEXT NOT NULL,
        created_at  REAL NOT NULL,
        message     TEXT NOT NULL
    );
    CREATE INDEX service_events_by_service ON service_events (service_arn, seq);
    ALTER TABLE tasks ADD COLUMN service_accounted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN health_status TEXT NOT NULL DEFAULT 'UNKNOWN';
    ALTER TABLE tasks ADD COLUMN health_checked INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN started_at REAL;
    CREATE INDEX tasks_on_instance ON tasks (container_instance_arn) WHERE last_status <> 'STOPPED';
    CREATE INDEX tasks_moving ON tasks (created_at)
        WHERE last_status <> 'STOPPED' AND NOT (last_status = 'RUNNING' AND desired_status = 'RUNNING');
    CREATE INDEX tasks_by_service ON tasks (cluster_arn, service_name);
    )sql",
    // 6: what placement and the service scheduler count, kept out of the task documents: a
    // task's reservation and group in columns, and indexes that cover the counts, so tallying
    // thousands of tasks reads an index alone.
    R"sql(
    ALTER TABLE tasks ADD COLUMN reserved_cpu INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN reserved_memory INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tasks ADD COLUMN task_group TEXT NOT NULL DEFAULT '';
    UPDATE tasks SET reserved_cpu = CAST(coalesce(json_extract(body, '$.cpu'), '0') AS INTEGER),
                     reserved_memory = CAST(coalesce(json_extract(body, '$.memory'), '0') AS INTEGER),
                     task_group = coalesce(json_extract(body, '$.group'), '');
    DROP INDEX tasks_on_instance;
    CREATE INDEX tasks_on_instance ON tasks (container_instance_arn, task_group, desired_status, last_status,
                                             reserved_cpu, reserved_memory) WHERE last_status <> 'STOPPED';
    DROP INDEX tasks_by_service;
    CREATE INDEX tasks_by_service ON tasks (cluster_arn, service_name, last_status, desired_status, started_by,
                                            container_instance_arn, health_status, health_checked, started_at);
    )sql",
    // 7: ELBv2. A listener's and a rule's forwarding targets are rows of their own, so which
    // load balancers use a target group is a query and a group in use cannot be deleted. A
    // deregistered target stays, draining, for its group's deregistration delay (as ELB shows
    // it, even when it had nothing in flight); its health is what the balancer last reported.
    R"sql(
    CREATE TABLE elb_load_balancers (
        arn          TEXT PRIMARY KEY,
        account      TEXT NOT NULL,
        region       TEXT NOT NULL,
        name         TEXT NOT NULL,
        state        TEXT NOT NULL,
        state_reason TEXT NOT NULL,
        body         TEXT NOT NULL,
        attributes   TEXT NOT NULL,
        created_at   REAL NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE TABLE elb_listeners (
        arn               TEXT PRIMARY KEY,
        load_balancer_arn TEXT NOT NULL REFERENCES elb_load_balancers (arn) ON DELETE CASCADE,
        port              INTEGER NOT NULL,
        local_port        INTEGER NOT NULL,
        body              TEXT NOT NULL,
        created_at        REAL NOT NULL,
        UNIQUE (load_balancer_arn, port)
    );
    CREATE TABLE elb_rules (
        arn          TEXT PRIMARY KEY,
        listener_arn TEXT NOT NULL REFERENCES elb_listeners (arn) ON DELETE CASCADE,
        priority     INTEGER,
        body         TEXT NOT NULL,
        created_at   REAL NOT NULL,
        UNIQUE (listener_arn, priority)
    );
    CREATE TABLE elb_target_groups (
        arn        TEXT PRIMARY KEY,
        account    TEXT NOT NULL,
        region     TEXT NOT NULL,
        name       TEXT NOT NULL,
        body       TEXT NOT NULL,
        attributes TEXT NOT NULL,
        created_at REAL NOT NULL,
        UNIQUE (account, region, name)
    );
    CREATE TABLE elb_rule_target_groups (
        rule_arn         TEXT NOT NULL REFERENCES elb_rules (arn) ON DELETE CASCADE,
        target_group_arn TEXT NOT NULL REFERENCES elb_target_groups (arn),
        PRIMARY KEY (rule_arn, target_group_arn)
    );
    CREATE INDEX elb_rule_target_groups_by_group ON elb_rule_target_groups (target_group_arn);
    CREATE TABLE elb_targets (
        target_group_arn  TEXT NOT NULL REFERENCES elb_target_groups (arn) ON DELETE CASCADE,
        id                TEXT NOT NULL,
        port              INTEGER NOT NULL,
        availability_zone TEXT,
        registered        INTEGER NOT NULL,
        state             TEXT NOT NULL,
        reason            TEXT NOT NULL,
        description       TEXT NOT NULL,
        registered_at     REAL NOT NULL,
        deregistered_at   REAL,
        PRIMARY KEY (target_group_arn, id, port)
    );
    )sql",
    // 8: a service task behind a load balancer keeps running, asked to stop, until its targets
    // have drained or this time has passed.
    R"sql(
    ALTER TABLE tasks ADD COLUMN stop_after REAL;
    )sql",
};

int current_version(Database& db) {
    auto guard = db.lock();
    auto query = db.prepare("PRAGMA user_version");
    query->step();
    return static_cast<int>(query->int64(0));
}

}  // namespace

int latest_schema_version() { return static_cast<int>(k_migrations.size()); }

void migrate(Database& db) { migrate(db, latest_schema_version()); }

void migrate(Database& db, int up_to) {
    auto guard = db.lock();
    const int version = current_version(db);
    if (version > latest_schema_version())
        throw SchemaTooNewError("the data directory was written by a newer ecsbox (schema version " +
                                std::to_string(version) + ", this build knows up to " +
                                std::to_string(latest_schema_version()) + ")");
    for (int next = version + 1; next <= std::min(up_to, latest_schema_version()); ++next) {
        Transaction tx(db);
        db.exec(k_migrations[static_cast<std::size_t>(next - 1)]);
        db.exec("PRAGMA user_version = " + std::to_string(next));
        tx.commit();
    }
}

}  // namespace ecsbox::store
