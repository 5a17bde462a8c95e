package io.evmore.app;

import io.evmore.app.config.RelayerConfig;
import io.evmore.core.port.Clock;
import io.evmore.core.port.SwapStore;
import io.evmore.store.DatabaseLease;
import io.evmore.store.DatabaseSettings;
import io.evmore.store.JdbcSwapStore;
import io.evmore.store.LeaseHolder;
import io.evmore.store.LeaseSettings;
import io.evmore.store.RetentionJob;
import io.evmore.store.SwapStores;
import java.nio.file.Path;
import java.time.Duration;

/** The store, its lease and its retention job, built from the database section of the configuration. */
final class StoreWiring implements AutoCloseable {
    private final JdbcSwapStore store;
    private RetentionJob retention;
    /** What the retention job deletes through: the store fenced by the current lease. */
    private SwapStore retentionStore;

    private StoreWiring(JdbcSwapStore store) {
        this.store = store;
    }

    static StoreWiring open(RelayerConfig c) {
        return open(c, null);
    }

    /** @param secretPassword the {@code database-password} secret from the provider; when set it overrides database.password and the URL's */
    static StoreWiring open(RelayerConfig c, String secretPassword) {
        return new StoreWiring(SwapStores.open(settings(c, secretPassword)));
    }

    private static DatabaseSettings settings(RelayerConfig c, String secretPassword) {
        RelayerConfig.Database db = c.database();
        String password = secretPassword != null && !secretPassword.isEmpty() ? secretPassword : db.password();
        return new DatabaseSettings(db.url(), Path.of(db.path()), null, password, db.maxConnections());
    }

    /**
     * SQLite: only one relayer process may drive one database file (and so one set of keys). Its lock file is taken
     * before the database is opened, so a second process is refused having changed nothing, naming the holder.
     */
    static DatabaseLease lockSqlite(RelayerConfig c) {
        return SwapStores.lockSqlite(Path.of(c.database().path()), Leadership.LEASE, LeaseHolder.thisProcess());
    }

    /** SQLite: the database's lease row counts this holder's epoch. */
    DatabaseLease startTerm(DatabaseLease lock) {
        return store.startTerm(lock);
    }

    /**
     * PostgreSQL: one attempt to take the lease (free, expired, or its holder's session gone).
     *
     * @throws io.evmore.store.LeaseHeldException naming the holder
     */
    DatabaseLease acquireLease(LeaseSettings settings) {
        return store.acquireLease(Leadership.LEASE, settings, LeaseHolder.thisProcess());
    }

    /** The store as the holder of {@code lease} writes it: every transaction checks the lease's epoch first. */
    SwapStore fencedBy(DatabaseLease lease) {
        return store.fencedBy(lease);
    }

    /** The unfenced store: reads (admin views, gauges) and the lease's own checks. */
    SwapStore store() {
        return store;
    }

    JdbcSwapStore jdbc() {
        return store;
    }

    boolean ping() {
        return store.ping();
    }

    String describe() {
        return store.describe();
    }

    /** Starts the retention job deleting through {@code fenced} (only the lease holder deletes). */
    synchronized void startRetention(RelayerConfig c, Clock clock, SwapStore fenced) {
        stopRetention();
        retentionStore = fenced;
        retention = new RetentionJob(fenced, clock, Duration.ofDays(c.database().retentionDays()),
                Duration.ofMinutes(c.database().cleanupIntervalMinutes()));
        retention.start();
    }

    /** Reload: a new retention period or interval takes effect by replacing the job (if one runs: only on the leader). */
    synchronized void reconfigureRetention(RelayerConfig c, Clock clock) {
        if (retention == null) return;
        if (retention.retention().equals(Duration.ofDays(c.database().retentionDays()))
                && retention.interval().equals(Duration.ofMinutes(c.database().cleanupIntervalMinutes()))) {
            return;
        }
        startRetention(c, clock, retentionStore);
    }

    synchronized void stopRetention() {
        if (retention != null) retention.close();
        retention = null;
    }

    /** Stops retention and closes the store, which releases a lease still held. */
    @Override
    public void close() {
        stopRetention();
        store.close();
    }
}
