package io.evmore.core.swap;

import io.evmore.core.chain.ChainId;
import java.math.BigInteger;
import java.time.Instant;

/**
 * One swap as the relayer tracks it: a plain value; state changes go through {@link SwapState}'s table and
 * are persisted by the store together with their cause.
 *
 * @param id            relayer-side id (stable, derived from the source lock: chain + source HTLC id)
 * @param fromChain     source chain (where the user locked)
 * @param toChain       destination chain (where the relayer counter-locks)
 * @param sourceHtlcId  the user's lock id on the source chain (0x… bytes32 on EVM, htlc_N on CosmWasm)
 * @param destHtlcId    the relayer's lock id on the destination chain, once known (else null)
 * @param hashlock      shared hashlock
 * @param sender        user's address on the source chain
 * @param receiver      user's address on the destination chain
 * @param sourceAsset   token address (EVM) or denom (Cosmos) locked on the source
 * @param sourceAmount  amount locked on the source, base units
 * @param destAsset     token or denom the relayer locks on the destination (null until quoted)
 * @param destAmount    amount the relayer locks on the destination (null until quoted)
 * @param sourceTimelock T_src, unix seconds
 * @param destTimelock   T_dst, unix seconds (0 until chosen)
 * @param state          current state
 * @param createdAt      when first seen
 * @param updatedAt      when last changed
 */
public record Swap(
        String id,
        ChainId fromChain,
        ChainId toChain,
        String sourceHtlcId,
        String destHtlcId,
        Hashlock hashlock,
        String sender,
        String receiver,
        String sourceAsset,
        BigInteger sourceAmount,
        String destAsset,
        BigInteger destAmount,
        long sourceTimelock,
        long destTimelock,
        SwapState state,
        Instant createdAt,
        Instant updatedAt) {

    public Swap {
        require(id, "id");
        require(fromChain, "fromChain");
        require(toChain, "toChain");
        require(sourceHtlcId, "sourceHtlcId");
        require(hashlock, "hashlock");
        require(sender, "sender");
        require(receiver, "receiver");
        require(sourceAsset, "sourceAsset");
        require(sourceAmount, "sourceAmount");
        require(state, "state");
        require(createdAt, "createdAt");
        require(updatedAt, "updatedAt");
        if (sourceAmount.signum() <= 0) throw new IllegalArgumentException("swap " + id + ": sourceAmount must be > 0");
        if (destAmount != null && destAmount.signum() <= 0) throw new IllegalArgumentException("swap " + id + ": destAmount must be > 0");
        if (sourceTimelock <= 0) throw new IllegalArgumentException("swap " + id + ": sourceTimelock must be > 0");
        if (destTimelock < 0) throw new IllegalArgumentException("swap " + id + ": destTimelock must be >= 0");
    }

    private static void require(Object v, String name) {
        if (v == null) throw new IllegalArgumentException("swap field " + name + " is missing");
    }

    /** Stable swap id for a source lock. */
    public static String idFor(ChainId fromChain, String sourceHtlcId) {
        return fromChain.value() + "/" + sourceHtlcId;
    }

    public Swap withState(SwapState next, Instant at) {
        return new Swap(id, fromChain, toChain, sourceHtlcId, destHtlcId, hashlock, sender, receiver, sourceAsset,
                sourceAmount, destAsset, destAmount, sourceTimelock, destTimelock, next, createdAt, at);
    }

    public Swap withCounterLock(String destHtlcId, String destAsset, BigInteger destAmount, long destTimelock, Instant at) {
        return new Swap(id, fromChain, toChain, sourceHtlcId, destHtlcId, hashlock, sender, receiver, sourceAsset,
                sourceAmount, destAsset, destAmount, sourceTimelock, destTimelock, state, createdAt, at);
    }
}
