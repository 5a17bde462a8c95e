package io.evmore.core.swap;

import static io.evmore.core.swap.SwapState.CLAIM_MISSED;
import static io.evmore.core.swap.SwapState.COMPLETED;
import static io.evmore.core.swap.SwapState.CONFIRMED;
import static io.evmore.core.swap.SwapState.COUNTER_FAILED;
import static io.evmore.core.swap.SwapState.COUNTER_LOCKED;
import static io.evmore.core.swap.SwapState.COUNTER_PENDING;
import static io.evmore.core.swap.SwapState.DEST_REFUND_PENDING;
import static io.evmore.core.swap.SwapState.DETECTED;
import static io.evmore.core.swap.SwapState.EXPIRED;
import static io.evmore.core.swap.SwapState.REFUNDED;
import static io.evmore.core.swap.SwapState.REJECTED;
import static io.evmore.core.swap.SwapState.SECRET_REVEALED;
import static io.evmore.core.swap.SwapState.SOURCE_CLAIMED;
import static io.evmore.core.swap.SwapState.SOURCE_CLAIM_PENDING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * Pins the whole persisted state machine (SPEC §3): every allowed edge is listed here, so a new edge (or a lost one)
 * fails until this table is changed on purpose; and the graph guarantees every swap can end.
 */
class SwapStateTest {

    /** The complete table. Each line: from → every state it may move to, and why. */
    private static final Map<SwapState, Set<SwapState>> ALLOWED = new EnumMap<>(Map.ofEntries(
            // confirmed and valid | refused by validation | the user refunded before we acted
            Map.entry(DETECTED, EnumSet.of(CONFIRMED, REJECTED, EXPIRED)),
            // counter-lock intent persisted | too late to counter-lock | the user refunded
            Map.entry(CONFIRMED, EnumSet.of(COUNTER_PENDING, REJECTED, EXPIRED)),
            // counter-lock landed | gave up (error ack, timeout, attempts, too late) | the secret is known: claim at once
            Map.entry(COUNTER_PENDING, EnumSet.of(COUNTER_LOCKED, COUNTER_FAILED, SECRET_REVEALED)),
            // the user claimed (secret seen) | T_dst passed unclaimed
            Map.entry(COUNTER_LOCKED, EnumSet.of(SECRET_REVEALED, DEST_REFUND_PENDING)),
            // claim sent | the source is already claimed (counter-lock settled | still open) | the source can no longer be
            // claimed (and the counter-lock is gone | nobody claimed the relayer's own counter-lock: refund it)
            Map.entry(SECRET_REVEALED, EnumSet.of(SOURCE_CLAIM_PENDING, COMPLETED, SOURCE_CLAIMED, CLAIM_MISSED, DEST_REFUND_PENDING)),
            // claim landed (counter-lock settled | still open) | claim never landed: send again | too late (as above)
            Map.entry(SOURCE_CLAIM_PENDING, EnumSet.of(COMPLETED, SOURCE_CLAIMED, SECRET_REVEALED, CLAIM_MISSED, DEST_REFUND_PENDING)),
            // the counter-lock the secret came around was claimed, refunded by the relayer, or never made
            Map.entry(SOURCE_CLAIMED, EnumSet.of(COMPLETED)),
            // the user's source refund (by the user or by the relayer for them) | a secret surfaced while the source
            // can still be claimed | a counter-lock transaction the chain had not decided on landed after all
            Map.entry(COUNTER_FAILED, EnumSet.of(EXPIRED, SECRET_REVEALED, COUNTER_LOCKED)),
            // refund landed | the user claimed in a block before T_dst after all | ...after the source claim was missed
            Map.entry(DEST_REFUND_PENDING, EnumSet.of(REFUNDED, SECRET_REVEALED, CLAIM_MISSED)),
            // the user later refunds the source: nothing of the relayer's at stake
            Map.entry(REFUNDED, EnumSet.of(EXPIRED)),
            Map.entry(COMPLETED, EnumSet.noneOf(SwapState.class)),
            Map.entry(REJECTED, EnumSet.noneOf(SwapState.class)),
            Map.entry(EXPIRED, EnumSet.noneOf(SwapState.class)),
            Map.entry(CLAIM_MISSED, EnumSet.noneOf(SwapState.class))));

    private static final Set<SwapState> TERMINAL = EnumSet.of(COMPLETED, REJECTED, REFUNDED, EXPIRED, CLAIM_MISSED);

    @Test
    void theTableListsEveryState() {
        assertThat(ALLOWED.keySet()).containsExactlyInAnyOrder(SwapState.values());
    }

    @Property(tries = 500)
    void everyEdgeIsExactlyTheListedOnes(@ForAll SwapState from, @ForAll SwapState to) {
        assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(ALLOWED.get(from).contains(to));
    }

    @Test
    void nextIsTheTable() {
        for (SwapState s : SwapState.values()) {
            assertThat(s.next()).as(s.name()).isEqualTo(ALLOWED.get(s));
        }
    }

    @Test
    void terminalStatesAreExactlyTheseAndNeverLeadBackToWork() {
        for (SwapState s : SwapState.values()) {
            assertThat(s.isTerminal()).as(s.name()).isEqualTo(TERMINAL.contains(s));
            if (s.isTerminal()) assertThat(s.next()).as(s.name()).allMatch(SwapState::isTerminal);
        }
    }

    @Test
    void happyPathIsAllowedInOrder() {
        SwapState[] path = {DETECTED, CONFIRMED, COUNTER_PENDING, COUNTER_LOCKED, SECRET_REVEALED, SOURCE_CLAIM_PENDING, COMPLETED};
        for (int i = 0; i + 1 < path.length; i++) {
            assertThat(path[i].canMoveTo(path[i + 1])).as(path[i] + " -> " + path[i + 1]).isTrue();
        }
    }

    @Test
    void everyStateIsReachableFromDetected() {
        assertThat(reachable(DETECTED)).containsExactlyInAnyOrder(SwapState.values());
    }

    /** No trap: from every non-terminal state some terminal state is reachable. */
    @Property(tries = 100)
    void everyNonTerminalStateCanEnd(@ForAll SwapState s) {
        assertThat(reachable(s)).as("reachable from " + s).anyMatch(SwapState::isTerminal);
        if (!s.isTerminal()) assertThat(s.next()).as(s.name()).isNotEmpty();
    }

    /** The store's unique index lets one swap per hashlock be in exactly these states (V4 migration; SchemaTest). */
    @Test
    void theStatesThatHoldAHashlockAreThoseWithAnAcceptedOrLiveCounterLock() {
        assertThat(EnumSet.allOf(SwapState.class).stream().filter(SwapState::holdsHashlock).toList()).containsExactlyInAnyOrder(
                CONFIRMED, COUNTER_PENDING, COUNTER_LOCKED, SECRET_REVEALED, SOURCE_CLAIM_PENDING, SOURCE_CLAIMED, DEST_REFUND_PENDING);
    }

    @Test
    void noStateMovesToItself() {
        for (SwapState s : SwapState.values()) assertThat(s.canMoveTo(s)).as(s.name()).isFalse();
    }

    @Test
    void secretIsNeverPrintedAndOpensItsHashlock() {
        Secret secret = Secret.random();
        assertThat(secret.toString()).doesNotContain(secret.hex());
        assertThat(secret.opens(secret.hashlock())).isTrue();
        assertThat(Secret.random().opens(secret.hashlock())).isFalse();
        assertThat(Hashlock.fromHex(secret.hashlock().hex().toUpperCase())).isEqualTo(secret.hashlock());
    }

    private static Set<SwapState> reachable(SwapState from) {
        Set<SwapState> seen = EnumSet.of(from);
        var todo = new ArrayDeque<>(seen);
        while (!todo.isEmpty()) {
            for (SwapState n : todo.poll().next()) {
                if (seen.add(n)) todo.add(n);
            }
        }
        return seen;
    }
}
