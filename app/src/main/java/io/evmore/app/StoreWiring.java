package io.evmore.app;

import io.evmore.app.config.RelayerConfig;
import io.evmore.core.port.Clock;
import io.evmore.core.port.SwapStore;
import io.evmore.store.DatabaseSettings;
import io.evmore.store.JdbcSwapStore;
import io.evmore.store.RetentionJob;
import java.nio.file.Path;
import java.time.Duration;

/** The store and its retention job, built from the database section of the configuration. */
final class StoreWiring implements AutoCloseable {
    private final JdbcSwapStore store;
    private RetentionJob retention;
    private AutoCloseable lease;

    private StoreWiring(JdbcSwapStore store) {
        this.store = store;
    }

    static StoreWiring open(RelayerConfig c) {
        return open(c, null);
    }

    /** @param secretPassword the {@code database-password} secret from the provider; when set it overrides database.password and the URL's */
    static StoreWiring open(RelayerConfig c, String secretPassword) {
        RelayerConfig.Database db = c.database();
        String password = secretPassword != null && !secretPassword.isEmpty() ? secretPassword : db.password();
        DatabaseSettings settings = new DatabaseSettings(db.url(), Path.of(db.path()), null, password, db.maxConnections());
        return new StoreWiring(io.evmore.store.SwapStores.open(settings));
    }

    /**
     * Only one relayer process may drive one database (and so one set of keys): a lease held until close —
     * PostgreSQL advisory lock, SQLite lock file. A second process is refused here with a clear message.
     */
    synchronized void acquireLease() {
        lease = store.acquireLease("relayer");
    }

    SwapStore store() {
        return store;
    }

    boolean ping() {
        return store.ping();
    }

    String describe() {
        return store.describe();
    }

    synchronized void startRetention(RelayerConfig c, Clock clock) {
        retention = new RetentionJob(store, clock, Duration.ofDays(c.database().retentionDays()),
                Duration.ofMinutes(c.database().cleanupIntervalMinutes()));
        retention.start();
    }

    /** Reload: a new retention period or interval takes effect by replacing the job. */
    synchronized void reconfigureRetention(RelayerConfig c, Clock clock) {
        if (retention != null && retention.retention().equals(Duration.ofDays(c.database().retentionDays()))
                && retention.interval().equals(Duration.ofMinutes(c.database().cleanupIntervalMinutes()))) {
            return;
        }
        stopRetention();
        startRetention(c, clock);
    }

    synchronized void stopRetention() {
        if (retention != null) retention.close();
        retention = null;
    }

    @Override
    public void close() {
        stopRetention();
        if (lease != null) {
            try {
                lease.close();
            } catch (Exception e) {
                // the process exit releases it anyway
            }
        }
        store.close();
    }
}
