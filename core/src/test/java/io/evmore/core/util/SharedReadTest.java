package io.evmore.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The shared base-fee read: transactions priced at the same moment share one read, and none gets a value read before it
 * asked (the bench saw a thousand counter-locks each queue an eth_getBlockByNumber at a busy node).
 */
class SharedReadTest {

    @Test
    void aCallerAloneReadsEveryTime() {
        AtomicLong reads = new AtomicLong();
        SharedRead<Long> r = new SharedRead<>(() -> 1000 + reads.incrementAndGet());
        assertThat(r.get()).isEqualTo(1001);
        assertThat(r.get()).isEqualTo(1002);
        assertThat(reads).hasValue(2);
    }

    @Test
    void concurrentCallersShareReadsAndNeverGetOneSentBeforeTheyAsked() throws Exception {
        AtomicLong started = new AtomicLong(); // reads begun so far; a read returns its own number
        CountDownLatch firstReadBlocked = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        SharedRead<Long> r = new SharedRead<>(() -> {
            long n = started.incrementAndGet();
            if (n == 1) {
                firstReadBlocked.countDown();
                try {
                    releaseFirst.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return n;
        });
        long[] got = new long[51];
        long[] startedWhenAsked = new long[51];
        Thread first = Thread.ofVirtual().start(() -> got[0] = r.get());
        assertThat(firstReadBlocked.await(10, TimeUnit.SECONDS)).isTrue();
        List<Thread> others = new ArrayList<>();
        CountDownLatch asked = new CountDownLatch(50);
        for (int i = 1; i <= 50; i++) {
            int k = i;
            others.add(Thread.ofVirtual().start(() -> {
                startedWhenAsked[k] = started.get();
                asked.countDown();
                got[k] = r.get();
            }));
        }
        assertThat(asked.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(100); // let them reach the shared read
        releaseFirst.countDown();
        first.join(10_000);
        for (Thread o : others) o.join(10_000);
        assertThat(got[0]).isEqualTo(1);
        for (int i = 1; i <= 50; i++) {
            // a read that began after this caller asked: never the one already under way
            assertThat(got[i]).as("caller %d", i).isGreaterThan(startedWhenAsked[i]);
        }
        assertThat(started.get()).as("51 callers, one read under way and one for everyone who came meanwhile").isLessThanOrEqualTo(3);
    }

    @Test
    void aFailedReadFailsItsCallersAndTheNextCallReadsAgain() {
        AtomicInteger reads = new AtomicInteger();
        SharedRead<Integer> r = new SharedRead<>(() -> {
            if (reads.incrementAndGet() == 1) throw new IllegalStateException("node down");
            return 42;
        });
        assertThatThrownBy(r::get).isInstanceOf(IllegalStateException.class).hasMessage("node down");
        assertThat(r.get()).isEqualTo(42);
    }
}
