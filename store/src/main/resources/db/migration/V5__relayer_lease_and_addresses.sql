-- Replicas (issue 18). Portable for SQLite and PostgreSQL.

-- The lease that lets exactly one process drive the swaps and sign with the relayer's keys. One row per lease name
-- ('relayer'). epoch grows by one at every takeover; every write of a lease holder first reads this row in the same
-- transaction (FOR SHARE on PostgreSQL) and fails unless epoch is still its own and expires_at has not passed by the
-- database's clock, so a deposed process can change nothing. On PostgreSQL the holder renews expires_at every few
-- seconds from its own session, which also holds an advisory lock named after (name, epoch): when that session ends
-- (the process died) the lease can be taken at once, otherwise only after expires_at. On SQLite the lock file beside
-- the database is the lease (one machine); the row still counts epochs. Times: timestamptz on PostgreSQL, epoch
-- milliseconds on SQLite (NULL = none).
CREATE TABLE relayer_lease (
    name           VARCHAR(64)  NOT NULL PRIMARY KEY,
    epoch          BIGINT       NOT NULL,
    holder_id      VARCHAR(64),
    holder_host    VARCHAR(255),
    holder_pid     BIGINT,
    holder_started TIMESTAMP WITH TIME ZONE,
    acquired_at    TIMESTAMP WITH TIME ZONE,
    renewed_at     TIMESTAMP WITH TIME ZONE,
    expires_at     TIMESTAMP WITH TIME ZONE
);

-- The relayer's signing addresses the swaps in this database belong to (chain id -> address), recorded by the first
-- lease holder: a process started with other keys is refused, since the open intents and funds here are the other
-- keys'.
CREATE TABLE relayer_addresses (
    chain       VARCHAR(64)  NOT NULL PRIMARY KEY,
    address     VARCHAR(255) NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL
);
