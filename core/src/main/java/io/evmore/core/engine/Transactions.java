package io.evmore.core.engine;

import static io.evmore.core.engine.SwapFlow.COUNTER_LOCK;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.engine.SwapFlow.Next;
import io.evmore.core.error.PermanentException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.util.Futures;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * Sending and reconciling one action's transaction (counter-lock, source claim, refunds), exactly once: the intent is
 * persisted (with the state change it belongs to) before anything is signed, every signed transaction is journaled
 * before it is broadcast, and an intent that may have been broadcast is never replaced until the chain says it never
 * landed or failed — while it is pending it may be re-signed at a higher fee on the same nonce. What a landed or failed
 * transaction means for the swap is {@link SwapFlow}'s to say ({@link Outcomes}).
 */
final class Transactions {
    private static final System.Logger log = System.getLogger(SwapFlow.class.getName());

    /** What the swap's flow does with an action's outcome. */
    interface Outcomes {
        /** The action's transaction is on chain. */
        Next landed(Swap s, String action, TxIntent intent, TxResult result);

        /** The action's last transaction did not happen: decide from the chain whether to send again or give up. */
        Next afterFailure(Swap s, String action, String why);

        /** Note {@code why} and look again after the swap's next backoff. */
        Next backoff(Swap s, String why);
    }

    private final Map<ChainId, HtlcChain> chains;
    private final Map<ChainId, IbcCounterLock> routes;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    private final Deadlines deadlines;
    private final FlowClock time;
    private final Outcomes outcomes;
    private final StepReads reads;
    /** When a replacement of each pending intent was last tried (also when the chain could not replace it). */
    private final Map<String, Instant> speedUpTried = new ConcurrentHashMap<>();

    Transactions(Map<ChainId, HtlcChain> chains, Map<ChainId, IbcCounterLock> routes, SwapBook book, Clock clock,
            EngineSettings settings, Deadlines deadlines, FlowClock time, Outcomes outcomes, StepReads reads) {
        this.chains = chains;
        this.routes = routes;
        this.book = book;
        this.clock = clock;
        this.settings = settings;
        this.deadlines = deadlines;
        this.time = time;
        this.outcomes = outcomes;
        this.reads = reads;
    }

    /**
     * Sends the action's transaction: the intent is persisted first (with the move to {@code pendingState} when the
     * swap is not there yet), every signed transaction is journaled before broadcast, and the outcome is recorded. The
     * fee bid rises with the action's failed attempts and as its deadline nears ({@link Deadlines}).
     */
    Next send(Swap s, String action, SwapState pendingState, ChainId chain, BiFunction<TxJournal, FeeBid, TxResult> call) {
        return send(s, action, pendingState, chain, null, call);
    }

    /**
     * As {@link #send(Swap, String, SwapState, ChainId, BiFunction)}, with the time on the chain that judges the action's
     * deadline ({@link Deadlines#clockOf}) when the caller has just read it (null: read it here).
     */
    Next send(Swap s, String action, SwapState pendingState, ChainId chain, Long chainNow,
            BiFunction<TxJournal, FeeBid, TxResult> call) {
        Optional<TxIntent> last = book.lastIntent(s.id(), action);
        if (last.isPresent() && isOpen(last.get()) && last.get().mayHaveBeenBroadcast()) {
            // A previous attempt may be on its way: only the chain can say (never send blindly).
            return drive(s, action);
        }
        // The chain's clock for the fee bid (it only sets how urgent the bid is) is read while the intent is written.
        CompletableFuture<Long> clockRead = chainNow != null ? null : reads.start(() -> time.chainTime(s, action));
        TxIntent intent;
        Swap current;
        if (last.isPresent() && isOpen(last.get())) {
            intent = last.get(); // persisted but never signed (stopped, or the node was unreachable): use it
            current = s.state() == pendingState ? s : book.moveWithIntent(s, pendingState, "sending " + describe(action), intent);
        } else {
            int attempt = book.intentCount(s.id(), action) + 1;
            intent = TxIntent.pending(s.id() + "/" + action + "/" + attempt, s.id(), chain, action, clock.now());
            current = s.state() == pendingState
                    ? book.saveIntent(s, intent)
                    : book.moveWithIntent(s, pendingState, "sending " + describe(action) + " on " + chain, intent);
        }
        FeeBid fee = deadlines.bid(current, action, book.failedCount(s.id(), action),
                chainNow != null ? chainNow : Futures.join(clockRead));
        AtomicReference<TxIntent> latest = new AtomicReference<>(intent);
        TxJournal journal = (SignedTx tx) -> {
            book.journal(latest.updateAndGet(i -> i.broadcasting(tx, clock.now())));
            book.faults.reached(action + ":journaled", current);
        };
        TxResult result;
        try {
            result = call.apply(journal, fee);
            book.faults.reached(action + ":sent", current);
        } catch (TxRevertedException e) {
            if (e.txHash() == null && latest.get().mayHaveBeenBroadcast()) {
                // Refused in simulation while re-signing, after an earlier signed transaction of this intent was
                // journaled: that one may still land (only the chain can say), so the intent is not closed on a guess.
                return undecided(current, e);
            }
            if (e.txHash() == null && !latest.get().mayHaveBeenBroadcast() && !COUNTER_LOCK.equals(action)) {
                // Refused by simulation, nothing signed: a protective action keeps its one unsigned intent for the next
                // try (a node behind, a lock not visible yet) instead of piling up a row per retry until its deadline.
                book.note(current, describe(action) + " not sent: " + e.getMessage());
                return outcomes.afterFailure(book.reload(current), action, e.getMessage());
            }
            book.closeIntent(latest.get(), TxIntent.Status.FAILED, current, "failed: " + e.getMessage());
            return outcomes.afterFailure(book.reload(current), action, e.getMessage());
        } catch (PermanentException e) {
            if (latest.get().mayHaveBeenBroadcast()) return undecided(current, e);
            book.closeIntent(latest.get(), TxIntent.Status.FAILED, current, "refused: " + e.getMessage());
            return outcomes.afterFailure(book.reload(current), action, e.getMessage());
        } catch (RuntimeException e) {
            if (latest.get().mayHaveBeenBroadcast()) return undecided(current, e);
            return outcomes.backoff(current, describe(action) + " not sent: " + e.getMessage()); // the unsigned intent is reused
        }
        return outcomes.landed(current, action, latest.get(), result);
    }

    private Next undecided(Swap s, RuntimeException e) {
        book.note(s, action(s) + " sent, outcome unknown (" + e.getMessage() + "); will reconcile with the chain");
        return time.later(settings.reconcileDelay());
    }

    private static String action(Swap s) {
        return switch (s.state()) {
            case COUNTER_PENDING -> "counter-lock";
            case SOURCE_CLAIM_PENDING -> "source claim";
            case DEST_REFUND_PENDING, SOURCE_CLAIMED -> "refund";
            default -> "transaction";
        };
    }

    /**
     * Recovery: asks the chain what became of an open intent and records it, without sending anything. Returns
     * false when the chain cannot tell yet.
     */
    boolean settle(Swap s, TxIntent i) {
        if (!i.mayHaveBeenBroadcast()) return true; // nothing can be on its way; the step reuses the intent
        switch (reconcile(s, i)) {
            case Reconciliation.Landed l -> outcomes.landed(s, i.action(), i, l.result());
            case Reconciliation.Reverted rv -> book.closeIntent(i, TxIntent.Status.FAILED, s, "reverted in " + rv.txHash() + ": " + rv.reason());
            case Reconciliation.NeverLanded n -> book.closeIntent(i, TxIntent.Status.FAILED, s, "never landed: " + n.reason());
            case Reconciliation.Undecided u -> {
                return false;
            }
        }
        return true;
    }

    /** Settles the action's open intent from the chain, then decides whether to send again. */
    Next drive(Swap s, String action) {
        Optional<TxIntent> last = book.lastIntent(s.id(), action);
        if (last.isPresent() && isOpen(last.get())) {
            TxIntent i = last.get();
            if (!i.mayHaveBeenBroadcast()) {
                return outcomes.afterFailure(s, action, "not signed yet"); // nothing can be on its way: send() reuses the intent
            } else {
                Reconciliation r = reconcile(s, i);
                switch (r) {
                    case Reconciliation.Landed l -> {
                        return outcomes.landed(s, action, i, l.result());
                    }
                    case Reconciliation.Reverted rv -> {
                        forgetTries(i);
                        book.closeIntent(i, TxIntent.Status.FAILED, s, "reverted in " + rv.txHash() + ": " + rv.reason());
                        return outcomes.afterFailure(book.reload(s), action, rv.reason());
                    }
                    case Reconciliation.NeverLanded n -> {
                        forgetTries(i);
                        book.closeIntent(i, TxIntent.Status.FAILED, s, "never landed: " + n.reason());
                    }
                    case Reconciliation.Undecided u -> {
                        return escalate(s, action, i, u.reason());
                    }
                }
            }
            return outcomes.afterFailure(book.reload(s), action, "previous transaction never landed");
        }
        if (last.isPresent() && last.get().status() == TxIntent.Status.CONFIRMED) {
            // Landed and recorded, but the swap did not move (only possible if the two were written apart).
            Reconciliation r = reconcile(s, last.get());
            if (r instanceof Reconciliation.Landed l) return outcomes.landed(s, action, last.get(), l.result());
        }
        return outcomes.afterFailure(s, action, "no transaction in flight");
    }

    /**
     * A transaction still pending: once it waited {@link Deadlines#escalationInterval} (shorter as the action's deadline
     * nears) it is replaced on the same nonce at the next fee level ({@link HtlcChain#speedUp}; the level counts the
     * intent's signed transactions, so it survives restarts). A chain that cannot replace (Cosmos) is left to its
     * {@code timeout_height}, after which reconcile says NeverLanded and the action is sent anew at a higher level.
     */
    private Next escalate(Swap s, String action, TxIntent i, String why) {
        long chainNow = time.chainTime(s, action);
        if (COUNTER_LOCK.equals(action) && (s.state() != SwapState.COUNTER_PENDING
                || chainNow >= deadlines.deadline(s, action))) {
            return cancelLate(s, i, why, chainNow); // never pushed: one the swap gave up, or that would leave the user too little
        }
        Duration every = deadlines.escalationInterval(s, action, chainNow);
        Instant now = clock.now();
        Instant lastTry = speedUpTried.getOrDefault(i.id(), i.updatedAt());
        Instant due = (lastTry.isAfter(i.updatedAt()) ? lastTry : i.updatedAt()).plus(every);
        if (now.isBefore(due)) return time.later(min(settings.reconcileDelay(), Duration.between(now, due)));
        speedUpTried.put(i.id(), now);
        HtlcChain c = chains.get(i.chain());
        if (c == null || (COUNTER_LOCK.equals(action) && routes.containsKey(s.toChain()))) return time.later(settings.reconcileDelay());
        FeeBid fee = FeeBid.level(i.hashes().size() + deadlines.urgency(s, action, chainNow));
        AtomicReference<TxIntent> latest = new AtomicReference<>(i);
        TxJournal journal = replacing(latest);
        try {
            if (c.speedUp(i, fee, journal)) {
                log.log(System.Logger.Level.INFO, "swap " + s.id() + ": " + describe(action) + " still pending after " + every.toSeconds()
                        + " s (" + why + "); replaced at fee level " + fee.level() + " as " + latest.get().txHash());
            }
        } catch (RuntimeException e) {
            book.note(s, describe(action) + " pending; its fee replacement failed: " + e.getMessage());
        }
        return time.later(settings.reconcileDelay());
    }

    /**
     * A counter-lock the swap gave up, or one still pending past its deadline (landing now would leave the user less
     * than W_user + H), is never pushed. Left alone it could still land late, and on a chain with nonces every later
     * transaction of the relayer there — source claims of other swaps, each with its own deadline — waits behind it
     * for as long as the fee market keeps it out. So its nonce is taken back ({@link HtlcChain#cancel}: a transfer of
     * nothing to the relayer itself on that nonce, journaled like a replacement), bid again one level higher every
     * {@link Deadlines#cancelInterval} until the chain decides: the cancel landed (reconcile: NeverLanded, and the swap
     * gives the counter-lock up) or the lock got in first (followed as usual). A chain that cannot replace (Cosmos)
     * lets it expire at its {@code timeout_height}.
     */
    private Next cancelLate(Swap s, TxIntent i, String why, long chainNow) {
        Instant now = clock.now();
        HtlcChain c = chains.get(i.chain());
        Instant lastTry = speedUpTried.get(i.id() + "/cancel");
        String cancelled = null;
        if (c != null && (lastTry == null || !now.isBefore(lastTry.plus(deadlines.cancelInterval())))) {
            speedUpTried.put(i.id() + "/cancel", now);
            FeeBid fee = FeeBid.level(i.hashes().size() + deadlines.urgency(s, COUNTER_LOCK, chainNow));
            AtomicReference<TxIntent> latest = new AtomicReference<>(i);
            TxJournal journal = replacing(latest);
            try {
                if (c.cancel(i, fee, journal)) cancelled = latest.get().txHash();
            } catch (RuntimeException e) {
                book.note(s, "counter-lock past its deadline; cancelling its nonce " + i.nonce() + " failed: " + e.getMessage());
            }
            if (cancelled != null) {
                log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": counter-lock " + i.txHash() + " still pending past its"
                        + " deadline; its nonce " + i.nonce() + " is cancelled at fee level " + fee.level() + " by " + cancelled);
                book.note(s, "counter-lock past its deadline: nonce " + i.nonce() + " cancelled by " + cancelled
                        + " (a transfer of nothing to the relayer itself); waiting for the chain to decide");
            }
        }
        if (speedUpTried.putIfAbsent(i.id() + "/late", now) == null) {
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": its counter-lock " + i.txHash() + " (nonce " + i.nonce()
                    + ") is still undecided past its deadline (" + why + "); " + (cancelled != null
                            ? "its nonce is being cancelled (" + cancelled + ", a transfer of nothing to the relayer itself at a"
                                    + " higher fee) so that it cannot land late and the relayer's later transactions on " + i.chain()
                                    + " stop waiting behind it; if the lock gets in first it is followed as usual"
                            : "the swap waits for the chain to decide: it may still land (then it is followed as usual) — check"
                                    + " the relayer's balance and endpoints on " + i.chain() + "; on a chain with nonces every later"
                                    + " transaction of the relayer there waits behind nonce " + i.nonce())
                    + " (RUNBOOK: EvmoreSwapsAtRisk)");
            if (cancelled == null) book.note(s, "counter-lock undecided past its deadline: " + why);
        }
        return time.later(settings.reconcileDelay());
    }

    /** The journal of a replacement (fee bump or cancel) of an open intent: each signed transaction joins {@code latest}. */
    private TxJournal replacing(AtomicReference<TxIntent> latest) {
        return (SignedTx tx) -> book.journal(latest.updateAndGet(x -> x.broadcasting(tx, clock.now())));
    }

    /** A landed intent needs no fee replacement any more. */
    void landed(TxIntent intent) {
        forgetTries(intent);
    }

    /** An intent the chain decided needs no more replacements or cancels. */
    private void forgetTries(TxIntent intent) {
        speedUpTried.remove(intent.id());
        speedUpTried.remove(intent.id() + "/cancel");
        speedUpTried.remove(intent.id() + "/late");
    }

    /** The chain's answer about an intent: a multi-hop counter-lock is asked of its route (the home chain's transfer). */
    Reconciliation reconcile(Swap s, TxIntent i) {
        IbcCounterLock route = routes.get(s.toChain());
        if (COUNTER_LOCK.equals(i.action()) && route != null && i.chain().equals(route.homeChain())) return route.reconcile(i);
        HtlcChain c = chains.get(i.chain());
        if (c == null) throw new PermanentException("no chain adapter for " + i.chain());
        return c.reconcile(i);
    }

    boolean openIntent(Swap s, String action) {
        return book.lastIntent(s.id(), action).filter(Transactions::isOpen).isPresent();
    }

    static boolean isOpen(TxIntent i) {
        return i.status() == TxIntent.Status.PENDING || i.status() == TxIntent.Status.BROADCAST;
    }

    static String describe(String action) {
        return action.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
