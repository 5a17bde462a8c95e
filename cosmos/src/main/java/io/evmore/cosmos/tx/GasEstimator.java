package io.evmore.cosmos.tx;

import io.evmore.core.error.TransientException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * Gas limit = ceil(simulated gas × multiplier); fee = ceil(gas limit × gas price) in the fee denom. The gas
 * limit is capped at {@code maxGasLimit}: the SDK charges the whole fee whatever gas is used, so an absurd
 * simulation answer (a broken or hostile RPC endpoint) must not turn into an absurd fee.
 */
public record GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom, long maxGasLimit) {
    /** HTLC create/withdraw/refund and MsgTransfer need a few hundred thousand gas; this leaves ample room. */
    public static final long DEFAULT_MAX_GAS_LIMIT = 10_000_000L;

    public GasEstimator {
        if (multiplier == null || multiplier.compareTo(BigDecimal.ONE) < 0 || multiplier.compareTo(BigDecimal.TEN) > 0) {
            throw new IllegalArgumentException("gas multiplier must be between 1 and 10, got " + multiplier);
        }
        if (gasPrice == null || gasPrice.signum() < 0) {
            throw new IllegalArgumentException("gas price must be >= 0, got " + gasPrice);
        }
        if (feeDenom == null || feeDenom.isEmpty()) throw new IllegalArgumentException("fee denom is missing");
        if (maxGasLimit < 1) throw new IllegalArgumentException("max gas limit must be > 0, got " + maxGasLimit);
    }

    public GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom) {
        this(multiplier, gasPrice, feeDenom, DEFAULT_MAX_GAS_LIMIT);
    }

    /** @throws TransientException when the gas limit would exceed {@link #maxGasLimit()} */
    public TxFee feeFor(long simulatedGas) {
        if (simulatedGas <= 0) throw new TransientException("simulation reported " + simulatedGas + " gas");
        BigInteger gas = new BigDecimal(simulatedGas).multiply(multiplier).setScale(0, RoundingMode.CEILING)
                .toBigIntegerExact();
        if (gas.compareTo(BigInteger.valueOf(maxGasLimit)) > 0) {
            throw new TransientException("simulation reported " + simulatedGas + " gas: a gas limit of " + gas
                    + " is above the cap of " + maxGasLimit + "; not paying such a fee");
        }
        BigInteger amount = new BigDecimal(gas).multiply(gasPrice).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return new TxFee(feeDenom, amount, gas.longValueExact());
    }
}
