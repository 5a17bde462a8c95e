package io.evmore.app.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Named component checks behind /health and evmore_health_status. A check that throws or takes longer than
 * the timeout counts as down, so a hung database cannot hang the health endpoint.
 */
public final class HealthRegistry {
    private final Map<String, HealthCheck> checks = new ConcurrentHashMap<>();
    private final long timeoutMillis;

    public HealthRegistry(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    public void register(String component, HealthCheck check) {
        checks.put(component, check);
    }

    public void unregister(String component) {
        checks.remove(component);
    }

    public record Report(boolean up, Map<String, HealthCheck.Result> components) {}

    public Report check() {
        Map<String, HealthCheck.Result> results = new LinkedHashMap<>();
        // Not try-with-resources: close() would wait for a hung check; shutdownNow() abandons it.
        var pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Map<String, Future<HealthCheck.Result>> futures = new LinkedHashMap<>();
            checks.keySet().stream().sorted().forEach(name -> futures.put(name, pool.submit(() -> checks.get(name).check())));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            for (var e : futures.entrySet()) {
                HealthCheck.Result r;
                try {
                    r = e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException t) {
                    e.getValue().cancel(true);
                    r = HealthCheck.Result.down("check timed out after " + timeoutMillis + " ms");
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    r = HealthCheck.Result.down("interrupted");
                } catch (Exception ex) {
                    Throwable cause = ex.getCause() == null ? ex : ex.getCause();
                    r = HealthCheck.Result.down(cause.getClass().getSimpleName() + ": " + cause.getMessage());
                }
                results.put(e.getKey(), r == null ? HealthCheck.Result.down("no result") : r);
            }
        } finally {
            pool.shutdownNow();
        }
        boolean up = results.values().stream().allMatch(HealthCheck.Result::up);
        return new Report(up, results);
    }
}
