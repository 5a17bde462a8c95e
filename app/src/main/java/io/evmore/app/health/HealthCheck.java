package io.evmore.app.health;

import java.util.Map;

/** One component's readiness, e.g. the database or a chain's connection pool. */
@FunctionalInterface
public interface HealthCheck {

    record Result(boolean up, String detail, Map<String, Object> data) {
        public static Result up(String detail) {
            return new Result(true, detail, Map.of());
        }

        public static Result down(String detail) {
            return new Result(false, detail, Map.of());
        }
    }

    Result check();
}
