package io.evmore.cosmos.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.cosmos.tx.AccountSequencer.AccountState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GasAndSequencerTest {

    @Test
    void gasIsSimulationTimesMultiplierAndFeeIsRoundedUp() {
        GasEstimator g = new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake");
        TxFee f = g.feeFor(100_001);
        assertThat(f.gasLimit()).isEqualTo(140_002); // ceil(140001.4)
        assertThat(f.amount()).isEqualTo(BigInteger.valueOf(3501)); // ceil(3500.05)
        assertThat(new GasEstimator(BigDecimal.ONE, BigDecimal.ZERO, "stake").feeFor(10).amount()).isZero();
        assertThatThrownBy(() -> new GasEstimator(new BigDecimal("0.5"), BigDecimal.ONE, "stake"))
                .hasMessageContaining("multiplier");
    }

    @Test
    void anAbsurdSimulationIsRefusedRatherThanPaidFor() {
        GasEstimator g = new GasEstimator(new BigDecimal("1.5"), new BigDecimal("0.025"), "stake", 300_000);
        assertThat(g.feeFor(200_000).gasLimit()).isEqualTo(300_000); // exactly the cap is fine
        assertThatThrownBy(() -> g.feeFor(200_001)).isInstanceOf(TransientException.class)
                .hasMessageContaining("above the cap of 300000");
        assertThatThrownBy(() -> g.feeFor(Long.MAX_VALUE)).isInstanceOf(TransientException.class);
        assertThatThrownBy(() -> g.feeFor(0)).isInstanceOf(TransientException.class);
        assertThat(new GasEstimator(BigDecimal.ONE, BigDecimal.ONE, "stake").maxGasLimit())
                .isEqualTo(GasEstimator.DEFAULT_MAX_GAS_LIMIT);
    }

    @Test
    void sdkErrorsAreClassified() {
        assertThat(CosmosErrors.toException("x", 32, "sdk",
                "account sequence mismatch, expected 5, got 4: incorrect account sequence"))
                .isInstanceOfSatisfying(SequenceMismatchException.class,
                        e -> assertThat(e.expected()).isEqualTo(OptionalLong.of(5)));
        assertThat(CosmosErrors.toException("x", 5, "wasm", "htlc htlc_1 has expired")).isInstanceOf(PermanentException.class)
                .hasMessageContaining("htlc htlc_1 has expired");
        assertThat(CosmosErrors.toException("x", 5, "sdk", "insufficient funds")).isInstanceOf(PermanentException.class);
        assertThat(CosmosErrors.toException("x", 4, "", "unauthorized")).isInstanceOf(PermanentException.class);
        assertThat(CosmosErrors.toException("x", 20, "sdk", "mempool is full")).isInstanceOf(TransientException.class);
    }

    @Test
    void sequencesAdvanceAndAMismatchResyncsAndResignsTheSameTransaction() {
        AtomicInteger chainReads = new AtomicInteger();
        AccountSequencer s = new AccountSequencer("acc", () -> {
            chainReads.incrementAndGet();
            return new AccountState(7, 3);
        }, 3);
        List<Long> used = new ArrayList<>();
        AccountSequencer.Attempt<String> a = (acc, seq) -> { used.add(seq); return "a"; };
        AccountSequencer.Attempt<String> b = (acc, seq) -> { used.add(seq); return "b"; };
        assertThat(s.submit(a)).isEqualTo("a");
        assertThat(s.submit(b)).isEqualTo("b");
        // An outside transaction took sequence 5: the node says expected 6.
        String r = s.<String>submit((acc, seq) -> {
            used.add(seq);
            if (seq == 5) throw new SequenceMismatchException("mismatch", OptionalLong.of(6));
            return "c@" + seq;
        });
        assertThat(r).isEqualTo("c@6");
        assertThat(used).containsExactly(3L, 4L, 5L, 6L);
        assertThat(chainReads).hasValue(1);
        // Without a parseable expected value the sequencer asks the chain again.
        s.submit((acc, seq) -> {
            if (seq == 7) throw new SequenceMismatchException("mismatch", OptionalLong.empty());
            used.add(seq);
            return "d";
        });
        assertThat(used).endsWith(3L);
        assertThat(chainReads).hasValue(2);
    }

    @Test
    void persistentMismatchIsTransientAndPermanentFailuresKeepTheSequence() {
        AccountSequencer s = new AccountSequencer("acc", () -> new AccountState(1, 0), 2);
        assertThatThrownBy(() -> s.submit((a, q) -> {
            throw new SequenceMismatchException("mismatch", OptionalLong.of(q + 1));
        })).isInstanceOf(TransientException.class).hasMessageContaining("after 2 attempts");
        List<Long> seen = new ArrayList<>();
        assertThatThrownBy(() -> s.submit((a, q) -> {
            seen.add(q);
            throw new PermanentException("contract says no");
        })).isInstanceOf(PermanentException.class);
        s.submit((a, q) -> seen.add(q));
        assertThat(seen.get(0)).isEqualTo(seen.get(1)); // CheckTx rejection did not consume the sequence
    }
}
