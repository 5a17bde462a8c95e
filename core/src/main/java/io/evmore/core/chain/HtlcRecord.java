package io.evmore.core.chain;

import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import java.math.BigInteger;

/**
 * An HTLC as a chain stores it, in chain-neutral form.
 *
 * @param id             0x-prefixed bytes32 hex on EVM, {@code htlc_<n>} on CosmWasm
 * @param asset          ERC-20 address (0x000…0 for native) or Cosmos denom
 * @param timelock       unix seconds
 * @param targetChain    chain the swap delivers to (may be empty for a counter-lock)
 * @param targetAddress  user's address there (may be empty for a counter-lock)
 * @param refundAddress  who a refund pays: the sender, unless the lock named another address (CosmWasm
 *                       {@code refund_address}, set by locks created through IBC hooks)
 * @param secret         the preimage a claim revealed, when the chain's record holds it (CosmWasm {@code get_htlc} of a
 *                       withdrawn HTLC); null otherwise (open, refunded, or a chain that keeps it only in its claim log)
 */
public record HtlcRecord(ChainId chain, String id, String sender, String receiver, String asset, BigInteger amount,
        Hashlock hashlock, long timelock, String targetChain, String targetAddress, Status status, String refundAddress,
        Secret secret) {

    public enum Status { OPEN, CLAIMED, REFUNDED }

    public HtlcRecord {
        if (chain == null || id == null || sender == null || receiver == null || asset == null || amount == null
                || hashlock == null || status == null) {
            throw new IllegalArgumentException("HTLC record has a missing field: " + id);
        }
        if (amount.signum() <= 0) throw new IllegalArgumentException("HTLC " + id + " amount must be > 0");
        if (timelock <= 0) throw new IllegalArgumentException("HTLC " + id + " timelock must be > 0");
        targetChain = targetChain == null ? "" : targetChain;
        targetAddress = targetAddress == null ? "" : targetAddress;
        refundAddress = refundAddress == null || refundAddress.isEmpty() ? sender : refundAddress;
        if (secret != null && !secret.opens(hashlock)) {
            throw new IllegalArgumentException("HTLC " + id + ": the revealed secret does not open its hashlock");
        }
        if (secret != null && status != Status.CLAIMED) {
            throw new IllegalArgumentException("HTLC " + id + " is " + status + " but carries a revealed secret");
        }
    }

    /** A record without a revealed secret. */
    public HtlcRecord(ChainId chain, String id, String sender, String receiver, String asset, BigInteger amount,
            Hashlock hashlock, long timelock, String targetChain, String targetAddress, Status status, String refundAddress) {
        this(chain, id, sender, receiver, asset, amount, hashlock, timelock, targetChain, targetAddress, status, refundAddress, null);
    }

    /** A lock refunded to its sender. */
    public HtlcRecord(ChainId chain, String id, String sender, String receiver, String asset, BigInteger amount,
            Hashlock hashlock, long timelock, String targetChain, String targetAddress, Status status) {
        this(chain, id, sender, receiver, asset, amount, hashlock, timelock, targetChain, targetAddress, status, sender);
    }
}
