-- The operator's pause of intake (POST /admin/services/pause), kept in the database so that it outlives the process:
-- a restarted relayer, or a standby that takes the lease over, starts paused until someone resumes. One row
-- ('intake') once anyone paused or resumed; written only by the lease holder (fenced). Portable for SQLite and
-- PostgreSQL; times as in V5.
CREATE TABLE relayer_intake (
    name       VARCHAR(64)  NOT NULL PRIMARY KEY,
    paused     BOOLEAN      NOT NULL,
    reason     VARCHAR(512) NOT NULL,
    changed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    changed_by VARCHAR(255) NOT NULL
);
