package io.evmore.core.policy;

import io.evmore.core.chain.ChainId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * One configured swap pair: what a user may lock on {@code fromChain} and what the relayer locks for them on
 * {@code toChain}.
 *
 * <p>The quote, in base units, rounds in the relayer's favour and is exact:
 * {@code gross = floor(amount × rate)}, {@code fee = ceil(gross × feeBps / 10000)}, {@code net = gross − fee}.
 *
 * @param rate    destination base units per source base unit (e.g. 1 uatom per 10^12 wei is 0.000000000001)
 * @param feeBps  relayer fee in basis points of the gross amount (0–10000)
 * @param minAmount smallest source amount accepted, base units, inclusive
 * @param maxAmount largest source amount accepted, base units, inclusive
 */
public record Pair(ChainId fromChain, String fromAsset, ChainId toChain, String toAsset, BigDecimal rate, int feeBps,
        BigInteger minAmount, BigInteger maxAmount) {

    public Pair {
        if (fromChain == null || toChain == null) throw new IllegalArgumentException("pair chains are required");
        if (fromChain.equals(toChain)) throw new IllegalArgumentException("pair " + fromChain + " -> " + toChain + " must join two chains");
        if (fromAsset == null || fromAsset.isBlank() || toAsset == null || toAsset.isBlank()) {
            throw new IllegalArgumentException("pair assets are required");
        }
        if (rate == null || rate.signum() <= 0) throw new IllegalArgumentException("pair rate must be > 0, got " + rate);
        if (feeBps < 0 || feeBps >= 10_000) throw new IllegalArgumentException("pair feeBps must be 0..9999, got " + feeBps);
        if (minAmount == null || minAmount.signum() <= 0) throw new IllegalArgumentException("pair minAmount must be > 0");
        if (maxAmount == null || maxAmount.compareTo(minAmount) < 0) {
            throw new IllegalArgumentException("pair maxAmount must be >= minAmount");
        }
    }

    public boolean matches(ChainId from, String asset, ChainId to) {
        return fromChain.equals(from) && toChain.equals(to) && sameAsset(fromAsset, asset);
    }

    /** EVM token addresses compare case-insensitively; Cosmos denoms exactly. */
    static boolean sameAsset(String a, String b) {
        return a.startsWith("0x") ? a.equalsIgnoreCase(b) : a.equals(b);
    }

    public boolean withinLimits(BigInteger amount) {
        return amount.compareTo(minAmount) >= 0 && amount.compareTo(maxAmount) <= 0;
    }

    /** The exact quote for {@code amount} source base units. */
    public Quote quote(BigInteger amount) {
        BigInteger gross = new BigDecimal(amount).multiply(rate).setScale(0, RoundingMode.FLOOR).toBigIntegerExact();
        BigInteger fee = new BigDecimal(gross).multiply(BigDecimal.valueOf(feeBps))
                .divide(BigDecimal.valueOf(10_000), 0, RoundingMode.CEILING).toBigIntegerExact();
        return new Quote(toAsset, gross, fee, gross.subtract(fee));
    }

    /** What the relayer locks: {@code net} of {@code asset}; {@code gross − fee = net}. */
    public record Quote(String asset, BigInteger gross, BigInteger fee, BigInteger net) {}
}
