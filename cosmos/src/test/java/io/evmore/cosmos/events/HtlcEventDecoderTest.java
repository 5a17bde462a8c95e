package io.evmore.cosmos.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.events.DroppedEvents.Reason;
import io.evmore.cosmos.rpc.AbciEvent;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HtlcEventDecoderTest {
    static final ChainId CHAIN = ChainId.of("devnet-1");
    static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";
    static final String ALICE = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
    static final String BOB = "cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu";
    static final Secret SECRET = Secret.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    static final ChainEvent.Origin ORIGIN = new ChainEvent.Origin(CHAIN, 5, "AB".repeat(32), "CD".repeat(32), 3);

    final DroppedEvents dropped = new DroppedEvents(new PrometheusRegistry());
    final HtlcEventDecoder decoder = new HtlcEventDecoder(CHAIN, CONTRACT, "cosmos", dropped);

    static AbciEvent wasm(String contract, String... kv) {
        List<AbciEvent.Attribute> attrs = new ArrayList<>();
        attrs.add(new AbciEvent.Attribute("_contract_address", contract));
        for (int i = 0; i < kv.length; i += 2) attrs.add(new AbciEvent.Attribute(kv[i], kv[i + 1]));
        return new AbciEvent("wasm", attrs);
    }

    static AbciEvent create(String contract, String amount, String hashlock, String timelock) {
        return wasm(contract, "method", "create_htlc", "htlc_id", "htlc_1", "sender", ALICE, "receiver", BOB,
                "amount", amount, "denom", "stake", "hashlock", hashlock, "timelock", timelock,
                "target_chain", "eip155:1", "target_address", "0xabc");
    }

    @Test
    void decodesCreateWithdrawRefundOfTheConfiguredContract() {
        Optional<ChainEvent> c = decoder.decode(create(CONTRACT, "100", SECRET.hashlock().hex(), "1700000100"), ORIGIN);
        assertThat(c).get().isInstanceOfSatisfying(ChainEvent.HtlcLocked.class, l -> {
            HtlcRecord h = l.htlc();
            assertThat(h.id()).isEqualTo("htlc_1");
            assertThat(h.sender()).isEqualTo(ALICE);
            assertThat(h.receiver()).isEqualTo(BOB);
            assertThat(h.amount()).isEqualTo(BigInteger.valueOf(100));
            assertThat(h.asset()).isEqualTo("stake");
            assertThat(h.hashlock()).isEqualTo(SECRET.hashlock());
            assertThat(h.timelock()).isEqualTo(1700000100L);
            assertThat(h.targetChain()).isEqualTo("eip155:1");
            assertThat(h.status()).isEqualTo(HtlcRecord.Status.OPEN);
            assertThat(l.origin()).isEqualTo(ORIGIN);
        });
        Optional<ChainEvent> w = decoder.decode(wasm(CONTRACT, "method", "withdraw", "htlc_id", "htlc_1", "sender", ALICE,
                "receiver", BOB, "amount", "100", "denom", "stake", "hashlock", SECRET.hashlock().hex(),
                "timelock", "1700000100", "secret", SECRET.hex()), ORIGIN);
        assertThat(w).get().isInstanceOfSatisfying(ChainEvent.HtlcClaimed.class, e -> {
            assertThat(e.htlcId()).isEqualTo("htlc_1");
            assertThat(e.secret()).isEqualTo(SECRET);
        });
        assertThat(decoder.decode(wasm(CONTRACT, "method", "refund", "htlc_id", "htlc_7"), ORIGIN)).get()
                .isEqualTo(new ChainEvent.HtlcRefunded(ORIGIN, "htlc_7"));
    }

    @Test
    void otherEventsAreIgnoredAndLookalikesFromOtherContractsDropped() {
        assertThat(decoder.decode(new AbciEvent("transfer", List.of()), ORIGIN)).isEmpty();
        assertThat(decoder.decode(wasm(ALICE, "action", "swap"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.UNKNOWN_CONTRACT)).isZero();
        assertThat(decoder.decode(create(ALICE, "100", SECRET.hashlock().hex(), "1700000100"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.UNKNOWN_CONTRACT)).isEqualTo(1);
    }

    @Test
    void theContractsInstantiateEventIsIgnoredQuietlyNotDropped() {
        assertThat(decoder.decode(wasm(CONTRACT, "method", "instantiate", "owner", ALICE), ORIGIN)).isEmpty();
        for (Reason r : Reason.values()) assertThat(dropped.count(CHAIN, r)).as(r.name()).isZero();
    }

    @Test
    void malformedAndAbsurdInputIsDroppedWithAReasonNeverThrown() {
        String hl = SECRET.hashlock().hex();
        assertThat(decoder.decode(create(CONTRACT, "0", hl, "1700000100"), ORIGIN)).isEmpty();
        assertThat(decoder.decode(create(CONTRACT, "2".repeat(78), hl, "1700000100"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.ABSURD_VALUE)).isEqualTo(2);
        assertThat(decoder.decode(create(CONTRACT, "-5", hl, "1700000100"), ORIGIN)).isEmpty();
        assertThat(decoder.decode(create(CONTRACT, "100", "xyz", "1700000100"), ORIGIN)).isEmpty();
        assertThat(decoder.decode(create(CONTRACT, "100", hl, "soon"), ORIGIN)).isEmpty();
        assertThat(decoder.decode(wasm(CONTRACT, "method", "refund", "htlc_id", "htlc_0"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.MALFORMED_ATTRIBUTE)).isEqualTo(4);
        assertThat(decoder.decode(create(CONTRACT, "100", hl, "99999999999999"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.ABSURD_VALUE)).isEqualTo(3);
        assertThat(decoder.decode(wasm(CONTRACT, "method", "refund"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.MISSING_ATTRIBUTE)).isEqualTo(1);
        assertThat(decoder.decode(wasm(CONTRACT, "method", "rug_pull"), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.UNKNOWN_METHOD)).isEqualTo(1);
        assertThat(decoder.decode(wasm(CONTRACT, "method", "refund", "htlc_id", "htlc_1", "htlc_id", "htlc_2"), ORIGIN))
                .isEmpty();
        assertThat(dropped.count(CHAIN, Reason.DUPLICATE_ATTRIBUTE)).isEqualTo(1);
        AbciEvent badReceiver = wasm(CONTRACT, "method", "create_htlc", "htlc_id", "htlc_1", "sender", ALICE,
                "receiver", "osmo19rl4cm2hmr8afy4kldpxz3fka4jguq0a0z2c5k", "amount", "1", "denom", "stake",
                "hashlock", hl, "timelock", "1700000100", "target_chain", "x", "target_address", "y");
        assertThat(decoder.decode(badReceiver, ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.MALFORMED_ATTRIBUTE)).isEqualTo(5);
    }

    @Test
    void withdrawWithWrongLengthOrNonMatchingSecretIsDropped() {
        String hl = SECRET.hashlock().hex();
        assertThat(decoder.decode(wasm(CONTRACT, "method", "withdraw", "htlc_id", "htlc_1", "hashlock", hl,
                "secret", SECRET.hex().substring(2)), ORIGIN)).isEmpty();
        assertThat(decoder.decode(wasm(CONTRACT, "method", "withdraw", "htlc_id", "htlc_1", "hashlock", hl,
                "secret", "00".repeat(32)), ORIGIN)).isEmpty();
        assertThat(dropped.count(CHAIN, Reason.BAD_SECRET)).isEqualTo(2);
    }

    @Test
    void chainTextInLogLinesIsShortAndCannotForgeLines() {
        assertThat(HtlcEventDecoder.abbreviate("x\nWARN fake line\r\u001b[31m")).isEqualTo("x?WARN fake line??[31m");
        assertThat(HtlcEventDecoder.abbreviate("a".repeat(200))).hasSize(81).endsWith("…");
    }
}
