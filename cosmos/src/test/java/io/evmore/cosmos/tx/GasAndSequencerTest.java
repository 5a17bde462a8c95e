package io.evmore.cosmos.tx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.evmore.core.chain.TxRevertedException;
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
    void feeLevelNPaysTheGasPriceTimes1_5PowNCappedAtTheMaximum() {
        GasEstimator g = new GasEstimator(new BigDecimal("1.4"), new BigDecimal("0.025"), "stake");
        assertThat(g.maxGasPrice()).isEqualByComparingTo("0.25"); // default cap: 10 x the gas price
        assertThat(g.priceAt(0)).isEqualByComparingTo("0.025");
        assertThat(g.priceAt(1)).isEqualByComparingTo("0.0375");
        assertThat(g.priceAt(2)).isEqualByComparingTo("0.05625"); // 0.025 x 2.25
        assertThat(g.priceAt(5)).isEqualByComparingTo("0.18984375");
        assertThat(g.priceAt(6)).isEqualByComparingTo("0.25"); // 0.28476.. capped
        assertThat(g.priceAt(40)).isEqualByComparingTo("0.25");
        assertThat(g.feeFor(100_000, 0)).isEqualTo(g.feeFor(100_000));
        // gas limit 140000: ceil(140000 x 0.05625) = 7875
        assertThat(g.feeFor(100_000, 2)).isEqualTo(new TxFee("stake", BigInteger.valueOf(7875), 140_000));
        assertThat(g.feeFor(100_000, 40).amount()).isEqualTo(BigInteger.valueOf(35_000));
        GasEstimator capped = new GasEstimator(BigDecimal.ONE, new BigDecimal("0.025"), "stake", 1_000_000,
                new BigDecimal("0.05"));
        assertThat(capped.priceAt(2)).isEqualByComparingTo("0.05");
        assertThat(capped.priceAt(1)).isEqualByComparingTo("0.0375");
        assertThatThrownBy(() -> new GasEstimator(BigDecimal.ONE, new BigDecimal("0.025"), "stake", 1_000_000,
                new BigDecimal("0.02"))).hasMessageContaining("max gas price");
        assertThatThrownBy(() -> g.priceAt(-1)).isInstanceOf(IllegalArgumentException.class);
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

    static final String WRAP = "rpc error: code = Unknown desc = ";

    @Test
    void aRealNodesCode6SimulationErrorsAreClassifiedByTheErrorInside() {
        // ISSUE 9: SDK 0.50 wraps every failed simulation as code 6 sdk; a stale sequence must still resync.
        RuntimeException seq = CosmosErrors.simulationFailure(6, "sdk", WRAP + "account sequence mismatch, expected 10, "
                + "got 9: incorrect account sequence [cosmos/cosmos-sdk@v0.50.15/x/auth/ante/sigverify.go:290] with gas "
                + "used: '32143': unknown request");
        assertThat(seq).isInstanceOfSatisfying(SequenceMismatchException.class,
                e -> assertThat(e.expected()).isEqualTo(OptionalLong.of(10)));
        assertThat(seq.getMessage()).doesNotContain("rpc error", "sigverify.go", "gas used", "unknown request");

        RuntimeException contract = CosmosErrors.simulationFailure(6, "sdk", WRAP + "failed to execute message; message "
                + "index: 0: secret does not match hashlock: execute wasm contract failed "
                + "[CosmWasm/wasmd@v0.54.9/x/wasm/keeper/keeper.go:411] with gas used: '120334': unknown request");
        assertThat(contract).isInstanceOfSatisfying(TxRevertedException.class, e -> assertThat(e.txHash()).isNull())
                .hasMessageContaining("secret does not match hashlock").hasMessageNotContaining("keeper.go")
                .hasMessageNotContaining("with gas used");

        RuntimeException funds = CosmosErrors.simulationFailure(6, "sdk", WRAP + "failed to execute message; message "
                + "index: 0: spendable balance 0stake is smaller than 100stake: insufficient funds "
                + "[cosmos/cosmos-sdk@v0.50.15/x/bank/keeper/send.go:278] with gas used: '5000': unknown request");
        assertThat(funds).isInstanceOf(TxRevertedException.class).hasMessageContaining("spendable balance");

        assertThat(CosmosErrors.simulationFailure(6, "sdk", WRAP + "out of gas in location: WriteFlat; gasWanted: 1, "
                + "gasUsed: 2: out of gas [x.go:1] with gas used: '2': unknown request")).isInstanceOf(TransientException.class)
                .isNotInstanceOf(PermanentException.class);
        assertThat(CosmosErrors.simulationFailure(6, "sdk", WRAP + "invalid sender address: decoding bech32 failed: "
                + "invalid address [x.go:1] with gas used: '2': unknown request")).isInstanceOf(PermanentException.class)
                .isNotInstanceOf(TxRevertedException.class);
        // The devnet's and the sheet's first version: original codes.
        assertThat(CosmosErrors.simulationFailure(32, "sdk", "account sequence mismatch, expected 5, got 4: "
                + "incorrect account sequence")).isInstanceOf(SequenceMismatchException.class);
        assertThat(CosmosErrors.simulationFailure(5, "wasm", "failed to execute message; message index: 0: htlc htlc_1 "
                + "has expired: execute wasm contract failed")).isInstanceOf(TxRevertedException.class);
    }

    @Test
    void aMismatchIsRecognisedByItsTextWhateverTheCode() {
        assertThat(CosmosErrors.toException("broadcast", 6, "sdk", "account sequence mismatch, expected 3, got 2: "
                + "incorrect account sequence")).isInstanceOfSatisfying(SequenceMismatchException.class,
                        e -> assertThat(e.expected()).isEqualTo(OptionalLong.of(3)));
        assertThat(CosmosErrors.toException("broadcast", 30, "sdk", "block height: 9, timeout height: 8: tx timeout height"))
                .isInstanceOf(TransientException.class).isNotInstanceOf(PermanentException.class);
    }

    @Test
    void aRefusedSequenceIsNeverKeptButAJournalRefusalKeepsIt() {
        AtomicInteger chainReads = new AtomicInteger();
        AccountSequencer s = new AccountSequencer("acc", () -> {
            chainReads.incrementAndGet();
            return new AccountState(1, 20);
        }, 3);
        List<Long> seen = new ArrayList<>();
        // A permanent error whose text names the sequence (not recognised as a mismatch): the cache is dropped.
        assertThatThrownBy(() -> s.submit((a, q) -> {
            seen.add(q);
            throw new PermanentException("node says: bad account sequence");
        })).isInstanceOf(PermanentException.class);
        s.submit((a, q) -> seen.add(q));
        assertThat(chainReads).hasValue(2);
        // The journal refused (nothing left the process): same sequence next time, no chain read, cause unchanged.
        IllegalStateException crash = new IllegalStateException("disk full");
        assertThatThrownBy(() -> s.submit((a, q) -> {
            seen.add(q);
            throw new AccountSequencer.NotSent(crash);
        })).isSameAs(crash);
        s.submit((a, q) -> seen.add(q));
        assertThat(seen).containsExactly(20L, 20L, 21L, 21L);
        assertThat(chainReads).hasValue(2);
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
