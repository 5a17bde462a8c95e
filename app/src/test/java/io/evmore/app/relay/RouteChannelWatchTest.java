package io.evmore.app.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.app.config.ConfigException;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A route is used only while the chains at its ends confirm its channels. */
class RouteChannelWatchTest {
    final PrometheusRegistry registry = new PrometheusRegistry();
    /** What the chains answer: a list of problems, or null for "cannot be reached". */
    final AtomicReference<List<String>> answer = new AtomicReference<>();
    /** The route's hold as the counter-lock sees it: null = usable. */
    final AtomicReference<String> held = new AtomicReference<>();
    final RouteChannelWatch watch = new RouteChannelWatch(List.of(new RouteChannelWatch.Route("devnet-c", () -> {
        List<String> a = answer.get();
        if (a == null) throw new ConnectException("devnet-c: connection refused");
        return a;
    }, held::set, () -> held.set(null))), Duration.ofSeconds(30), Duration.ofMinutes(5), registry);

    @Test
    void aRouteWhoseChainsCannotAnswerAtStartIsHeldUntilTheyConfirmIt() {
        answer.set(null);
        watch.checkAtStart();
        assertThat(held.get()).as("not used on trust").contains("could not be checked").contains("connection refused");
        assertThat(watch.held()).containsExactly("devnet-c");
        assertThat(metric()).contains("evmore_route_held{chain=\"devnet-c\"} 1.0");

        watch.runOnce(true); // still unreachable
        assertThat(held.get()).isNotNull();

        answer.set(List.of());
        watch.runOnce(true);
        assertThat(held.get()).as("confirmed: counter-locks may go").isNull();
        assertThat(watch.held()).isEmpty();
        assertThat(metric()).contains("evmore_route_held{chain=\"devnet-c\"} 0.0");
    }

    @Test
    void aChannelClosedAfterStartHoldsTheRouteUntilTheChainsAgreeAgain() {
        answer.set(List.of());
        watch.checkAtStart();
        assertThat(held.get()).isNull();

        answer.set(List.of("On devnet-a, channel transfer/channel-0 (the first hop to devnet-b) is STATE_CLOSED, expected STATE_OPEN."));
        watch.runOnce(true);
        assertThat(held.get()).contains("contradict").contains("STATE_CLOSED");
        assertThat(metric()).contains("evmore_route_held{chain=\"devnet-c\"} 1.0");

        answer.set(null); // unreachable now: nothing learnt, still held
        watch.runOnce(true);
        assertThat(held.get()).contains("STATE_CLOSED");

        answer.set(List.of());
        watch.runOnce(true);
        assertThat(held.get()).isNull();
    }

    @Test
    void aConfirmedRouteStaysUsableWhileAChainCannotBeAsked() {
        answer.set(List.of());
        watch.checkAtStart();
        answer.set(null);
        watch.runOnce(true);
        assertThat(held.get()).as("a transfer into an unreachable chain fails on its own").isNull();
    }

    @Test
    void aRouteTheChainsContradictAtStartIsAConfigurationError() {
        answer.set(List.of("On devnet-c, channel transfer/channel-1 (the last hop from devnet-b) does not exist."));
        assertThatThrownBy(watch::checkAtStart).isInstanceOf(ConfigException.class)
                .hasMessageContaining("chains.cosmos[devnet-c].route").hasMessageContaining("does not exist");
        assertThat(held.get()).as("and held meanwhile").isNotNull();
    }

    @Test
    void aRouteNotDueIsNotAsked() {
        answer.set(List.of());
        watch.checkAtStart();
        answer.set(List.of("changed"));
        watch.runOnce(false); // confirmed a moment ago: next asked after 5 minutes
        assertThat(held.get()).isNull();
    }

    private String metric() {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
