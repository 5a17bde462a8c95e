package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * A connection whose rollback failed may still hold an open transaction (on SQLite: the write lock): the store evicts
 * it from the pool instead of lending it again. Physical connections are wrapped so that ROLLBACK can be made to fail
 * and each one's use and closing is seen.
 */
class RollbackFailureEvictionIT {
    @TempDir
    Path dir;

    private final AtomicBoolean failRollback = new AtomicBoolean();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger lastUsed = new AtomicInteger(-1);
    private final Set<Integer> closed = new CopyOnWriteArraySet<>();

    @Test
    void aConnectionWhoseRollbackFailedIsNeverLentAgain() throws Exception {
        Path file = dir.resolve("evmore.db");
        SwapStores.open(DatabaseSettings.sqlite(file)).close(); // schema
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(2_000);
        SQLiteDataSource sqlite = new SQLiteDataSource(config);
        sqlite.setUrl("jdbc:sqlite:" + file);

        HikariConfig hc = new HikariConfig();
        hc.setDataSource(wrapping(sqlite));
        hc.setMaximumPoolSize(1); // one connection: a broken one kept in the pool would be lent to the next caller
        hc.setAutoCommit(true);
        try (JdbcSwapStore store = new JdbcSwapStore(new HikariDataSource(hc), SqlDialect.SQLITE, "sqlite:test", null, file)) {
            store.run(tx -> tx.find("warm-up"));
            int first = lastUsed.get();

            failRollback.set(true);
            assertThatThrownBy(() -> store.run(tx -> {
                tx.find("x");
                throw new IllegalStateException("work failed");
            })).hasMessage("work failed").satisfies(e -> assertThat(e.getSuppressed()).as("the rollback failure")
                    .anySatisfy(s -> assertThat(s.getMessage()).contains("rollback")));
            failRollback.set(false);
            assertThat(lastUsed.get()).isEqualTo(first);

            // the next transaction runs on a new physical connection, and the broken one is closed
            store.run(tx -> tx.find("after"));
            assertThat(lastUsed.get()).as("connection used after the failed rollback").isNotEqualTo(first);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!closed.contains(first) && System.nanoTime() < until) Thread.sleep(10);
            assertThat(closed).as("physical connections closed").contains(first);
        }
    }

    private DataSource wrapping(SQLiteDataSource real) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("getConnection")) return connection(real.getConnection(), opened.getAndIncrement());
                    if (m.getName().equals("getParentLogger")) return Logger.getGlobal();
                    if (m.getName().equals("getLogWriter")) return (PrintWriter) null;
                    return invoke(real, m, args);
                });
    }

    private Connection connection(Connection real, int n) {
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "createStatement" -> {
                            lastUsed.set(n);
                            return statement((Statement) invoke(real, m, args));
                        }
                        case "prepareStatement" -> lastUsed.set(n);
                        case "close" -> closed.add(n);
                        default -> { }
                    }
                    return invoke(real, m, args);
                });
    }

    private Statement statement(Statement real) {
        return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Statement.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("execute") && args != null && "ROLLBACK".equals(args[0]) && failRollback.get()) {
                        throw new SQLException("disk I/O error (injected by the test)", "58030");
                    }
                    return invoke(real, m, args);
                });
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
