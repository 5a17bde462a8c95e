package io.evmore.cosmos.tx;

import java.math.BigInteger;

/** A transaction fee: one coin and a gas limit. */
public record TxFee(String denom, BigInteger amount, long gasLimit) {
    public TxFee {
        if (denom == null || denom.isEmpty()) throw new IllegalArgumentException("fee denom is missing");
        if (amount == null || amount.signum() < 0) throw new IllegalArgumentException("fee amount must be >= 0");
        if (gasLimit <= 0) throw new IllegalArgumentException("gas limit must be > 0, got " + gasLimit);
    }
}
