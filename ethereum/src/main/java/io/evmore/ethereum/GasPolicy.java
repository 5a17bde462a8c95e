package io.evmore.ethereum;

import java.math.BigInteger;
import java.time.Duration;

/**
 * EIP-1559 fee rules. A new transaction offers {@code maxFee = baseFee × baseFeeMultiplier + priorityFee}
 * (capped at {@code maxFeeCap}); a transaction not mined after {@code escalateAfter} is re-sent with the same
 * nonce and both fees raised by {@code bumpPercent} (nodes require at least 10 % to replace), never above the cap.
 * The engine's fee levels: a send at level N starts at {@link #atLevel} (the initial offer escalated N times); a
 * replacement of a pending transaction from its journaled bytes bids {@link #replacement}.
 *
 * @param maxFeeCap          most wei per gas the relayer ever offers
 * @param priorityFee        initial tip, wei per gas
 * @param baseFeeMultiplier  head-room over the current base fee for the first offer
 * @param escalateAfter      a transaction still unmined this long after its last (re)send is escalated
 * @param bumpPercent        fee increase per escalation, at least 10
 * @param gasMarginPercent   added to eth_estimateGas results
 */
public record GasPolicy(BigInteger maxFeeCap, BigInteger priorityFee, int baseFeeMultiplier, Duration escalateAfter,
        int bumpPercent, int gasMarginPercent) {

    public GasPolicy {
        if (maxFeeCap == null || maxFeeCap.signum() <= 0) throw new IllegalArgumentException("fees.maxFeeCap must be > 0");
        if (priorityFee == null || priorityFee.signum() < 0) throw new IllegalArgumentException("fees.priorityFee must be >= 0");
        if (priorityFee.compareTo(maxFeeCap) > 0) throw new IllegalArgumentException("fees.priorityFee must be <= fees.maxFeeCap");
        if (baseFeeMultiplier < 1 || baseFeeMultiplier > 10) {
            throw new IllegalArgumentException("fees.baseFeeMultiplier must be 1..10, got " + baseFeeMultiplier);
        }
        if (escalateAfter == null || escalateAfter.isNegative() || escalateAfter.isZero()) {
            throw new IllegalArgumentException("fees.escalateAfter must be > 0");
        }
        if (bumpPercent < 10 || bumpPercent > 200) throw new IllegalArgumentException("fees.bumpPercent must be 10..200, got " + bumpPercent);
        if (gasMarginPercent < 0 || gasMarginPercent > 200) {
            throw new IllegalArgumentException("fees.gasMarginPercent must be 0..200, got " + gasMarginPercent);
        }
    }

    /** Mainnet-minded defaults: cap 500 gwei, tip 1.5 gwei, 2× base fee, escalate after 60 s by 20 %, gas +25 %. */
    public static GasPolicy defaults() {
        return new GasPolicy(gwei(500), new BigInteger("1500000000"), 2, Duration.ofSeconds(60), 20, 25);
    }

    public GasPolicy withEscalateAfter(Duration d) {
        return new GasPolicy(maxFeeCap, priorityFee, baseFeeMultiplier, d, bumpPercent, gasMarginPercent);
    }

    public GasPolicy withMaxFeeCap(BigInteger cap) {
        return new GasPolicy(cap, priorityFee.min(cap), baseFeeMultiplier, escalateAfter, bumpPercent, gasMarginPercent);
    }

    public static BigInteger gwei(long n) {
        return BigInteger.valueOf(n).multiply(BigInteger.TEN.pow(9));
    }

    /** The fees of a transaction: what it offers per gas. */
    public record Fees(BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas) {}

    public Fees initial(BigInteger baseFee) {
        BigInteger tip = priorityFee;
        BigInteger max = baseFee.multiply(BigInteger.valueOf(baseFeeMultiplier)).add(tip).min(maxFeeCap);
        return new Fees(max, tip.min(max));
    }

    /**
     * The next offer for a stuck transaction: both fees up by {@code bumpPercent} (plus one wei, so integer
     * rounding never yields "the same"), and at least what the current base fee needs; null if the cap leaves no
     * room for a valid replacement.
     */
    public Fees escalate(Fees current, BigInteger baseFee) {
        BigInteger factor = BigInteger.valueOf(100 + bumpPercent);
        BigInteger tip = current.maxPriorityFeePerGas().multiply(factor).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
        BigInteger max = current.maxFeePerGas().multiply(factor).divide(BigInteger.valueOf(100)).add(BigInteger.ONE);
        max = max.max(baseFee.multiply(BigInteger.valueOf(baseFeeMultiplier)).add(tip));
        if (max.compareTo(maxFeeCap) > 0) {
            max = maxFeeCap;
        }
        tip = tip.min(max);
        BigInteger minMax = current.maxFeePerGas().multiply(BigInteger.valueOf(110)).divide(BigInteger.valueOf(100));
        BigInteger minTip = current.maxPriorityFeePerGas().multiply(BigInteger.valueOf(110)).divide(BigInteger.valueOf(100));
        if (max.compareTo(minMax) < 0 || tip.compareTo(minTip) < 0) {
            return null; // at the cap: a replacement would be refused as underpriced
        }
        return new Fees(max, tip);
    }

    /**
     * The fees a new transaction starts with at fee level {@code level} (an engine's {@code FeeBid}): the initial
     * offer raised {@code level} times by {@code bumpPercent} (plus one wei) and following the base fee like
     * {@link #escalate}, never above {@code maxFeeCap}. Level 0 is {@link #initial}. A new transaction replaces
     * nothing, so unlike {@link #escalate} a last step smaller than 10 % still counts: the offer goes up to the cap.
     */
    public Fees atLevel(BigInteger baseFee, int level) {
        if (level < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + level);
        Fees f = initial(baseFee);
        BigInteger factor = BigInteger.valueOf(100 + bumpPercent);
        BigInteger floor = baseFee.multiply(BigInteger.valueOf(baseFeeMultiplier));
        for (int i = 0; i < level && f.maxFeePerGas().compareTo(maxFeeCap) < 0; i++) {
            BigInteger tip = f.maxPriorityFeePerGas().multiply(factor).divide(HUNDRED).add(BigInteger.ONE);
            BigInteger max = f.maxFeePerGas().multiply(factor).divide(HUNDRED).add(BigInteger.ONE).max(floor.add(tip)).min(maxFeeCap);
            f = new Fees(max, tip.min(max));
        }
        return f;
    }

    /**
     * The fees of a transaction that replaces a pending one offering {@code pending}, bidding at fee level
     * {@code level}: both fees at least 112.5 % of the pending ones (rounded up; nodes want at least +10 % on both to
     * accept a replacement), and at least {@link #atLevel} against the current base fee. Never above
     * {@code maxFeeCap}: capped there, and null when the cap leaves no room for a replacement a node would accept
     * (a higher maximum fee and +10 % on both fees).
     */
    public Fees replacement(Fees pending, BigInteger baseFee, int level) {
        BigInteger max = ceil(pending.maxFeePerGas(), 9, 8);
        BigInteger tip = ceil(pending.maxPriorityFeePerGas(), 9, 8);
        Fees bid = atLevel(baseFee, level);
        max = max.max(bid.maxFeePerGas()).min(maxFeeCap);
        tip = tip.max(bid.maxPriorityFeePerGas()).min(max);
        if (max.compareTo(pending.maxFeePerGas()) <= 0
                || max.compareTo(ceil(pending.maxFeePerGas(), 110, 100)) < 0
                || tip.compareTo(ceil(pending.maxPriorityFeePerGas(), 110, 100)) < 0) {
            return null; // at the cap: a node would refuse it as underpriced
        }
        return new Fees(max, tip);
    }

    private static final BigInteger HUNDRED = BigInteger.valueOf(100);

    /** ceil(v × num / den). */
    private static BigInteger ceil(BigInteger v, long num, long den) {
        BigInteger[] qr = v.multiply(BigInteger.valueOf(num)).divideAndRemainder(BigInteger.valueOf(den));
        return qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    }
}
