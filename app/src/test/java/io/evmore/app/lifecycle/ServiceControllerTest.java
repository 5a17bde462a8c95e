package io.evmore.app.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceControllerTest {
    private final List<String> events = new ArrayList<>();

    private Service svc(String name) {
        return Service.of(name, () -> events.add("start " + name), () -> events.add("stop " + name));
    }

    @Test
    void startsInOrderStopsInReverseOnce() throws Exception {
        ServiceController c = new ServiceController().add(svc("db")).add(svc("engine")).add(svc("http"));
        c.start();
        c.stop();
        c.stop();
        assertThat(events).containsExactly("start db", "start engine", "start http", "stop http", "stop engine", "stop db");
        assertThat(c.states()).containsValues(ServiceController.State.STOPPED);
    }

    @Test
    void failedStartStopsWhatAlreadyStarted() {
        ServiceController c = new ServiceController().add(svc("db"))
                .add(Service.of("pools", () -> { throw new IllegalStateException("no endpoint"); }, () -> events.add("stop pools")))
                .add(svc("http"));
        assertThatThrownBy(c::start).hasMessage("no endpoint");
        assertThat(events).containsExactly("start db", "stop db");
        assertThat(c.states().get("pools")).isEqualTo(ServiceController.State.FAILED);
    }

    @Test
    void aFailingStopDoesNotKeepOthersRunning() throws Exception {
        ServiceController c = new ServiceController().add(svc("db"))
                .add(Service.of("pools", () -> events.add("start pools"), () -> { throw new IllegalStateException("stuck"); }));
        c.start();
        c.stop();
        assertThat(events).containsExactly("start db", "start pools", "stop db");
    }
}
