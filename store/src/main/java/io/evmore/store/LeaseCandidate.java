package io.evmore.store;

import io.evmore.core.error.PermanentException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;

/**
 * A process that wants a PostgreSQL lease and asks for it as often as it likes (a standby polls): every
 * {@link #tryAcquire()} is one takeover transaction on this candidate's own session, which becomes the lease's session
 * when it wins. Not thread-safe: one candidate per waiting thread.
 */
public final class LeaseCandidate implements AutoCloseable {
    private final JdbcSwapStore store;
    private final String name;
    private final LeaseSettings settings;
    private final LeaseHolder holder;
    private Connection connection;

    LeaseCandidate(JdbcSwapStore store, String name, LeaseSettings settings, LeaseHolder holder) {
        this.store = store;
        this.name = name;
        this.settings = Objects.requireNonNull(settings, "settings");
        this.holder = Objects.requireNonNull(holder, "holder");
    }

    /**
     * Takes the lease if it is free, expired by the database's clock, or its holder's session has ended.
     *
     * @throws LeaseHeldException naming the holder, when it is held (try again later)
     * @throws io.evmore.core.error.TransientException when the database cannot be reached now
     */
    public DatabaseLease tryAcquire() {
        if (store.isClosed()) throw new PermanentException("store: " + store.describe() + " is closed");
        try {
            if (connection == null || connection.isClosed()) connection = store.openDedicatedConnection();
        } catch (SQLException e) {
            connection = null;
            throw store.translate(e, "acquire lease '" + name + "' (connect)");
        }
        try {
            DatabaseLease lease = DatabaseLease.takeOverPostgres(name, store.describe(), connection, holder, settings);
            connection = null; // the lease's session now
            return store.adopt(lease);
        } catch (LeaseHeldException e) {
            throw e;
        } catch (SQLException e) {
            closeConnection();
            throw store.translate(e, "acquire lease '" + name + "'");
        } catch (RuntimeException e) {
            closeConnection();
            throw e;
        }
    }

    private void closeConnection() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the session ends either way
        }
        connection = null;
    }

    @Override
    public void close() {
        closeConnection();
    }
}
