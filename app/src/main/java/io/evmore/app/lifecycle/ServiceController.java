package io.evmore.app.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts services in registration order and stops them in reverse (IDLE → RUNNING → STOPPED). If a start
 * fails, the services already started are stopped before the error propagates. Stop is idempotent and
 * keeps going past a failing service so that the database is still closed when a pool fails to.
 */
public final class ServiceController {
    private static final Logger log = LoggerFactory.getLogger(ServiceController.class);

    public enum State { IDLE, STARTING, RUNNING, STOPPING, STOPPED, FAILED }

    private final List<Service> services = new ArrayList<>();
    private final Map<String, State> states = new LinkedHashMap<>();
    private final List<Service> started = new ArrayList<>();
    private State state = State.IDLE;

    public synchronized ServiceController add(Service service) {
        if (state != State.IDLE) throw new IllegalStateException("services must be added before start");
        services.add(service);
        states.put(service.name(), State.IDLE);
        return this;
    }

    public synchronized void start() throws Exception {
        if (state != State.IDLE) throw new IllegalStateException("already " + state);
        state = State.STARTING;
        for (Service s : services) {
            states.put(s.name(), State.STARTING);
            try {
                s.start();
            } catch (Exception e) {
                states.put(s.name(), State.FAILED);
                state = State.FAILED;
                log.error("service {} failed to start: {}", s.name(), e.getMessage());
                stopStarted();
                throw e;
            }
            started.add(s);
            states.put(s.name(), State.RUNNING);
            log.info("service {} started", s.name());
        }
        state = State.RUNNING;
    }

    /** Stops every started service in reverse order. Safe to call more than once and from several threads. */
    public synchronized void stop() {
        if (state == State.STOPPED || state == State.IDLE) {
            state = State.STOPPED;
            return;
        }
        state = State.STOPPING;
        stopStarted();
        state = State.STOPPED;
    }

    private void stopStarted() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Service s = started.get(i);
            states.put(s.name(), State.STOPPING);
            try {
                s.stop();
                states.put(s.name(), State.STOPPED);
                log.info("service {} stopped", s.name());
            } catch (Exception e) {
                states.put(s.name(), State.FAILED);
                log.error("service {} failed to stop cleanly: {}", s.name(), e.getMessage());
            }
        }
        started.clear();
    }

    public synchronized State state() {
        return state;
    }

    /** Per-service states, in start order. */
    public synchronized Map<String, State> states() {
        return new LinkedHashMap<>(states);
    }
}
