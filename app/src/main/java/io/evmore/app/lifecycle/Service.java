package io.evmore.app.lifecycle;

/** Something with a start and a stop; the controller starts services in order and stops them in reverse. */
public interface Service {
    String name();

    void start() throws Exception;

    void stop() throws Exception;

    static Service of(String name, ThrowingRunnable start, ThrowingRunnable stop) {
        return new Service() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() throws Exception {
                start.run();
            }

            @Override
            public void stop() throws Exception {
                stop.run();
            }
        };
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
