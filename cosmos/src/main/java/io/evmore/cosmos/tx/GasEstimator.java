package io.evmore.cosmos.tx;

import io.evmore.core.error.TransientException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Gas limit = ceil(simulated gas × multiplier); fee = ceil(gas limit × price) in the fee denom, where the price at
 * fee level N is {@code min(gasPrice × 1.5^N, maxGasPrice)} (level 0 = {@code gasPrice}). The gas limit is capped at
 * {@code maxGasLimit}: the SDK charges the whole fee whatever gas is used, so an absurd simulation answer (a broken or
 * hostile RPC endpoint) must not turn into an absurd fee.
 */
public record GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom, long maxGasLimit,
        BigDecimal maxGasPrice) {
    /** HTLC create/withdraw/refund and MsgTransfer need a few hundred thousand gas; this leaves ample room. */
    public static final long DEFAULT_MAX_GAS_LIMIT = 10_000_000L;
    /** Each fee level multiplies the gas price by this. */
    public static final BigDecimal LEVEL_STEP = new BigDecimal("1.5");
    /** Default cap of the escalated gas price: this × the normal gas price. */
    public static final BigDecimal DEFAULT_MAX_PRICE_FACTOR = BigDecimal.TEN;

    public GasEstimator {
        if (multiplier == null || multiplier.compareTo(BigDecimal.ONE) < 0 || multiplier.compareTo(BigDecimal.TEN) > 0) {
            throw new IllegalArgumentException("gas multiplier must be between 1 and 10, got " + multiplier);
        }
        if (gasPrice == null || gasPrice.signum() < 0) {
            throw new IllegalArgumentException("gas price must be >= 0, got " + gasPrice);
        }
        if (feeDenom == null || feeDenom.isEmpty()) throw new IllegalArgumentException("fee denom is missing");
        if (maxGasLimit < 1) throw new IllegalArgumentException("max gas limit must be > 0, got " + maxGasLimit);
        if (maxGasPrice == null || maxGasPrice.compareTo(gasPrice) < 0) {
            throw new IllegalArgumentException("max gas price must be >= the gas price " + gasPrice + ", got " + maxGasPrice);
        }
    }

    public GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom, long maxGasLimit) {
        this(multiplier, gasPrice, feeDenom, maxGasLimit, defaultMaxGasPrice(gasPrice));
    }

    public GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom) {
        this(multiplier, gasPrice, feeDenom, DEFAULT_MAX_GAS_LIMIT);
    }

    /** {@link #DEFAULT_MAX_PRICE_FACTOR} × {@code gasPrice}. */
    public static BigDecimal defaultMaxGasPrice(BigDecimal gasPrice) {
        return gasPrice == null ? null : gasPrice.multiply(DEFAULT_MAX_PRICE_FACTOR);
    }

    /** The gas price at fee {@code level}: {@code min(gasPrice × 1.5^level, maxGasPrice)}, exact. */
    public BigDecimal priceAt(int level) {
        if (level < 0) throw new IllegalArgumentException("fee level must be >= 0, got " + level);
        if (level == 0) return gasPrice;
        BigDecimal p = gasPrice.multiply(LEVEL_STEP.pow(level));
        return p.compareTo(maxGasPrice) > 0 ? maxGasPrice : p;
    }

    /** The fee at level 0. @throws TransientException when the gas limit would exceed {@link #maxGasLimit()} */
    public TxFee feeFor(long simulatedGas) {
        return feeFor(simulatedGas, 0);
    }

    /**
     * The fee at fee {@code level} ({@link #priceAt(int)}).
     *
     * @throws TransientException when the gas limit would exceed {@link #maxGasLimit()}
     */
    public TxFee feeFor(long simulatedGas, int level) {
        if (simulatedGas <= 0) throw new TransientException("simulation reported " + simulatedGas + " gas");
        BigInteger gas = new BigDecimal(simulatedGas).multiply(multiplier).setScale(0, RoundingMode.CEILING)
                .toBigIntegerExact();
        if (gas.compareTo(BigInteger.valueOf(maxGasLimit)) > 0) {
            throw new TransientException("simulation reported " + simulatedGas + " gas: a gas limit of " + gas
                    + " is above the cap of " + maxGasLimit + "; not paying such a fee");
        }
        BigInteger amount = new BigDecimal(gas).multiply(priceAt(level)).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return new TxFee(feeDenom, amount, gas.longValueExact());
    }
}
