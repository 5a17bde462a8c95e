package io.evmore.cosmos.events;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.evmore.core.chain.ChainId;
import io.evmore.cosmos.events.DroppedEvents.Reason;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every drop is counted; a flood of lookalike events cannot flood the log. */
class DroppedEventsTest {
    static final ChainId CHAIN = ChainId.of("home-1");
    final Logger logger = (Logger) LoggerFactory.getLogger(DroppedEvents.class);
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    void everyDropIsCountedButWarningsAreRateLimitedPerChainAndReason() {
        DroppedEvents dropped = new DroppedEvents(new PrometheusRegistry());
        for (int i = 0; i < 25; i++) {
            dropped.drop(CHAIN, Reason.UNKNOWN_CONTRACT, "lookalike " + i, "height " + i);
        }
        dropped.drop(CHAIN, Reason.BAD_SECRET, "secret of htlc_1 does not match its hashlock", "height 30");
        assertThat(dropped.count(CHAIN, Reason.UNKNOWN_CONTRACT)).isEqualTo(25);
        assertThat(dropped.count(CHAIN, Reason.BAD_SECRET)).isEqualTo(1);
        long warnings = appender.list.stream().filter(e -> e.getLevel() == Level.WARN)
                .filter(e -> e.getFormattedMessage().contains("unknown_contract")).count();
        assertThat(warnings).isEqualTo(DroppedEvents.WARNINGS_PER_MINUTE);
        // Another reason has its own budget; the warning names chain, place, reason and detail.
        assertThat(appender.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("home-1").contains("height 30").contains("bad_secret")
                    .contains("does not match its hashlock");
        });
    }
}
