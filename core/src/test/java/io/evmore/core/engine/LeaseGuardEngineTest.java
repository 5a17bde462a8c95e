package io.evmore.core.engine;

import static io.evmore.core.engine.sim.SimWorld.ETH;
import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.engine.sim.SimWorld;
import io.evmore.core.error.LeaseLostException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The lease guard (issue 18): asked after a signed transaction was journaled and before it is broadcast. A step the guard
 * refuses broadcasts nothing; while the guard refuses, no new transaction is sent (only the journaled bytes may be
 * re-broadcast by reconciliation, which is harmless); once it allows again, there is exactly one counter-lock.
 */
class LeaseGuardEngineTest {
    @Test
    void aProcessThatCannotProveItHoldsTheLeaseBroadcastsNothingAndSendsTheJournaledTransactionOnceItCan() {
        SimWorld world = new SimWorld(11);
        world.restart();
        AtomicBoolean held = new AtomicBoolean(false);
        world.engine.leaseGuard(() -> {
            if (!held.get()) throw new LeaseLostException("lease 'relayer' (epoch 1) not renewed for 4000 ms");
        });
        SimWorld.User user = world.user(ETH, BigInteger.valueOf(10_000), world.now() + 1_200);
        user.lock();
        for (int i = 0; i < 100 && !journaled(world); i++) world.tick();
        assertThat(journaled(world)).as("the counter-lock was signed and journaled").isTrue();
        // The step that journaled it did not broadcast it (without the guard the broadcast follows in the same step).
        assertThat(world.devnet.relayerReceipts()).as("nothing broadcast by the step the guard refused").isEmpty();
        List<String> journaledHashes = world.memory.allIntents().stream().flatMap(i -> i.hashes().stream()).toList();
        world.ticks(10);
        // Reconciliation may put the journaled transaction's very bytes on the chain (same hash and nonce: at most one of
        // them ever lands), but no new transaction is signed and sent.
        assertThat(world.devnet.relayerReceipts()).allSatisfy(r -> assertThat(journaledHashes).contains(r.tx().hash()));

        held.set(true); // renewed again
        for (int i = 0; i < 200 && user.swap().map(Swap::state).orElse(null) != SwapState.COUNTER_LOCKED; i++) world.tick();
        assertThat(user.swap().orElseThrow().state()).isEqualTo(SwapState.COUNTER_LOCKED);
        assertThat(world.devnet.relayerReceipts()).as("one counter-lock").hasSize(1);
    }

    private static boolean journaled(SimWorld world) {
        return world.memory.allIntents().stream().anyMatch(TxIntent::mayHaveBeenBroadcast);
    }
}
