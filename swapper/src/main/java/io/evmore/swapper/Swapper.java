package io.evmore.swapper;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.swap.Secret;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The user's side of an atomic swap (SPEC §5): make a secret, lock on the source with the relayer as receiver,
 * wait for the relayer's counter-lock on the destination, check it (amount and claim window), then claim it —
 * which reveals the secret — or refund the source lock after it expired.
 *
 * <p>The secret is the user's money until the claim: it is returned to the caller to keep (the CLI stores it
 * owner-only) and never logged.
 */
public final class Swapper {

    /**
     * What the user accepts.
     *
     * @param minReceive        least amount of the destination asset the counter-lock must hold
     * @param minClaimWindow    least time left before the counter-lock expires when it is found
     * @param counterLockTimeout how long to wait for the counter-lock
     * @param asset             the destination asset the counter-lock must hold (token address or denom), null for any
     */
    public record Terms(BigInteger minReceive, Duration minClaimWindow, Duration counterLockTimeout, String asset) {
        public Terms(BigInteger minReceive, Duration minClaimWindow, Duration counterLockTimeout) {
            this(minReceive, minClaimWindow, counterLockTimeout, null);
        }
    }

    /** A source lock the user made: keep the secret until the swap ends. */
    public record Locked(Secret secret, TxResult sourceLock, long sourceTimelock) {
        @Override
        public String toString() {
            return "Locked[" + sourceLock + ", T_src " + sourceTimelock + "]"; // never the secret
        }
    }

    /** The counter-lock was not acceptable or did not come: the user should refund after T_src. */
    public static final class CounterLockRefused extends RuntimeException {
        public CounterLockRefused(String message) {
            super(message);
        }
    }

    private final Consumer<String> progress;

    /** @param progress hears one line per step (chain, transaction, what happened) */
    public Swapper(Consumer<String> progress) {
        this.progress = progress == null ? s -> {} : progress;
    }

    /**
     * Locks {@code amount} of {@code asset} on the source for the relayer, to be delivered to {@code receiverOnDest}
     * on {@code destChain}, expiring at {@code timelock} (unix seconds).
     */
    public Locked lock(UserChain source, String relayer, String asset, BigInteger amount, ChainId destChain,
            String receiverOnDest, long timelock) {
        return lock(source, Secret.random(), relayer, asset, amount, destChain, receiverOnDest, timelock);
    }

    /**
     * As {@link #lock(UserChain, String, String, BigInteger, ChainId, String, long)} with a secret the caller made
     * (and stored safely) before any funds move.
     */
    public Locked lock(UserChain source, Secret secret, String relayer, String asset, BigInteger amount, ChainId destChain,
            String receiverOnDest, long timelock) {
        TxResult r = source.htlc().lock(new LockRequest(relayer, asset, amount, secret.hashlock(), timelock,
                destChain.value(), receiverOnDest));
        progress.accept(source.htlc().chain() + ": locked " + amount + " " + asset + " for the relayer as " + r.htlcId()
                + " in tx " + r.txHash() + " (expires " + Instant.ofEpochSecond(timelock) + ")");
        return new Locked(secret, r, timelock);
    }

    /**
     * Waits for the counter-lock on {@code dest} paying {@code receiver} under the secret's hashlock (from
     * {@code relayer} when given: made by it, or refundable to it when it arrived over IBC) and checks it against
     * {@code terms}.
     */
    public HtlcRecord awaitCounterLock(UserChain dest, String receiver, String relayer, Locked locked, Terms terms) {
        long deadline = System.nanoTime() + terms.counterLockTimeout().toNanos();
        long waitingSince = System.nanoTime();
        long lastNote = 0;
        while (true) {
            Optional<HtlcRecord> found = dest.locksFor(receiver, locked.secret().hashlock()).stream()
                    .filter(h -> h.status() == HtlcRecord.Status.OPEN)
                    .filter(h -> relayer == null || h.sender().equalsIgnoreCase(relayer)
                            // over IBC the HTLC is created by the hooks intermediary and refunds to the relayer
                            || h.refundAddress().equalsIgnoreCase(relayer))
                    .filter(h -> terms.asset() == null || h.asset().equalsIgnoreCase(terms.asset()))
                    .max(Comparator.comparing(HtlcRecord::amount));
            if (found.isPresent()) {
                HtlcRecord h = found.get();
                long left = h.timelock() - Math.max(Instant.now().getEpochSecond(), dest.htlc().latestBlockTime());
                if (h.amount().compareTo(terms.minReceive()) < 0) {
                    throw new CounterLockRefused("counter-lock " + h.id() + " on " + h.chain() + " holds " + h.amount()
                            + ", less than the minimum " + terms.minReceive() + " you accept; do not claim, refund the source after it expires");
                }
                if (left < terms.minClaimWindow().toSeconds()) {
                    throw new CounterLockRefused("counter-lock " + h.id() + " on " + h.chain() + " expires in " + left
                            + " s, less than the minimum claim window " + terms.minClaimWindow().toSeconds() + " s");
                }
                progress.accept(dest.htlc().chain() + ": counter-lock " + h.id() + " of " + h.amount() + " " + h.asset()
                        + " found, " + left + " s to claim");
                return h;
            }
            if (System.nanoTime() > deadline) {
                throw new CounterLockRefused("no counter-lock on " + dest.htlc().chain() + " within "
                        + terms.counterLockTimeout().toSeconds() + " s; refund the source lock after it expires");
            }
            long waited = (System.nanoTime() - waitingSince) / 1_000_000_000L;
            if (waited - lastNote >= 10) {
                lastNote = waited;
                progress.accept(dest.htlc().chain() + ": waiting for the relayer's counter-lock (" + waited + " s)");
            }
            sleep(Duration.ofMillis(500));
        }
    }

    /** Claims the counter-lock, revealing the secret (from here on the relayer can claim the source). */
    public TxResult claim(UserChain dest, HtlcRecord counterLock, Locked locked) {
        TxResult r = dest.htlc().claim(counterLock.id(), locked.secret());
        progress.accept(dest.htlc().chain() + ": claimed " + counterLock.id() + " in tx " + r.txHash());
        return r;
    }

    /**
     * The source lock cannot be refunded (now or ever): there is no such lock, it is no longer open (claimed or
     * refunded already), or the chain's time has not reached its timelock yet. Nothing was sent.
     */
    public static final class RefundNotPossible extends RuntimeException {
        public RefundNotPossible(String message) {
            super(message);
        }
    }

    /**
     * Refunds the user's own source lock; only once the chain's time has reached its timelock.
     *
     * @throws RefundNotPossible (before anything is sent) when the lock is unknown, not open, or not expired yet
     */
    public TxResult refund(UserChain source, String sourceHtlcId) {
        String chain = source.htlc().chain().value();
        HtlcRecord h = source.htlc().query(sourceHtlcId)
                .orElseThrow(() -> new RefundNotPossible("no lock " + sourceHtlcId + " on " + chain));
        if (h.status() != HtlcRecord.Status.OPEN) {
            throw new RefundNotPossible("lock " + sourceHtlcId + " on " + chain + " is already " + h.status().name().toLowerCase());
        }
        long now = source.htlc().latestBlockTime();
        if (now < h.timelock()) {
            throw new RefundNotPossible("lock " + sourceHtlcId + " on " + chain + " has not expired yet: " + (h.timelock() - now)
                    + " s to go (it expires at " + Instant.ofEpochSecond(h.timelock()) + ", the chain's time is "
                    + Instant.ofEpochSecond(now) + ")");
        }
        TxResult r = source.htlc().refund(sourceHtlcId);
        progress.accept(chain + ": refunded " + sourceHtlcId + " in tx " + r.txHash());
        return r;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CounterLockRefused("interrupted while waiting for the counter-lock");
        }
    }
}
