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
 * @param sourceHeight   block height of the source lock (0 if unknown); reorg rollback and confirmations use it
 * @param sourceBlockHash block hash of the source lock (null if unknown)
 * @param sourceTxHash   transaction that created the source lock (null if unknown)
 * @param feeAmount      the relayer's fee inside the quote, in destination base units (null until quoted)
 * @param secret         the revealed preimage, once seen on the destination chain (null before). Persisted so that
 *                       a crash after the reveal never loses the claim.
 * @param lastError      why the swap was rejected, or the last transient error on its way (null if none)
 * @param counterPacket  multi-hop: the ICS-20 packet of the counter-lock transfer, once it was included (else null);
 *                       its acknowledgement or timeout is matched to the swap by it
 * @param destHeight     height of the destination chain's block that holds the counter-lock HTLC (0 while unknown):
 *                       where a search for its claim (and the secret it reveals) may start
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
        Instant updatedAt,
        long sourceHeight,
        String sourceBlockHash,
        String sourceTxHash,
        BigInteger feeAmount,
        Secret secret,
        String lastError,
        io.evmore.core.chain.PacketId counterPacket,
        long destHeight) {

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
        if (sourceHeight < 0) throw new IllegalArgumentException("swap " + id + ": sourceHeight must be >= 0");
        if (destHeight < 0) throw new IllegalArgumentException("swap " + id + ": destHeight must be >= 0");
        if (feeAmount != null && feeAmount.signum() < 0) throw new IllegalArgumentException("swap " + id + ": feeAmount must be >= 0");
        if (secret != null && !secret.opens(hashlock)) {
            throw new IllegalArgumentException("swap " + id + ": the secret does not open the swap's hashlock");
        }
    }

    /** A swap without a counter-lock packet (direct swaps, older callers). */
    public Swap(String id, ChainId fromChain, ChainId toChain, String sourceHtlcId, String destHtlcId, Hashlock hashlock,
            String sender, String receiver, String sourceAsset, BigInteger sourceAmount, String destAsset,
            BigInteger destAmount, long sourceTimelock, long destTimelock, SwapState state, Instant createdAt,
            Instant updatedAt, long sourceHeight, String sourceBlockHash, String sourceTxHash, BigInteger feeAmount,
            Secret secret, String lastError) {
        this(id, fromChain, toChain, sourceHtlcId, destHtlcId, hashlock, sender, receiver, sourceAsset, sourceAmount,
                destAsset, destAmount, sourceTimelock, destTimelock, state, createdAt, updatedAt, sourceHeight,
                sourceBlockHash, sourceTxHash, feeAmount, secret, lastError, null, 0);
    }

    /** A swap without the recovery fields (source location, fee, secret, error): tests and older callers. */
    public Swap(String id, ChainId fromChain, ChainId toChain, String sourceHtlcId, String destHtlcId, Hashlock hashlock,
            String sender, String receiver, String sourceAsset, BigInteger sourceAmount, String destAsset,
            BigInteger destAmount, long sourceTimelock, long destTimelock, SwapState state, Instant createdAt,
            Instant updatedAt) {
        this(id, fromChain, toChain, sourceHtlcId, destHtlcId, hashlock, sender, receiver, sourceAsset, sourceAmount,
                destAsset, destAmount, sourceTimelock, destTimelock, state, createdAt, updatedAt, 0, null, null, null,
                null, null, null, 0);
    }

    private static void require(Object v, String name) {
        if (v == null) throw new IllegalArgumentException("swap field " + name + " is missing");
    }

    /** Stable swap id for a source lock. */
    public static String idFor(ChainId fromChain, String sourceHtlcId) {
        return fromChain.value() + "/" + sourceHtlcId;
    }

    /** The fields a swap may change after it was detected; every {@code with…} copies the swap with some of them new. */
    private static final class Changes {
        String destHtlcId;
        String destAsset;
        BigInteger destAmount;
        long destTimelock;
        SwapState state;
        long sourceHeight;
        String sourceBlockHash;
        String sourceTxHash;
        BigInteger feeAmount;
        Secret secret;
        String lastError;
        io.evmore.core.chain.PacketId counterPacket;
        long destHeight;

        Changes(Swap s) {
            destHtlcId = s.destHtlcId;
            destAsset = s.destAsset;
            destAmount = s.destAmount;
            destTimelock = s.destTimelock;
            state = s.state;
            sourceHeight = s.sourceHeight;
            sourceBlockHash = s.sourceBlockHash;
            sourceTxHash = s.sourceTxHash;
            feeAmount = s.feeAmount;
            secret = s.secret;
            lastError = s.lastError;
            counterPacket = s.counterPacket;
            destHeight = s.destHeight;
        }
    }

    /** This swap with the changes {@code change} makes, updated at {@code at}. */
    private Swap with(Instant at, java.util.function.Consumer<Changes> change) {
        Changes c = new Changes(this);
        change.accept(c);
        return new Swap(id, fromChain, toChain, sourceHtlcId, c.destHtlcId, hashlock, sender, receiver, sourceAsset,
                sourceAmount, c.destAsset, c.destAmount, sourceTimelock, c.destTimelock, c.state, createdAt, at,
                c.sourceHeight, c.sourceBlockHash, c.sourceTxHash, c.feeAmount, c.secret, c.lastError, c.counterPacket,
                c.destHeight);
    }

    public Swap withState(SwapState next, Instant at) {
        return with(at, c -> c.state = next);
    }

    public Swap withCounterLock(String destHtlcId, String destAsset, BigInteger destAmount, long destTimelock, Instant at) {
        return with(at, c -> {
            c.destHtlcId = destHtlcId;
            c.destAsset = destAsset;
            c.destAmount = destAmount;
            c.destTimelock = destTimelock;
        });
    }

    /** The accepted quote: what the relayer will lock on the destination, its fee, and T_dst. */
    public Swap withQuote(String destAsset, BigInteger destAmount, BigInteger feeAmount, long destTimelock, Instant at) {
        return with(at, c -> {
            c.destAsset = destAsset;
            c.destAmount = destAmount;
            c.feeAmount = feeAmount;
            c.destTimelock = destTimelock;
        });
    }

    public Swap withDestHtlcId(String destHtlcId, Instant at) {
        return with(at, c -> c.destHtlcId = destHtlcId);
    }

    public Swap withSource(long height, String blockHash, String txHash, Instant at) {
        return with(at, c -> {
            c.sourceHeight = height;
            c.sourceBlockHash = blockHash;
            c.sourceTxHash = txHash;
        });
    }

    public Swap withSecret(Secret secret, Instant at) {
        return with(at, c -> c.secret = secret);
    }

    public Swap withLastError(String error, Instant at) {
        return with(at, c -> c.lastError = error);
    }

    /** The counter-lock transfer's packet (multi-hop), recorded when the transfer was included. */
    public Swap withCounterPacket(io.evmore.core.chain.PacketId packet, Instant at) {
        return with(at, c -> c.counterPacket = packet);
    }

    /** Where the counter-lock HTLC was included on the destination chain. */
    public Swap withDestHeight(long height, Instant at) {
        return with(at, c -> c.destHeight = height);
    }

    /** Never prints the secret (before completion it is the user's money). */
    @Override
    public String toString() {
        return "Swap[" + id + " " + state + " " + fromChain + "->" + toChain + " " + sourceAmount + " " + sourceAsset
                + (destAmount == null ? "" : " -> " + destAmount + " " + destAsset) + (secret == null ? "" : " secret known")
                + "]";
    }
}
