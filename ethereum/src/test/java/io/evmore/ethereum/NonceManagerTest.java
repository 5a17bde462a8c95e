package io.evmore.ethereum;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NonceManagerTest {
    final AtomicLong chainNonce = new AtomicLong(7);
    final AtomicInteger reads = new AtomicInteger();
    final NonceManager nonces = new NonceManager(() -> {
        reads.incrementAndGet();
        return chainNonce.get();
    });

    @Test
    void readsTheChainOnceThenCountsLocally() {
        synchronized (nonces.lock()) {
            assertThat(nonces.peek()).isEqualTo(7);
            nonces.commit(7);
            assertThat(nonces.peek()).isEqualTo(8);
            nonces.commit(8);
            assertThat(nonces.peek()).isEqualTo(9);
        }
        assertThat(reads).hasValue(1);
    }

    @Test
    void refusedTransactionLeavesNoGap() {
        synchronized (nonces.lock()) {
            long n = nonces.peek();
            // broadcast refused: no commit
            assertThat(nonces.peek()).isEqualTo(n);
        }
    }

    @Test
    void resyncAsksTheChainAgain() {
        synchronized (nonces.lock()) {
            nonces.commit(nonces.peek());
        }
        chainNonce.set(20); // the key was used elsewhere
        nonces.resync();
        synchronized (nonces.lock()) {
            assertThat(nonces.peek()).isEqualTo(20);
        }
        assertThat(reads).hasValue(2);
    }
}
