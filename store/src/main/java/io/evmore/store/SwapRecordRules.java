package io.evmore.store;

import io.evmore.core.error.PermanentException;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * What the store checks before it writes, beyond what the records check themselves: the column limits (in code, so
 * both databases refuse the same values with the same message), the fields a swap fixes when it is detected, and how
 * a change is merged into the stored swap.
 */
final class SwapRecordRules {
    static final int MAX_ID = 255;
    static final int MAX_CHAIN = 64;
    static final int MAX_AMOUNT_DIGITS = 78; // 2^256 - 1 has 78 digits
    static final int MAX_ACTION = 64;
    /** {@code last_error} is cut to this many characters when written (it is a diagnostic, not a log). */
    static final int MAX_ERROR = 1000;

    private SwapRecordRules() {}

    /** Bounds last_error; cuts on a character boundary and marks the cut. */
    static String truncateError(String error) {
        if (error == null || error.length() <= MAX_ERROR) return error;
        int end = MAX_ERROR - 3;
        if (Character.isHighSurrogate(error.charAt(end - 1))) end--;
        return error.substring(0, end) + "...";
    }

    /** Cuts {@code s} to {@code max} characters, marking the cut. */
    static String bounded(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /**
     * The stored swap with the changeable fields of {@code updated}: the counter-lock and quote, the source
     * location, the last error, the secret, the counter-lock packet and its height. The secret, the packet and the
     * height are write-once: a stored one is kept when {@code updated} has none (a stale copy must not lose the claim,
     * nor the packet an acknowledgement is matched by); a different secret cannot open the same hashlock (the record
     * checks that).
     */
    static Swap merge(Swap stored, Swap updated, SwapState state, Instant at) {
        Secret secret = updated.secret() != null ? updated.secret() : stored.secret();
        return new Swap(stored.id(), stored.fromChain(), stored.toChain(), stored.sourceHtlcId(),
                updated.destHtlcId(), stored.hashlock(), stored.sender(), stored.receiver(), stored.sourceAsset(),
                stored.sourceAmount(), updated.destAsset(), updated.destAmount(), stored.sourceTimelock(),
                updated.destTimelock(), state, stored.createdAt(), at, updated.sourceHeight(),
                updated.sourceBlockHash(), updated.sourceTxHash(), updated.feeAmount(), secret,
                truncateError(updated.lastError()),
                updated.counterPacket() != null ? updated.counterPacket() : stored.counterPacket(),
                updated.destHeight() != 0 ? updated.destHeight() : stored.destHeight());
    }

    /** Times are kept at millisecond precision in both databases. */
    static Instant ms(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    static void requireCause(String cause) {
        if (cause == null || cause.isBlank()) throw new IllegalArgumentException("transition cause is missing");
    }

    /** Checks what the record does not: column limits, and that amounts fit the uint256 text column. */
    static void validate(Swap s) {
        String id = s.id();
        checkLength(id, MAX_ID, "id", id);
        checkLength(s.fromChain().value(), MAX_CHAIN, "fromChain", id);
        checkLength(s.toChain().value(), MAX_CHAIN, "toChain", id);
        checkLength(s.sourceHtlcId(), MAX_ID, "sourceHtlcId", id);
        checkLength(s.destHtlcId(), MAX_ID, "destHtlcId", id);
        checkLength(s.sender(), MAX_ID, "sender", id);
        checkLength(s.receiver(), MAX_ID, "receiver", id);
        checkLength(s.sourceAsset(), MAX_ID, "sourceAsset", id);
        checkLength(s.destAsset(), MAX_ID, "destAsset", id);
        checkLength(s.sourceBlockHash(), MAX_ID, "sourceBlockHash", id);
        checkLength(s.sourceTxHash(), MAX_ID, "sourceTxHash", id);
        checkAmount(s.sourceAmount(), "sourceAmount", id);
        checkAmount(s.destAmount(), "destAmount", id);
        checkAmount(s.feeAmount(), "feeAmount", id);
    }

    private static void checkAmount(BigInteger amount, String field, String swapId) {
        if (amount != null && amount.bitLength() > 256) {
            throw new IllegalArgumentException("swap " + swapId + ": " + field + " exceeds uint256");
        }
    }

    static void checkLength(String value, int max, String field, String owner) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(
                    owner + ": " + field + " is " + value.length() + " characters, at most " + max + " allowed");
        }
    }

    static void checkHash(String hash, String intentId) {
        checkLength(hash, MAX_ID, "hash", "intent " + intentId);
        if (hash.isBlank() || hash.indexOf(',') >= 0 || !hash.strip().equals(hash)) {
            throw new IllegalArgumentException("intent " + intentId + ": a transaction hash must be non-blank,"
                    + " without commas or surrounding spaces");
        }
    }

    static void requireSameIdentity(Swap stored, Swap updated, String in) {
        String id = stored.id();
        same(stored.fromChain(), updated.fromChain(), "fromChain", id, in);
        same(stored.toChain(), updated.toChain(), "toChain", id, in);
        same(stored.sourceHtlcId(), updated.sourceHtlcId(), "sourceHtlcId", id, in);
        same(stored.hashlock(), updated.hashlock(), "hashlock", id, in);
        same(stored.sender(), updated.sender(), "sender", id, in);
        same(stored.receiver(), updated.receiver(), "receiver", id, in);
        same(stored.sourceAsset(), updated.sourceAsset(), "sourceAsset", id, in);
        same(stored.sourceAmount(), updated.sourceAmount(), "sourceAmount", id, in);
        same(stored.sourceTimelock(), updated.sourceTimelock(), "sourceTimelock", id, in);
    }

    private static void same(Object stored, Object updated, String field, String id, String in) {
        if (!Objects.equals(stored, updated)) {
            throw new PermanentException("store: swap " + id + ": " + field
                    + " is fixed when the swap is detected and cannot change in " + in);
        }
    }
}
