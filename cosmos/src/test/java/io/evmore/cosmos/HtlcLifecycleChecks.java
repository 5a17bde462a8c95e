package io.evmore.cosmos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.TxResult;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.rpc.CometRpcClient;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;

/**
 * What the HTLC lifecycle tests check of the adapter on every kind of chain (the devnet's, a real wasmd node): the
 * record of a fresh lock, and what the follower reported of a lock that was claimed and one that was refunded.
 */
public final class HtlcLifecycleChecks {
    private HtlcLifecycleChecks() {}

    /** The chain's record of {@code locked}: open, from the relayer to {@code receiver}, with the amount and hashlock. */
    public static void assertOpenLock(HtlcChain chain, TxResult locked, String receiver, BigInteger amount, Secret secret) {
        assertThat(locked.htlcId()).matches("htlc_[0-9]+");
        HtlcRecord open = chain.query(locked.htlcId()).orElseThrow();
        assertThat(open.status()).isEqualTo(HtlcRecord.Status.OPEN);
        assertThat(open.sender()).isEqualTo(chain.relayerAddress());
        assertThat(open.receiver()).isEqualTo(receiver);
        assertThat(open.amount()).isEqualTo(amount);
        assertThat(open.hashlock()).isEqualTo(secret.hashlock());
    }

    /**
     * The follower reported both locks, the claim of {@code locked} with its secret and transaction (and, with
     * {@code claimHeight}, its height), and the refund of {@code refundedLock}; the lock event has the lock's terms;
     * cursors advanced one block at a time, the last one with the chain's hash.
     */
    public static void assertFollowed(RecordingListener listener, CometRpcClient rpc, TxResult locked, Secret secret,
            TxResult claimed, boolean claimHeight, TxResult refundedLock, TxResult refunded) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(listener.events(ChainEvent.HtlcLocked.class)).extracting(e -> e.htlc().id())
                    .contains(locked.htlcId(), refundedLock.htlcId());
            assertThat(listener.events(ChainEvent.HtlcClaimed.class)).anySatisfy(e -> {
                assertThat(e.htlcId()).isEqualTo(locked.htlcId());
                assertThat(e.secret()).isEqualTo(secret);
                assertThat(e.origin().txHash()).isEqualTo(claimed.txHash());
                if (claimHeight) assertThat(e.origin().height()).isEqualTo(claimed.height());
            });
            assertThat(listener.events(ChainEvent.HtlcRefunded.class)).extracting(ChainEvent.HtlcRefunded::htlcId)
                    .contains(refundedLock.htlcId());
        });
        ChainEvent.HtlcLocked l = listener.events(ChainEvent.HtlcLocked.class).stream()
                .filter(e -> e.htlc().id().equals(locked.htlcId())).findFirst().orElseThrow();
        assertThat(l.htlc().hashlock()).isEqualTo(secret.hashlock());
        assertThat(l.htlc().targetAddress()).isEqualTo("0xabc");
        assertThat(l.origin().txHash()).isEqualTo(locked.txHash());
        assertThat(refunded.height()).isGreaterThan(claimed.height());
        // Cursors advance one block at a time with the chain's hashes.
        List<ChainCursor> seen = listener.cursors();
        for (int i = 1; i < seen.size(); i++) assertThat(seen.get(i).height()).isEqualTo(seen.get(i - 1).height() + 1);
        ChainCursor last = seen.getLast();
        assertThat(last.blockHash()).isEqualTo(rpc.block(last.height()).hash());
    }
}
