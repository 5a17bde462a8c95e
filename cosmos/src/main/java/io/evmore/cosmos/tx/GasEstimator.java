package io.evmore.cosmos.tx;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/** Gas limit = ceil(simulated gas × multiplier); fee = ceil(gas limit × gas price) in the fee denom. */
public record GasEstimator(BigDecimal multiplier, BigDecimal gasPrice, String feeDenom) {
    public GasEstimator {
        if (multiplier == null || multiplier.compareTo(BigDecimal.ONE) < 0 || multiplier.compareTo(BigDecimal.TEN) > 0) {
            throw new IllegalArgumentException("gas multiplier must be between 1 and 10, got " + multiplier);
        }
        if (gasPrice == null || gasPrice.signum() < 0) {
            throw new IllegalArgumentException("gas price must be >= 0, got " + gasPrice);
        }
        if (feeDenom == null || feeDenom.isEmpty()) throw new IllegalArgumentException("fee denom is missing");
    }

    public TxFee feeFor(long simulatedGas) {
        if (simulatedGas <= 0) throw new IllegalArgumentException("simulated gas must be > 0, got " + simulatedGas);
        BigInteger gas = new BigDecimal(simulatedGas).multiply(multiplier).setScale(0, RoundingMode.CEILING)
                .toBigIntegerExact();
        if (gas.bitLength() > 63) throw new IllegalArgumentException("gas limit overflows: " + gas);
        BigInteger amount = new BigDecimal(gas).multiply(gasPrice).setScale(0, RoundingMode.CEILING).toBigIntegerExact();
        return new TxFee(feeDenom, amount, gas.longValueExact());
    }
}
