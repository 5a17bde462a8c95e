package io.evmore.core.port;

import java.time.Duration;

/** What the relay engine reports; the app records it in Prometheus. Labels are bounded (status names). */
public interface RelayMetrics {
    /** A swap reached an outcome: completed, failed, rejected, refunded or expired. */
    void swapFinished(String status, Duration duration);

    void queueSize(int size);

    RelayMetrics NONE = new RelayMetrics() {
        @Override
        public void swapFinished(String status, Duration duration) {}

        @Override
        public void queueSize(int size) {}
    };
}
