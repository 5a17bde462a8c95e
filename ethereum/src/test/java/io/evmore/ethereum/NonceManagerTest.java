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
        nonces.lock().lock();
        try {
            assertThat(nonces.peek()).isEqualTo(7);
            nonces.commit(7);
            assertThat(nonces.peek()).isEqualTo(8);
            nonces.commit(8);
            assertThat(nonces.peek()).isEqualTo(9);
        } finally {
            nonces.lock().unlock();
        }
        assertThat(reads).hasValue(1);
    }

    @Test
    void refusedTransactionLeavesNoGap() {
        nonces.lock().lock();
        try {
            long n = nonces.peek();
            // broadcast refused: no commit
            assertThat(nonces.peek()).isEqualTo(n);
        } finally {
            nonces.lock().unlock();
        }
    }

    @Test
    void resyncAsksTheChainAgain() {
        nonces.lock().lock();
        try {
            nonces.commit(nonces.peek());
        } finally {
            nonces.lock().unlock();
        }
        chainNonce.set(20); // the key was used elsewhere
        nonces.resync();
        nonces.lock().lock();
        try {
            assertThat(nonces.peek()).isEqualTo(20);
        } finally {
            nonces.lock().unlock();
        }
        assertThat(reads).hasValue(2);
    }
}
