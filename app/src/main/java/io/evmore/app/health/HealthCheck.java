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

        /** Ready, but something needs an operator's attention: /health stays 200 and says DEGRADED. */
        public static Result degraded(String detail, Map<String, Object> data) {
            java.util.Map<String, Object> d = new java.util.LinkedHashMap<>(data);
            d.put("degraded", true);
            return new Result(true, detail, java.util.Map.copyOf(d));
        }

        public boolean degraded() {
            return up && Boolean.TRUE.equals(data.get("degraded"));
        }
    }

    Result check();
}
