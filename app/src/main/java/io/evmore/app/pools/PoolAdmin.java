package io.evmore.app.pools;

import io.evmore.app.health.HealthCheck;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The connection pools as the admin API and /health see them. */
public interface PoolAdmin extends AutoCloseable {
    void start() throws Exception;

    Object status();

    Object drain(Duration timeout);

    Object refresh();

    HealthCheck.Result health();

    @Override
    void close();

    /** No chains configured: empty answers, healthy. */
    static PoolAdmin none() {
        return new PoolAdmin() {
            @Override
            public void start() {}

            @Override
            public Object status() {
                return Map.of("pools", List.of());
            }

            @Override
            public Object drain(Duration timeout) {
                return Map.of("drained", List.of(), "note", "no chain pools are configured");
            }

            @Override
            public Object refresh() {
                return Map.of("refreshed", List.of(), "note", "no chain pools are configured");
            }

            @Override
            public HealthCheck.Result health() {
                return HealthCheck.Result.up("no chain pools configured");
            }

            @Override
            public void close() {}
        };
    }
}
