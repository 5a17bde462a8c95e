package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.port.Clock;
import io.evmore.core.port.RelayMetrics;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The engine's writes to the store: every state change in one transaction with its cause (and with the intent it
 * belongs to), and what follows a finished swap (metric, one log line).
 */
final class SwapBook {
    private static final System.Logger log = System.getLogger(SwapBook.class.getName());
    static final int PAGE = 500;
    /** States whose swaps hold their counter-lock's amount until it is sent ({@link #reserved}). */
    private static final java.util.Set<SwapState> RESERVING = java.util.EnumSet.of(SwapState.CONFIRMED, SwapState.COUNTER_PENDING);

    /** Where a swap's counter-lock is paid from: its destination, or the home chain of its IBC route. */
    record Funds(ChainId chain, String asset) {}

    private final SwapStore store;
    private final Clock clock;
    private final RelayMetrics metrics;
    /** (destination, asset locked there) → where that counter-lock is paid from: itself, or an IBC route's home chain. */
    private final UnaryOperator<Funds> funding;
    volatile FaultPoint faults = FaultPoint.NONE;
    /** Asked after a signed transaction is journaled, before the adapter broadcasts it (see {@link #journal}). */
    volatile io.evmore.core.port.LeaseGuard guard = io.evmore.core.port.LeaseGuard.NONE;
    /** Where finished swaps end their trace ({@link RelayEngine#tracing}). */
    volatile io.evmore.core.port.SwapTracing tracing = io.evmore.core.port.SwapTracing.NONE;
    /** Told when an intent's first transaction is journaled for broadcast (reaction-time metrics, {@link Reactions}). */
    volatile java.util.function.Consumer<TxIntent> firstBroadcast = i -> {};

    SwapBook(SwapStore store, Clock clock, RelayMetrics metrics) {
        this(store, clock, metrics, UnaryOperator.identity());
    }

    SwapBook(SwapStore store, Clock clock, RelayMetrics metrics, UnaryOperator<Funds> funding) {
        this.store = store;
        this.clock = clock;
        this.metrics = metrics;
        this.funding = funding;
    }

    SwapStore store() {
        return store;
    }

    Swap reload(Swap s) {
        return store.find(s.id()).orElseThrow(() -> new IllegalStateException("swap " + s.id() + " vanished"));
    }

    Swap move(Swap s, SwapState next, String cause, String txHash, UnaryOperator<Swap> change) {
        Swap moved = store.inTransaction(tx -> {
            Swap m = tx.transition(change.apply(s), s.state(), next, cause, txHash, clock.now());
            if (next.isTerminal()) closeUnsigned(tx, s.id(), "never signed: the swap ended " + next);
            return m;
        });
        afterMove(moved, cause);
        return moved;
    }

    /** An intent persisted but never signed cannot be on its way: it is closed when its swap ends. */
    private void closeUnsigned(SwapStore.Tx tx, String swapId, String why) {
        for (TxIntent i : tx.intentsOf(swapId)) {
            if (i.status() == TxIntent.Status.PENDING && !i.mayHaveBeenBroadcast()) {
                tx.saveIntent(i.withStatus(TxIntent.Status.FAILED, clock.now()));
                log.log(System.Logger.Level.DEBUG, "intent " + i.id() + ": " + why);
            }
        }
    }

    /** Moves the swap to {@code next} and persists the intent it is about to send, together. */
    Swap moveWithIntent(Swap s, SwapState next, String cause, TxIntent intent) {
        Swap moved = store.inTransaction(tx -> {
            Swap m = tx.transition(s, s.state(), next, cause, null, clock.now());
            tx.saveIntent(intent);
            return m;
        });
        afterMove(moved, cause);
        return moved;
    }

    Swap saveIntent(Swap s, TxIntent intent) {
        store.run(tx -> tx.saveIntent(intent));
        return s;
    }

    /**
     * Called from the adapter's journal: persisted (committed) before the transaction is broadcast; then the lease guard
     * must agree that this process may still send (a throw here stops the broadcast).
     */
    void journal(TxIntent intent) {
        store.run(tx -> tx.saveIntent(intent));
        guard.checkHeld();
        if (intent.hashes().size() == 1) firstBroadcast.accept(intent);
    }

    void closeIntent(TxIntent intent, TxIntent.Status status, Swap s, String note) {
        store.run(tx -> {
            tx.saveIntent(intent.withStatus(status, clock.now()));
            tx.find(s.id()).ifPresent(cur -> tx.update(cur.withLastError(bounded(note), clock.now()), cur.state()));
        });
    }

    /** The intent's transaction landed: intent confirmed and the swap moved, in one transaction. */
    Swap landed(TxIntent intent, Swap s, SwapState next, String cause, String txHash, UnaryOperator<Swap> change) {
        Swap moved = store.inTransaction(tx -> {
            tx.saveIntent(intent.withStatus(TxIntent.Status.CONFIRMED, clock.now()));
            return tx.transition(change.apply(s).withLastError(null, clock.now()), s.state(), next, cause, txHash, clock.now());
        });
        afterMove(moved, cause);
        return moved;
    }

    /**
     * The intent's transaction landed but the swap stays where it is (a multi-hop transfer: included on the home
     * chain, not yet delivered): intent confirmed and the swap's fields changed, in one transaction.
     */
    Swap landedInPlace(TxIntent intent, Swap s, String cause, UnaryOperator<Swap> change) {
        Swap updated = store.inTransaction(tx -> {
            tx.saveIntent(intent.withStatus(TxIntent.Status.CONFIRMED, clock.now()));
            // The stored swap, not the step's copy: while the transfer was being sent a follower may already have
            // recorded what it delivered (a fast route), and a stale copy would erase it.
            Swap current = tx.find(s.id()).orElse(s);
            return tx.update(change.apply(current).withLastError(null, clock.now()), current.state());
        });
        log.log(System.Logger.Level.INFO, "swap " + s.id() + " (" + s.state() + "): " + cause);
        return updated;
    }

    /** Records a problem on the swap for /admin/swaps/pending without changing its state. */
    void note(Swap s, String message) {
        log.log(System.Logger.Level.WARNING, "swap " + s.id() + " (" + s.state() + "): " + message);
        try {
            store.run(tx -> tx.find(s.id()).ifPresent(cur -> tx.update(cur.withLastError(bounded(message), clock.now()), cur.state())));
        } catch (IllegalTransitionException e) {
            // moved meanwhile (an event): the note is stale
        }
    }

    /**
     * The action's latest attempt: the one with the highest attempt number ({@code <swap>/<action>/<n>}, n counted from
     * the intents already written), never the latest by wall clock. A clock stepped back by NTP, or a standby whose
     * clock is behind the deposed leader's, writes its attempt "before" an earlier failed one: ordered by time, the
     * open attempt would hide behind the failed one and the engine would pay the action a second time beside it.
     */
    Optional<TxIntent> lastIntent(String swapId, String action) {
        List<TxIntent> all = store.read(tx -> tx.intentsOf(swapId));
        return all.stream().filter(i -> i.action().equals(action)).max(ATTEMPT_ORDER);
    }

    static final Comparator<TxIntent> ATTEMPT_ORDER = Comparator.comparingLong(SwapBook::attemptOf)
            .thenComparing(TxIntent::createdAt).thenComparing(TxIntent::id);

    /** The attempt number at the end of an intent's id; 0 when there is none (not written by this engine). */
    static long attemptOf(TxIntent i) {
        String id = i.id();
        int slash = id.lastIndexOf('/');
        String n = slash < 0 ? "" : id.substring(slash + 1);
        if (n.isEmpty() || n.length() > 18 || !n.chars().allMatch(c -> c >= '0' && c <= '9')) return 0;
        return Long.parseLong(n);
    }

    List<TxIntent> intents(String swapId) {
        return store.read(tx -> tx.intentsOf(swapId));
    }

    int intentCount(String swapId, String action) {
        return (int) store.read(tx -> tx.intentsOf(swapId)).stream().filter(i -> i.action().equals(action)).count();
    }

    int failedCount(String swapId, String action) {
        return (int) store.read(tx -> tx.intentsOf(swapId)).stream()
                .filter(i -> i.action().equals(action) && i.status() == TxIntent.Status.FAILED).count();
    }

    /** Why {@code s} may not take its hashlock (see {@link #hashlockTaken(SwapStore.Tx, Swap)}), or null. */
    String hashlockTaken(Swap s) {
        return store.inTransaction(tx -> hashlockTaken(tx, s));
    }

    /**
     * Why {@code s} may not take its hashlock, or null: another swap {@linkplain SwapState#holdsHashlock() holds} it (a
     * counter-lock with it exists, may exist, or is about to be sent), or its secret is already public (a counter-lock
     * under it could be claimed by anyone at once). A swap that was REJECTED, EXPIRED, REFUNDED or failed its
     * counter-lock without revealing the secret does not hold it: copying a pending lock's hashlock into a bad lock
     * must not get the good lock refused.
     */
    static String hashlockTaken(SwapStore.Tx tx, Swap s) {
        if (s.secret() != null) return "its secret is already public";
        for (Swap o : tx.findAllByHashlock(s.hashlock())) {
            if (o.id().equals(s.id())) continue;
            if (o.state().holdsHashlock()) return "it is held by swap " + o.id() + " (" + o.state() + ")";
            if (o.secret() != null || o.state() == SwapState.COMPLETED) {
                return "its secret is already public (revealed for swap " + o.id() + ")";
            }
        }
        return null;
    }

    /**
     * States in which a known secret makes the relayer claim the user's source lock at once: its counter-lock exists or
     * may exist. COUNTER_FAILED is decided by the step (only while the source can still be claimed).
     */
    static boolean claimsAtOnce(SwapState s) {
        return s == SwapState.COUNTER_PENDING || s == SwapState.COUNTER_LOCKED || s == SwapState.DEST_REFUND_PENDING;
    }

    /**
     * Records a revealed preimage on the stored swap (write-once) and, where the relayer's counter-lock exists or may
     * exist, moves it to SECRET_REVEALED, inside the caller's transaction. Returns the swap as stored afterwards, or
     * null when it needed no change (terminal, or the secret was already known).
     */
    static Swap applySecret(SwapStore.Tx tx, Swap stored, io.evmore.core.swap.Secret secret, String cause, String txHash,
            java.time.Instant now) {
        if (stored.state().isTerminal() || !secret.opens(stored.hashlock())) return null;
        if (stored.secret() != null && !claimsAtOnce(stored.state())) return null;
        Swap withSecret = stored.withSecret(secret, now);
        if (claimsAtOnce(stored.state())) {
            return tx.transition(withSecret, stored.state(), SwapState.SECRET_REVEALED, cause, txHash, now);
        }
        return tx.update(withSecret, stored.state());
    }

    /** {@link #applySecret} in a transaction of its own, on the swap as stored now; logs the move. */
    Swap secretFound(Swap s, io.evmore.core.swap.Secret secret, String cause) {
        Swap after = store.inTransaction(tx -> tx.find(s.id()).map(cur -> applySecret(tx, cur, secret, cause, null, clock.now()))
                .orElse(null));
        if (after == null) return reload(s);
        if (after.state() == SwapState.SECRET_REVEALED && s.state() != SwapState.SECRET_REVEALED) afterMove(after, cause);
        else log.log(System.Logger.Level.INFO, "swap " + s.id() + " (" + after.state() + "): " + cause);
        return after;
    }

    /**
     * What accepted swaps have promised on {@code chain} in {@code asset} but not yet locked (CONFIRMED and
     * COUNTER_PENDING), except {@code exceptSwapId}: the chain balance does not show it yet. A multi-hop swap's
     * promise is on its route's home chain, in the denom the transfer sends.
     */
    BigInteger reserved(ChainId chain, String asset, String exceptSwapId) {
        BigInteger sum = BigInteger.ZERO;
        // only the swaps that can hold a reservation: not every pending swap (10,000 in flight made this O(n) per confirmation)
        for (Swap s : store.read(tx -> tx.inStates(RESERVING))) {
            if (s.id().equals(exceptSwapId)) continue;
            Funds f = reservation(s);
            if (f != null && f.chain().equals(chain) && asset.equalsIgnoreCase(f.asset())) sum = sum.add(s.destAmount());
        }
        return sum;
    }

    /**
     * Where {@code s} holds a reservation of its {@code destAmount} (the funds its counter-lock is paid from), or null:
     * only CONFIRMED and COUNTER_PENDING swaps with a quote do, and not once their transfer left the home chain (it is
     * no longer in the balance there: only what is still to be sent counts).
     */
    Funds reservation(Swap s) {
        if (s.destAmount() == null || s.counterPacket() != null) return null;
        if (s.state() != SwapState.CONFIRMED && s.state() != SwapState.COUNTER_PENDING) return null;
        return funding(s.toChain(), s.destAsset());
    }

    /** Where a counter-lock of {@code asset} on {@code destination} is paid from (asset null: only the chain matters). */
    Funds funding(ChainId destination, String asset) {
        return funding.apply(new Funds(destination, asset));
    }

    List<Swap> allPending() {
        List<Swap> out = new java.util.ArrayList<>();
        for (int offset = 0; ; offset += PAGE) {
            final int o = offset;
            List<Swap> page = store.read(tx -> tx.pending(PAGE, o));
            out.addAll(page);
            if (page.size() < PAGE) return out;
        }
    }

    /** After a committed change: a finished swap gets its metric and one log line. */
    void afterMove(Swap s, String cause) {
        faults.reached("entered:" + s.state(), s);
        if (!s.state().isTerminal()) {
            log.log(System.Logger.Level.INFO, "swap " + s.id() + " -> " + s.state() + ": " + cause);
            return;
        }
        Duration took = Duration.between(s.createdAt(), s.updatedAt());
        String status = outcome(s.state());
        metrics.swapFinished(status, took);
        if (s.state() == SwapState.CLAIM_MISSED) metrics.claimMissed(s.fromChain());
        tracing.swapFinished(s, status);
        // The operations guide's "Performance tracking" greps these lines: docker logs relayer 2>&1 | grep "swap_duration"
        log.log(s.state() == SwapState.CLAIM_MISSED ? System.Logger.Level.ERROR : System.Logger.Level.INFO,
                "swap " + s.id() + " finished: " + s.state() + " (" + status + ") swap_duration=" + took.toMillis() / 1000.0 + "s "
                        + s.fromChain() + " -> " + s.toChain() + ": " + cause);
    }

    /** The guide's status label of {@code evmore_relay_swaps_total}. */
    static String outcome(SwapState terminal) {
        return switch (terminal) {
            case COMPLETED -> "completed";
            case REJECTED -> "rejected";
            case REFUNDED -> "refunded";
            case EXPIRED -> "expired";
            case CLAIM_MISSED -> "failed";
            default -> throw new IllegalArgumentException(terminal + " is not terminal");
        };
    }

    static String bounded(String s) {
        if (s == null) return null;
        String one = s.replaceAll("[\\r\\n\\t]+", " ");
        return one.length() > 1000 ? one.substring(0, 1000) + "…" : one;
    }
}
