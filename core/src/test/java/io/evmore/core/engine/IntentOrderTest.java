package io.evmore.core.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.TxIntent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** An action's attempts are ordered by their number, never by the wall clock that wrote them. */
class IntentOrderTest {
    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    private static TxIntent attempt(int n, Instant at) {
        return TxIntent.pending("eip155:1/0xabc/COUNTER_LOCK/" + n, "eip155:1/0xabc", new ChainId("devnet-a"), "COUNTER_LOCK", at);
    }

    @Test
    void theLatestAttemptIsTheHighestNumberEvenWhenItsClockWasBehind() {
        TxIntent second = attempt(2, T.minusSeconds(120)); // a clock stepped back, or a standby's
        assertThat(List.of(attempt(1, T), second).stream().max(SwapBook.ATTEMPT_ORDER)).contains(second);
    }

    @Test
    void attemptNumbersCompareAsNumbersNotText() {
        TxIntent tenth = attempt(10, T);
        assertThat(List.of(tenth, attempt(9, T)).stream().max(SwapBook.ATTEMPT_ORDER)).contains(tenth);
        assertThat(SwapBook.attemptOf(TxIntent.pending("no-number", "s", new ChainId("devnet-a"), "X", T))).isZero();
    }
}
