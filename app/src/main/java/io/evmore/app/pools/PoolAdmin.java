package io.evmore.app.pools;

import io.evmore.app.health.HealthCheck;
import java.time.Duration;

/** The connection pools as the admin API and /health see them. */
public interface PoolAdmin extends AutoCloseable {
    void start() throws Exception;

    Object status();

    Object drain(Duration timeout);

    Object refresh();

    HealthCheck.Result health();

    @Override
    void close();
}
