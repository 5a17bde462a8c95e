package io.evmore.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.chain.ChainId;
import io.evmore.core.policy.SwapValidator.Accept;
import io.evmore.core.policy.SwapValidator.Decision;
import io.evmore.core.policy.SwapValidator.LockFacts;
import io.evmore.core.policy.SwapValidator.Refuse;
import io.evmore.core.policy.SwapValidator.Wait;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * SPEC §3 step 2, rule by rule: each refusal, its boundary, confirmations and tiers; then properties that compute every
 * rule independently and compare.
 */
class SwapValidatorTest {
    static final ChainId ETH = ChainId.of("eip155:31337");
    static final ChainId DEVNET = ChainId.of("devnet-a");
    static final String NATIVE = "0x0000000000000000000000000000000000000000";
    static final String HTLC = "0x000000000000000000000000000000000000c0de";
    static final String RECEIVER = "cosmos1" + "q".repeat(38);
    static final long NOW = 1_767_225_600L;
    // F_dst(devnet-a) 10 + P 10 + G_src(eth) 30 + M 60
    static final long GAP = 110;
    static final long W_USER = 300;
    static final Pattern COSMOS = Pattern.compile("cosmos1[0-9a-z]{38}");
    static final Pattern EVM = Pattern.compile("0x[0-9a-fA-F]{40}");

    static final TimelockPolicy TIMELOCKS = new TimelockPolicy(Map.of(
            ETH, new TimelockPolicy.ChainTiming(15, 30), DEVNET, new TimelockPolicy.ChainTiming(10, 30)), 10, 60, W_USER);
    static final Pair ETH_TO_DEVNET = new Pair(ETH, NATIVE, DEVNET, "uatom", BigDecimal.ONE, 30,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));
    static final Pair DEVNET_TO_ETH = new Pair(DEVNET, "uatom", ETH, NATIVE, BigDecimal.ONE, 50,
            BigInteger.valueOf(1_000), BigInteger.valueOf(100_000));
    static final Confirmations CONFIRMATIONS = new Confirmations(Map.of(
            ETH, new Confirmations.Rule(3, List.of(new Confirmations.Tier(NATIVE, BigInteger.valueOf(80_000), 5))),
            DEVNET, new Confirmations.Rule(2, List.of())));
    static final SwapValidator VALIDATOR = new SwapValidator(List.of(ETH_TO_DEVNET, DEVNET_TO_ETH), TIMELOCKS, CONFIRMATIONS,
            Map.of(ETH, s -> EVM.matcher(s).matches(), DEVNET, s -> COSMOS.matcher(s).matches()));

    static final Hashlock HASHLOCK = Secret.of(new byte[32]).hashlock();

    /** A lock that is acceptable in every respect. */
    static LockFacts good() {
        return new LockFacts(ETH, HTLC, HTLC, NATIVE, BigInteger.valueOf(10_000), HASHLOCK, false, NOW + 1_200,
                DEVNET.value(), RECEIVER, 3, NOW, BigInteger.valueOf(1_000_000));
    }

    static LockFacts with(String field, Object v) {
        LockFacts f = good();
        return new LockFacts(f.fromChain(),
                field.equals("contract") ? (String) v : f.contract(), f.configuredContract(),
                field.equals("asset") ? (String) v : f.asset(),
                field.equals("amount") ? BigInteger.valueOf((Long) v) : f.amount(),
                f.hashlock(),
                field.equals("hashlockUsed") ? (Boolean) v : f.hashlockUsedElsewhere(),
                field.equals("sourceTimelock") ? (Long) v : f.sourceTimelock(),
                field.equals("targetChain") ? (String) v : f.targetChain(),
                field.equals("targetAddress") ? (String) v : f.targetAddress(),
                field.equals("seen") ? (Long) v : f.confirmationsSeen(),
                f.now(),
                field.equals("inventory") ? BigInteger.valueOf((Long) v) : f.availableInventory());
    }

    static LockFacts seen(LockFacts f, long seen) {
        return new LockFacts(f.fromChain(), f.contract(), f.configuredContract(), f.asset(), f.amount(), f.hashlock(),
                f.hashlockUsedElsewhere(), f.sourceTimelock(), f.targetChain(), f.targetAddress(), seen, f.now(),
                f.availableInventory());
    }

    static String refusal(LockFacts f) {
        Decision d = VALIDATOR.decide(f);
        assertThat(d).isInstanceOf(Refuse.class);
        return ((Refuse) d).reason();
    }

    // ---- each rule ----------------------------------------------------------------------------------------------------

    @Example
    void anAcceptableLockIsAcceptedWithTheQuoteAndTDst() {
        assertThat(VALIDATOR.decide(good())).isEqualTo(new Accept(DEVNET,
                new Pair.Quote("uatom", BigInteger.valueOf(10_000), BigInteger.valueOf(30), BigInteger.valueOf(9_970)),
                NOW + 1_200 - GAP));
    }

    @Example
    void wrongContract() {
        assertThat(refusal(with("contract", "0x00000000000000000000000000000000000dead1"))).contains("not the relayer's HTLC contract");
        assertThat(VALIDATOR.decide(with("contract", HTLC.toUpperCase().replace("0X", "0x")))).isInstanceOf(Accept.class);
    }

    @Example
    void unknownTargetChain() {
        assertThat(refusal(with("targetChain", "not a chain!"))).startsWith("unknown target chain");
        assertThat(refusal(with("targetChain", ""))).startsWith("unknown target chain");
    }

    @Example
    void noPair() {
        assertThat(refusal(with("targetChain", "osmosis-1"))).startsWith("no pair configured");
        assertThat(refusal(with("asset", "0x00000000000000000000000000000000000000ee"))).startsWith("no pair configured");
        assertThat(refusal(with("targetChain", ETH.value()))).startsWith("no pair configured"); // same chain
    }

    @Example
    void amountLimitsAreInclusive() {
        assertThat(refusal(with("amount", 999L))).contains("outside the pair's limits");
        assertThat(VALIDATOR.decide(with("amount", 1_000L))).isInstanceOf(Accept.class);
        assertThat(VALIDATOR.decide(seen(with("amount", 100_000L), 5))).isInstanceOf(Accept.class);
        assertThat(refusal(with("amount", 100_001L))).contains("outside the pair's limits");
    }

    @Example
    void hashlockAlreadyUsed() {
        assertThat(refusal(with("hashlockUsed", true))).contains("already used by another swap");
    }

    @Example
    void badReceiver() {
        assertThat(refusal(with("targetAddress", "0x00000000000000000000000000000000000000aa"))).contains("not a valid address on devnet-a");
        assertThat(refusal(with("targetAddress", ""))).contains("not a valid address");
        assertThat(refusal(with("targetAddress", null))).contains("not a valid address");
    }

    @Example
    void tooLittleTimeHasItsBoundaryAtExactlyWUser() {
        long exactly = NOW + W_USER + GAP; // T_dst - now == W_user
        assertThat(VALIDATOR.decide(with("sourceTimelock", exactly))).isInstanceOf(Accept.class);
        assertThat(refusal(with("sourceTimelock", exactly - 1))).startsWith("too little time left")
                .contains("299 s").contains("W_user 300");
        assertThat(refusal(with("sourceTimelock", NOW - 10))).startsWith("too little time left");
    }

    @Example
    void nothingLeftAfterTheFee() {
        Pair costly = new Pair(ETH, NATIVE, DEVNET, "uatom", BigDecimal.ONE, 9_999, BigInteger.ONE, BigInteger.TEN);
        SwapValidator v = new SwapValidator(List.of(costly), TIMELOCKS, CONFIRMATIONS, Map.of(DEVNET, s -> true));
        // gross 1, fee ceil(0.9999) = 1, net 0
        assertThat(((Refuse) v.decide(with("amount", 1L))).reason()).contains("nothing is left after the fee");
        // gross 10, fee ceil(9.999) = 10, net 0
        assertThat(((Refuse) v.decide(with("amount", 10L))).reason()).contains("nothing is left after the fee");
    }

    @Example
    void inventoryBoundary() {
        assertThat(VALIDATOR.decide(with("inventory", 9_970L))).isInstanceOf(Accept.class);
        assertThat(refusal(with("inventory", 9_969L))).startsWith("insufficient inventory");
        assertThat(refusal(new LockFacts(ETH, HTLC, HTLC, NATIVE, BigInteger.valueOf(10_000), HASHLOCK, false, NOW + 1_200,
                DEVNET.value(), RECEIVER, 3, NOW, null))).startsWith("insufficient inventory");
    }

    @Example
    void waitsUntilConfirmed() {
        assertThat(VALIDATOR.decide(with("seen", 0L))).isEqualTo(new Wait(0, 3));
        assertThat(VALIDATOR.decide(with("seen", 2L))).isEqualTo(new Wait(2, 3));
        assertThat(VALIDATOR.decide(with("seen", 3L))).isInstanceOf(Accept.class);
    }

    @Example
    void largerAmountsNeedTheirTiersConfirmations() {
        assertThat(VALIDATOR.decide(with("amount", 79_999L))).isInstanceOf(Accept.class);
        assertThat(VALIDATOR.decide(with("amount", 80_000L))).isEqualTo(new Wait(3, 5));
        assertThat(VALIDATOR.decide(seen(with("amount", 80_000L), 4))).isEqualTo(new Wait(4, 5));
        assertThat(VALIDATOR.decide(seen(with("amount", 80_000L), 5))).isInstanceOf(Accept.class);
        // A tier never lowers the chain's default.
        Confirmations lax = new Confirmations(Map.of(ETH, new Confirmations.Rule(3,
                List.of(new Confirmations.Tier(NATIVE, BigInteger.ZERO, 1)))));
        assertThat(lax.required(ETH, NATIVE, BigInteger.TEN)).isEqualTo(3);
    }

    @Example
    void aRefusalIsDecidedBeforeWaitingForConfirmations() {
        assertThat(refusal(seen(with("hashlockUsed", true), 0))).contains("already used");
    }

    // ---- properties -----------------------------------------------------------------------------------------------

    /** Accept exactly when every rule holds, each computed here independently of the validator. */
    @Property(tries = 2_000)
    void acceptsOnlyWhenEveryRuleHolds(@ForAll("facts") LockFacts f) {
        Decision d = VALIDATOR.decide(f);
        boolean contractOk = f.contract().equalsIgnoreCase(HTLC);
        boolean pairOk = f.targetChain().equals(DEVNET.value()) && f.asset().equalsIgnoreCase(NATIVE);
        long amount = f.amount().longValueExact();
        boolean limitsOk = amount >= 1_000 && amount <= 100_000;
        boolean receiverOk = f.targetAddress() != null && COSMOS.matcher(f.targetAddress()).matches();
        long tDst = f.sourceTimelock() - GAP;
        boolean timeOk = tDst - f.now() >= W_USER;
        long fee = (amount * 30 + 9_999) / 10_000;
        long net = amount - fee;
        boolean inventoryOk = f.availableInventory().longValueExact() >= net;
        int required = amount >= 80_000 ? 5 : 3;
        boolean everyRule = contractOk && pairOk && limitsOk && !f.hashlockUsedElsewhere() && receiverOk && timeOk
                && net > 0 && inventoryOk;

        if (d instanceof Accept a) {
            assertThat(everyRule).as("accepted although a rule is broken: " + f).isTrue();
            assertThat(f.confirmationsSeen()).isGreaterThanOrEqualTo(required);
            assertThat(a.destTimelock()).isEqualTo(tDst);
            assertThat(a.quote().net()).isEqualTo(net);
            assertThat(a.quote().fee()).isEqualTo(fee);
            assertThat(a.toChain()).isEqualTo(DEVNET);
        } else if (d instanceof Wait w) {
            assertThat(everyRule).as("waiting although a rule is broken: " + f).isTrue();
            assertThat(w.required()).isEqualTo(required);
            assertThat(w.seen()).isLessThan(required);
        } else {
            assertThat(everyRule).as("refused " + ((Refuse) d).reason() + " although every rule holds: " + f).isFalse();
        }
    }

    @Provide
    Arbitrary<LockFacts> facts() {
        Arbitrary<String> contract = Arbitraries.of(HTLC, HTLC.replace("c0de", "C0DE"), "0x00000000000000000000000000000000000dead1");
        Arbitrary<String> asset = Arbitraries.of(NATIVE, "0x00000000000000000000000000000000000000ee", "uatom");
        Arbitrary<Long> amount = Arbitraries.oneOf(Arbitraries.longs().between(1, 200_000),
                Arbitraries.of(1L, 999L, 1_000L, 79_999L, 80_000L, 100_000L, 100_001L));
        Arbitrary<Boolean> used = Arbitraries.of(false, false, false, true);
        Arbitrary<Long> timeLeft = Arbitraries.oneOf(Arbitraries.longs().between(-100, 3_000),
                Arbitraries.of(W_USER + GAP - 1, W_USER + GAP, W_USER + GAP + 1));
        Arbitrary<String> target = Arbitraries.of(DEVNET.value(), DEVNET.value(), "osmosis-1", ETH.value(), "bad chain");
        Arbitrary<String> receiver = Arbitraries.of(RECEIVER, RECEIVER, "cosmos1short", "0x00000000000000000000000000000000000000aa", "");
        Arbitrary<Long> seen = Arbitraries.longs().between(0, 6);
        Arbitrary<Long> inventory = Arbitraries.oneOf(Arbitraries.longs().between(0, 200_000), Arbitraries.of(9_969L, 9_970L));
        List<Arbitrary<Object>> parts = List.of(contract.map(x -> (Object) x), asset.map(x -> (Object) x), amount.map(x -> (Object) x),
                used.map(x -> (Object) x), timeLeft.map(x -> (Object) x), target.map(x -> (Object) x), receiver.map(x -> (Object) x),
                seen.map(x -> (Object) x), inventory.map(x -> (Object) x));
        return net.jqwik.api.Combinators.combine(parts)
                .as(v -> new LockFacts(ETH, (String) v.get(0), HTLC, (String) v.get(1), BigInteger.valueOf((Long) v.get(2)),
                        HASHLOCK, (Boolean) v.get(3), NOW + (Long) v.get(4), (String) v.get(5), (String) v.get(6),
                        (Long) v.get(7), NOW, BigInteger.valueOf((Long) v.get(8))));
    }

    /** Whatever the timings, an accepted T_dst obeys both SPEC §3 inequalities. */
    @Property(tries = 1_000)
    void anAcceptedTDstKeepsTheTimelockRule(@ForAll @LongRange(min = 0, max = 600) long fDst,
            @ForAll @LongRange(min = 0, max = 600) long gSrc, @ForAll @LongRange(min = 0, max = 120) long p,
            @ForAll @LongRange(min = 0, max = 3_600) long m, @ForAll @LongRange(min = 1, max = 7_200) long wUser,
            @ForAll @LongRange(min = -1_000, max = 20_000) long timeLeft, @ForAll @IntRange(min = 0, max = 2) int direction) {
        ChainId from = direction == 0 ? ETH : DEVNET;
        ChainId to = direction == 0 ? DEVNET : ETH;
        TimelockPolicy policy = new TimelockPolicy(Map.of(from, new TimelockPolicy.ChainTiming(7, gSrc),
                to, new TimelockPolicy.ChainTiming(fDst, 11)), p, m, wUser);
        SwapValidator v = new SwapValidator(List.of(ETH_TO_DEVNET, DEVNET_TO_ETH), policy, CONFIRMATIONS,
                Map.of(ETH, s -> true, DEVNET, s -> true));
        long tSrc = NOW + timeLeft;
        Decision d = v.decide(new LockFacts(from, HTLC, HTLC, from == ETH ? NATIVE : "uatom", BigInteger.valueOf(10_000),
                HASHLOCK, false, tSrc, to.value(), "x", 9, NOW, BigInteger.valueOf(1_000_000)));
        if (d instanceof Accept a) {
            assertThat(a.destTimelock()).isLessThanOrEqualTo(tSrc - (fDst + p + gSrc + m));
            assertThat(a.destTimelock() - NOW).isGreaterThanOrEqualTo(wUser);
        } else {
            assertThat(((Refuse) d).reason()).startsWith("too little time left");
            assertThat(tSrc - (fDst + p + gSrc + m) - NOW).isLessThan(wUser);
        }
    }
}
