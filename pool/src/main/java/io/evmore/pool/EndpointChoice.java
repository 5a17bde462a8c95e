package io.evmore.pool;

import java.util.List;
import java.util.Set;

/**
 * Which endpoint an {@link EndpointPool} lends from: the best health class first ({@link EndpointState}), then
 * configuration order, so the first configured endpoint is the primary and traffic returns to it once it is healthy
 * again; endpoints a call already failed on are avoided while another will do. Pure; called under the pool's lock.
 */
final class EndpointChoice {
    private EndpointChoice() {}

    /** Best endpoint with room among those whose breaker allows calls; null means wait. */
    static <C> EndpointSlot<C> pick(List<EndpointSlot<C>> allowed, Set<String> avoid, int maxConnections) {
        List<EndpointSlot<C>> preferred = allowed.stream().filter(s -> !avoid.contains(s.endpoint.name())).toList();
        if (preferred.isEmpty()) {
            preferred = allowed;
        }
        EndpointSlot<C> best = bestWithRoom(preferred, maxConnections);
        if (best == null && preferred != allowed) {
            best = bestWithRoom(allowed, maxConnections);
        }
        if (best != null && best.state == EndpointState.UNHEALTHY
                && preferred.stream().anyMatch(s -> s.state != EndpointState.UNHEALTHY)) {
            return null; // a usable endpoint is only busy: wait for it rather than use a broken one
        }
        return best;
    }

    private static <C> EndpointSlot<C> bestWithRoom(List<EndpointSlot<C>> candidates, int maxConnections) {
        EndpointSlot<C> best = null;
        for (EndpointSlot<C> s : candidates) { // configuration order: earlier wins ties
            if (s.total() < maxConnections || !s.idle.isEmpty()) {
                if (best == null || s.state.ordinal() < best.state.ordinal()) {
                    best = s;
                }
            }
        }
        return best;
    }
}
