package io.evmore.core.chain;

import io.evmore.core.swap.Hashlock;
import java.math.BigInteger;

/** What the relayer asks a chain to lock for a user. */
public record LockRequest(String receiver, String asset, BigInteger amount, Hashlock hashlock, long timelock,
        String targetChain, String targetAddress) {
    public LockRequest {
        if (receiver == null || receiver.isBlank()) throw new IllegalArgumentException("lock receiver is missing");
        if (asset == null) throw new IllegalArgumentException("lock asset is missing");
        if (amount == null || amount.signum() <= 0) throw new IllegalArgumentException("lock amount must be > 0");
        if (hashlock == null) throw new IllegalArgumentException("lock hashlock is missing");
        if (timelock <= 0) throw new IllegalArgumentException("lock timelock must be > 0");
        targetChain = targetChain == null ? "" : targetChain;
        targetAddress = targetAddress == null ? "" : targetAddress;
    }
}
