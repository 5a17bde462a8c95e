package io.evmore.core.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SwapStateTest {

    @Test
    void happyPathIsAllowedInOrder() {
        SwapState[] path = {SwapState.DETECTED, SwapState.CONFIRMED, SwapState.COUNTER_PENDING, SwapState.COUNTER_LOCKED,
                SwapState.SECRET_REVEALED, SwapState.SOURCE_CLAIM_PENDING, SwapState.COMPLETED};
        for (int i = 0; i + 1 < path.length; i++) {
            assertThat(path[i].canMoveTo(path[i + 1])).as(path[i] + " -> " + path[i + 1]).isTrue();
        }
    }

    @Test
    void terminalStatesHaveNoWayBackToWork() {
        for (SwapState s : SwapState.values()) {
            if (s.isTerminal()) {
                assertThat(s.next()).as(s.name()).allMatch(SwapState::isTerminal);
            }
        }
        assertThat(SwapState.COMPLETED.canMoveTo(SwapState.SECRET_REVEALED)).isFalse();
        assertThat(SwapState.REJECTED.next()).isEmpty();
    }

    @Test
    void everyStateIsReachableFromDetectedAndEveryNonTerminalCanFinish() {
        Set<SwapState> seen = EnumSet.of(SwapState.DETECTED);
        var todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (SwapState n : todo.poll().next()) {
                if (seen.add(n)) todo.add(n);
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(SwapState.values());
        for (SwapState s : SwapState.values()) {
            assertThat(s.isTerminal() || s.next().stream().anyMatch(n -> n != s)).as(s.name()).isTrue();
        }
    }

    @Test
    void secretIsNeverPrintedAndOpensItsHashlock() {
        Secret secret = Secret.random();
        assertThat(secret.toString()).doesNotContain(secret.hex());
        assertThat(secret.opens(secret.hashlock())).isTrue();
        assertThat(Secret.random().opens(secret.hashlock())).isFalse();
        assertThat(Hashlock.fromHex(secret.hashlock().hex().toUpperCase())).isEqualTo(secret.hashlock());
    }
}
