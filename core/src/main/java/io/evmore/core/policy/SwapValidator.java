package io.evmore.core.policy;

import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Hashlock;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides, from facts alone, whether the relayer may counter-lock for a user's source lock (SPEC §3 step 2). Pure:
 * no I/O, no clock; the engine gathers the facts. Every refusal names what is wrong; a lock that is acceptable but
 * not yet final is {@link Wait}.
 *
 * <p>It accepts only when: the lock is on the configured contract; a pair is configured for (source chain, asset,
 * target chain); the amount is within the pair's limits; the hashlock is not used by another swap; the receiver is
 * a well-formed address of the target chain; {@code T_dst = T_src − (F_dst + P + G_src + M)} leaves the user at least
 * {@code W_user + H} ({@code H} of the destination's IBC route, 0 for a direct one); the quote is positive; inventory minus what other swaps reserved covers it; and the lock has
 * the configured confirmations.
 */
public final class SwapValidator {

    /** What the engine knows about a source lock when it decides. */
    public record LockFacts(ChainId fromChain, String contract, String configuredContract, String asset, BigInteger amount,
            Hashlock hashlock, boolean hashlockUsedElsewhere, long sourceTimelock, String targetChain, String targetAddress,
            long confirmationsSeen, long now, BigInteger availableInventory) {}

    public sealed interface Decision {}

    /** Counter-lock {@code quote.net()} of {@code quote.asset()} on {@code toChain}, expiring at {@code destTimelock}. */
    public record Accept(ChainId toChain, Pair.Quote quote, long destTimelock) implements Decision {}

    public record Refuse(String reason) implements Decision {}

    /** Acceptable so far, but the lock has {@code seen} of {@code required} confirmations. */
    public record Wait(long seen, int required) implements Decision {}

    private final List<Pair> pairs;
    private final TimelockPolicy timelocks;
    private final Confirmations confirmations;
    private final Map<ChainId, Predicate<String>> receiverFormats;

    /** @param receiverFormats per destination chain, which addresses are well-formed there */
    public SwapValidator(List<Pair> pairs, TimelockPolicy timelocks, Confirmations confirmations,
            Map<ChainId, Predicate<String>> receiverFormats) {
        this.pairs = List.copyOf(pairs);
        this.timelocks = timelocks;
        this.confirmations = confirmations;
        this.receiverFormats = Map.copyOf(receiverFormats);
    }

    public Optional<Pair> pair(ChainId from, String asset, ChainId to) {
        return pairs.stream().filter(p -> p.matches(from, asset, to)).findFirst();
    }

    public List<Pair> pairs() {
        return pairs;
    }

    public TimelockPolicy timelocks() {
        return timelocks;
    }

    /** Confirmations a source lock of {@code amount} of {@code asset} on {@code chain} needs before it is paid for. */
    public int requiredConfirmations(ChainId chain, String asset, BigInteger amount) {
        return confirmations.required(chain, asset, amount);
    }

    public Decision decide(LockFacts f) {
        if (!sameContract(f.contract(), f.configuredContract())) {
            return new Refuse("lock is on contract " + f.contract() + ", not the relayer's HTLC contract " + f.configuredContract());
        }
        ChainId to;
        try {
            to = ChainId.of(f.targetChain());
        } catch (IllegalArgumentException e) {
            return new Refuse("unknown target chain '" + printable(f.targetChain()) + "'");
        }
        Optional<Pair> pair = pair(f.fromChain(), f.asset(), to);
        if (pair.isEmpty()) {
            return new Refuse("no pair configured for " + f.asset() + " from " + f.fromChain() + " to " + to);
        }
        Pair p = pair.get();
        if (!p.withinLimits(f.amount())) {
            return new Refuse("amount " + f.amount() + " is outside the pair's limits [" + p.minAmount() + ", " + p.maxAmount() + "]");
        }
        if (f.hashlock() == null) return new Refuse("hashlock is missing");
        if (f.hashlockUsedElsewhere()) return new Refuse("hashlock " + f.hashlock().hex() + " is already used by another swap");
        Predicate<String> format = receiverFormats.get(to);
        if (format == null || f.targetAddress() == null || !format.test(f.targetAddress())) {
            return new Refuse("target address '" + printable(f.targetAddress()) + "' is not a valid address on " + to);
        }
        long destTimelock = timelocks.destTimelock(f.sourceTimelock(), f.fromChain(), to);
        String timeProblem = timelocks.tooLittleTime(to, destTimelock, f.now());
        if (timeProblem != null) return new Refuse(timeProblem);
        Pair.Quote quote = p.quote(f.amount());
        if (quote.net().signum() <= 0) {
            return new Refuse("amount " + f.amount() + " is too small: nothing is left after the fee");
        }
        if (f.availableInventory() == null || f.availableInventory().compareTo(quote.net()) < 0) {
            return new Refuse("insufficient inventory: " + quote.net() + " " + quote.asset() + " needed on " + to + ", "
                    + f.availableInventory() + " available after other swaps' reservations");
        }
        int required = confirmations.required(f.fromChain(), f.asset(), f.amount());
        if (f.confirmationsSeen() < required) return new Wait(f.confirmationsSeen(), required);
        return new Accept(to, quote, destTimelock);
    }

    /**
     * Whether two contract addresses name the same contract: EVM hex addresses ({@code 0x…}) compared without regard to
     * case (checksummed or not), any other (a CosmWasm bech32 address) exactly. Null is no contract.
     */
    public static boolean sameContract(String a, String b) {
        if (a == null || b == null) return false;
        return a.startsWith("0x") ? a.equalsIgnoreCase(b) : a.equals(b);
    }

    /** Chain-supplied text in a stored reason: bounded, printable. */
    static String printable(String s) {
        if (s == null) return "";
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
    }
}
