package io.evmore.swapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link Swapper#refund}: its own checks (no lock, not open, not expired) are {@link Swapper.RefundNotPossible} and send
 * nothing; a refund transaction that fails is that failure, not a "cannot refund".
 */
class SwapperRefundTest {
    static final ChainId CHAIN = ChainId.of("eip155:31337");
    static final long T = 1_800_000_000L;

    @Test
    void notExpiredYetSaysHowLongToGoAndSendsNothing() {
        StubChain c = new StubChain(HtlcRecord.Status.OPEN, T - 83);
        assertThatThrownBy(() -> new Swapper(null).refund(c, "0xab"))
                .isInstanceOf(Swapper.RefundNotPossible.class)
                .hasMessage("lock 0xab on eip155:31337 has not expired yet: 83 s to go (it expires at 2027-01-15T08:00:00Z, "
                        + "the chain's time is 2027-01-15T07:58:37Z)");
        assertThat(c.refunds).isEmpty();
    }

    @Test
    void alreadyRefundedOrClaimedOrUnknownIsNotPossibleAndSendsNothing() {
        StubChain refunded = new StubChain(HtlcRecord.Status.REFUNDED, T + 10);
        assertThatThrownBy(() -> new Swapper(null).refund(refunded, "0xab"))
                .isInstanceOf(Swapper.RefundNotPossible.class).hasMessage("lock 0xab on eip155:31337 is already refunded");
        StubChain claimed = new StubChain(HtlcRecord.Status.CLAIMED, T + 10);
        assertThatThrownBy(() -> new Swapper(null).refund(claimed, "0xab"))
                .isInstanceOf(Swapper.RefundNotPossible.class).hasMessage("lock 0xab on eip155:31337 is already claimed");
        StubChain none = new StubChain(null, T + 10);
        assertThatThrownBy(() -> new Swapper(null).refund(none, "0xab"))
                .isInstanceOf(Swapper.RefundNotPossible.class).hasMessage("no lock 0xab on eip155:31337");
        assertThat(refunded.refunds).isEmpty();
        assertThat(claimed.refunds).isEmpty();
        assertThat(none.refunds).isEmpty();
    }

    @Test
    void atTheTimelockTheRefundIsSent() {
        StubChain c = new StubChain(HtlcRecord.Status.OPEN, T);
        List<String> progress = new ArrayList<>();
        TxResult r = new Swapper(progress::add).refund(c, "0xab");
        assertThat(r.txHash()).isEqualTo("0xrefund");
        assertThat(c.refunds).containsExactly("0xab");
        assertThat(progress).containsExactly("eip155:31337: refunded 0xab in tx 0xrefund");
    }

    @Test
    void aRefundTransactionThatFailsIsThatFailureNotRefundNotPossible() {
        // SwapSession reports only RefundNotPossible as "cannot refund"; it used to catch every IllegalStateException, this one too
        StubChain c = new StubChain(HtlcRecord.Status.OPEN, T + 5);
        c.failure = new IllegalStateException("nonce too low");
        assertThatThrownBy(() -> new Swapper(null).refund(c, "0xab"))
                .isNotInstanceOf(Swapper.RefundNotPossible.class).isInstanceOf(IllegalStateException.class).hasMessage("nonce too low");
        assertThat(c.refunds).containsExactly("0xab");
    }

    /** One lock with a canned status and a canned chain time; records refunds. */
    static final class StubChain implements UserChain, HtlcChain {
        final HtlcRecord.Status status;
        final long now;
        final List<String> refunds = new ArrayList<>();
        RuntimeException failure;

        StubChain(HtlcRecord.Status status, long now) {
            this.status = status;
            this.now = now;
        }

        @Override
        public HtlcChain htlc() {
            return this;
        }

        @Override
        public BigInteger balanceOf(String asset, String owner) {
            return BigInteger.ZERO;
        }

        @Override
        public List<HtlcRecord> locksFor(String receiver, io.evmore.core.swap.Hashlock hashlock) {
            return List.of();
        }

        @Override
        public void close() {}

        @Override
        public ChainId chain() {
            return CHAIN;
        }

        @Override
        public String relayerAddress() {
            return "0x0000000000000000000000000000000000000007";
        }

        @Override
        public String contract() {
            return "0x00000000000000000000000000000000000000c0";
        }

        @Override
        public TxResult lock(LockRequest request, TxJournal journal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TxResult refund(String htlcId, TxJournal journal) {
            refunds.add(htlcId);
            if (failure != null) throw failure;
            return new TxResult(CHAIN, "0xrefund", 7, htlcId);
        }

        @Override
        public Reconciliation reconcile(TxIntent intent) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<HtlcRecord> query(String htlcId) {
            if (status == null) return Optional.empty();
            return Optional.of(new HtlcRecord(CHAIN, htlcId, relayerAddress(), "0x0000000000000000000000000000000000000001",
                    "0x0000000000000000000000000000000000000000", BigInteger.TEN, Secret.random().hashlock(), T, "devnet-a",
                    "cosmos1x", status, null));
        }

        @Override
        public BigInteger balance(String asset) {
            return BigInteger.ZERO;
        }

        @Override
        public long latestBlockTime() {
            return now;
        }
    }
}
