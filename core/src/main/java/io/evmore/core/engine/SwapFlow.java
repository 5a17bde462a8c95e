package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.SignedTx;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.chain.TxRevertedException;
import io.evmore.core.error.PermanentException;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.SwapValidator.Accept;
import io.evmore.core.policy.SwapValidator.Decision;
import io.evmore.core.policy.SwapValidator.Refuse;
import io.evmore.core.policy.SwapValidator.Wait;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What one swap needs next, decided from its persisted state and the chains, one step at a time. The runtime
 * ({@link RelayEngine}) guarantees a swap never runs two steps at once.
 *
 * <p>Exactly once: a transaction is sent only through {@link #send}, which persists the intent (together with the
 * state change it belongs to) before anything is signed, and every signed transaction through the {@link TxJournal}
 * before it is broadcast. An intent that may have been broadcast is never replaced until the chain says it never
 * landed ({@link Reconciliation.NeverLanded}) or failed ({@link Reconciliation.Reverted}).
 */
final class SwapFlow {
    private static final System.Logger log = System.getLogger(SwapFlow.class.getName());

    static final String COUNTER_LOCK = "COUNTER_LOCK";
    static final String SOURCE_CLAIM = "SOURCE_CLAIM";
    static final String DEST_REFUND = "DEST_REFUND";
    static final String SOURCE_REFUND = "SOURCE_REFUND";

    /** When to look at the swap again: at {@code at}, or never (terminal). */
    record Next(Instant at) {
        static final Next DONE = new Next(null);

        /** Due at once. */
        static Next now() {
            return new Next(Instant.EPOCH);
        }
    }

    private final Map<ChainId, HtlcChain> chains;
    /** Destinations reached over IBC, by final chain: their counter-lock is a transfer from the home chain. */
    private final Map<ChainId, IbcCounterLock> routes;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    private final ChainHeights heights;
    private final BooleanSupplier acceptsIntake;
    /** Confirming a swap reserves inventory: serialised per destination chain so two swaps cannot count the same funds. */
    private final Map<ChainId, ReentrantLock> reservationLocks = new ConcurrentHashMap<>();

    SwapFlow(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings, ChainHeights heights,
            BooleanSupplier acceptsIntake) {
        this(chains, Map.of(), book, clock, settings, heights, acceptsIntake);
    }

    SwapFlow(Map<ChainId, HtlcChain> chains, Map<ChainId, IbcCounterLock> routes, SwapBook book, Clock clock,
            EngineSettings settings, ChainHeights heights, BooleanSupplier acceptsIntake) {
        this.chains = Map.copyOf(chains);
        this.routes = Map.copyOf(routes);
        this.book = book;
        this.clock = clock;
        this.settings = settings;
        this.heights = heights;
        this.acceptsIntake = acceptsIntake;
    }

    Next step(Swap s) {
        return switch (s.state()) {
            case DETECTED -> confirm(s);
            case CONFIRMED -> counterLock(s);
            case COUNTER_PENDING -> s.counterPacket() != null && !openIntent(s, COUNTER_LOCK) ? awaitDelivery(s) : drive(s, COUNTER_LOCK);
            case COUNTER_LOCKED -> awaitClaim(s);
            case SECRET_REVEALED -> claimSource(s);
            case SOURCE_CLAIM_PENDING -> drive(s, SOURCE_CLAIM);
            case DEST_REFUND_PENDING -> drive(s, DEST_REFUND);
            case COUNTER_FAILED -> afterCounterFailure(s);
            case COMPLETED, REJECTED, REFUNDED, EXPIRED, CLAIM_MISSED -> Next.DONE;
        };
    }

    // ---- DETECTED → CONFIRMED | REJECTED | EXPIRED ----------------------------------------------------------------

    private Next confirm(Swap s) {
        HtlcChain src = chain(s.fromChain());
        // W_user is counted on the destination's clock (its contract decides T_dst); never trust a clock that lags.
        long now = chains.containsKey(s.toChain()) ? Math.max(now(src), now(chain(s.toChain()))) : now(src);
        long seen = heights.confirmations(s.fromChain(), s.sourceHeight());
        // keyed by where the counter-lock is paid from (the home chain for a multi-hop destination)
        ReentrantLock lock = reservationLocks.computeIfAbsent(book.funding(s.toChain(), null).chain(), c -> new ReentrantLock());
        lock.lock();
        try {
            Decision d = decide(s, src.contract(), now, seen);
            if (d instanceof Refuse r) {
                book.move(s, SwapState.REJECTED, r.reason(), null, x -> x.withLastError(r.reason(), clock.now()));
                return Next.DONE;
            }
            if (d instanceof Wait) {
                return later(settings.tick());
            }
            // Final by our confirmation rule: check the chain still holds the lock as we recorded it.
            Optional<HtlcRecord> onChain = src.query(s.sourceHtlcId());
            if (onChain.isEmpty()) {
                return later(settings.tick()); // a node behind the follower, or a reorg the follower has not seen yet
            }
            HtlcRecord h = onChain.get();
            if (h.status() == HtlcRecord.Status.REFUNDED) {
                book.move(s, SwapState.EXPIRED, "the user refunded the source lock before it was confirmed", null, x -> x);
                return Next.DONE;
            }
            String mismatch = mismatch(s, h, src.relayerAddress());
            if (mismatch != null || h.status() != HtlcRecord.Status.OPEN) {
                String reason = mismatch != null ? mismatch : "source lock is " + h.status().name().toLowerCase() + ", not open";
                book.move(s, SwapState.REJECTED, reason, null, x -> x.withLastError(reason, clock.now()));
                return Next.DONE;
            }
            Accept a = (Accept) d;
            book.move(s, SwapState.CONFIRMED, "source lock has " + seen + " confirmation(s); quoted " + a.quote().net() + " "
                    + a.quote().asset() + " (fee " + a.quote().fee() + "), T_dst " + a.destTimelock(), s.sourceTxHash(),
                    x -> x.withQuote(a.quote().asset(), a.quote().net(), a.quote().fee(), a.destTimelock(), clock.now())
                            .withLastError(null, clock.now()));
            return Next.now();
        } finally {
            lock.unlock();
        }
    }

    Decision decide(Swap s, String configuredContract, long now, long confirmationsSeen) {
        boolean hashlockElsewhere = book.hashlockUsedByOther(s);
        BigInteger available = BigInteger.ZERO;
        Optional<io.evmore.core.policy.Pair> pair = settings.validator().pair(s.fromChain(), s.sourceAsset(), s.toChain());
        if (pair.isPresent()) {
            // multi-hop: paid from the home chain's inventory (ICS-20 moves the amount unchanged)
            SwapBook.Funds f = book.funding(s.toChain(), pair.get().toAsset());
            if (chains.containsKey(f.chain())) {
                available = chain(f.chain()).balance(f.asset()).subtract(book.reserved(f.chain(), f.asset(), s.id()));
            }
        }
        return settings.validator().decide(new SwapValidator.LockFacts(s.fromChain(), configuredContract, configuredContract,
                s.sourceAsset(), s.sourceAmount(), s.hashlock(), hashlockElsewhere, s.sourceTimelock(), s.toChain().value(),
                s.receiver(), confirmationsSeen, now, available));
    }

    /** The chain's record must be the lock the follower reported, made out to the relayer. */
    private static String mismatch(Swap s, HtlcRecord h, String relayer) {
        if (!h.receiver().equalsIgnoreCase(relayer)) return "source lock's receiver " + h.receiver() + " is not the relayer";
        if (!h.hashlock().equals(s.hashlock())) return "source lock's hashlock on chain differs from the event's";
        if (h.amount().compareTo(s.sourceAmount()) != 0) return "source lock's amount on chain differs from the event's";
        if (h.timelock() != s.sourceTimelock()) return "source lock's timelock on chain differs from the event's";
        if (!h.asset().equalsIgnoreCase(s.sourceAsset())) return "source lock's asset on chain differs from the event's";
        return null;
    }

    // ---- CONFIRMED → COUNTER_PENDING → COUNTER_LOCKED | COUNTER_FAILED ------------------------------------------------

    private Next counterLock(Swap s) {
        if (!acceptsIntake.getAsBoolean()) return later(settings.tick()); // paused: intake waits, nothing is lost
        HtlcChain dst = chain(s.toChain());
        String late = settings.validator().timelocks().tooLittleTime(s.toChain(), s.destTimelock(), now(dst));
        if (late != null) {
            book.move(s, SwapState.REJECTED, "not counter-locked: " + late, null, x -> x.withLastError(late, clock.now()));
            return Next.DONE;
        }
        return sendCounterLock(s);
    }

    /** Direct: {@code create_htlc}/{@code lock} on the destination. Multi-hop: the transfer from the home chain. */
    private Next sendCounterLock(Swap s) {
        IbcCounterLock route = routes.get(s.toChain());
        if (route != null) return send(s, COUNTER_LOCK, SwapState.COUNTER_PENDING, route.homeChain(), j -> route.send(lockRequest(s), j));
        HtlcChain dst = chain(s.toChain());
        return send(s, COUNTER_LOCK, SwapState.COUNTER_PENDING, dst.chain(), j -> dst.lock(lockRequest(s), j));
    }

    // ---- multi-hop: COUNTER_PENDING (transfer included) → COUNTER_LOCKED | COUNTER_FAILED ----------------------------

    /**
     * The transfer left the home chain; what happens next is reported by followers: an error acknowledgement or a
     * timeout moves the swap to COUNTER_FAILED ({@link SwapEvents}), an HTLC created on the final chain with the
     * swap's terms by the route's creator is recorded as the candidate counter-lock. Here the candidate is proven
     * ours from the final chain's own record (creator, refund address, receiver, amount, denom, hashlock, timelock)
     * before the swap counts as counter-locked.
     */
    private Next awaitDelivery(Swap s) {
        IbcCounterLock route = routes.get(s.toChain());
        if (route == null) throw new PermanentException("swap " + s.id() + " has a counter-lock packet but " + s.toChain()
                + " has no IBC route configured");
        if (s.destHtlcId() == null) return later(TIMELOCK_RECHECK); // in flight: the followers bring the outcome
        HtlcChain dst = chain(s.toChain());
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isEmpty()) return later(settings.tick()); // a node behind the follower: ask again
        String why = notOurCounterLock(s, h.get(), route.finalCreator(), route.refundAddress());
        if (why != null) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": " + s.toChain() + " HTLC " + s.destHtlcId()
                    + " is not its counter-lock (" + why + "); ignored, still waiting for the transfer " + s.counterPacket());
            book.store().run(tx -> tx.find(s.id()).filter(cur -> s.destHtlcId().equals(cur.destHtlcId()))
                    .ifPresent(cur -> tx.update(cur.withDestHtlcId(null, clock.now()).withLastError("ignored look-alike HTLC "
                            + s.destHtlcId() + " on " + s.toChain() + ": " + why, clock.now()), cur.state())));
            return later(settings.tick());
        }
        Swap locked = book.move(s, SwapState.COUNTER_LOCKED, "counter-lock delivered over IBC (packet " + s.counterPacket()
                + "): " + s.toChain() + " HTLC " + s.destHtlcId() + " created by " + route.finalCreator() + ", refundable to "
                + route.refundAddress(), null, x -> x.withLastError(null, clock.now()));
        return locked.secret() != null ? Next.now() : until(s.destTimelock(), now(dst));
    }

    /**
     * Why {@code h} is not the HTLC the swap's transfer created, or null if it is. Only the route's creator (the
     * IBC-hooks intermediary of the relayer's own transfers) can have made it, and it must refund to the relayer.
     *
     * @param refundAddress the relayer's address on the final chain; null when the record has no refund address
     *                      (an event) and it is checked later from the chain's record
     */
    static String notOurCounterLock(Swap s, HtlcRecord h, String creator, String refundAddress) {
        if (!h.sender().equals(creator)) {
            return "created by " + h.sender() + ", not by the relayer's transfers (" + creator + ")";
        }
        if (refundAddress != null && !h.refundAddress().equals(refundAddress)) {
            return "refunds to " + h.refundAddress() + ", not to the relayer's " + refundAddress;
        }
        if (!h.hashlock().equals(s.hashlock())) return "another hashlock";
        if (!h.receiver().equals(s.receiver())) return "receiver " + h.receiver() + ", not " + s.receiver();
        if (s.destAmount() == null || h.amount().compareTo(s.destAmount()) != 0) return "amount " + h.amount() + ", not " + s.destAmount();
        if (!h.asset().equals(s.destAsset())) return "denom " + h.asset() + ", not " + s.destAsset();
        if (h.timelock() != s.destTimelock()) return "timelock " + h.timelock() + ", not " + s.destTimelock();
        return null;
    }

    private static LockRequest lockRequest(Swap s) {
        return new LockRequest(s.receiver(), s.destAsset(), s.destAmount(), s.hashlock(), s.destTimelock(),
                s.toChain().value(), s.receiver());
    }

    // ---- COUNTER_LOCKED → SECRET_REVEALED | DEST_REFUND_PENDING ------------------------------------------------------

    private Next awaitClaim(Swap s) {
        if (s.secret() != null) {
            book.move(s, SwapState.SECRET_REVEALED, "secret known (seen while the counter-lock was being recorded)", null, x -> x);
            return Next.now();
        }
        HtlcChain dst = chain(s.toChain());
        long now = now(dst);
        if (now < s.destTimelock()) {
            return until(s.destTimelock(), now);
        }
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
            return later(settings.tick()); // the user claimed: the follower brings the secret
        }
        if (h.isPresent() && h.get().status() == HtlcRecord.Status.REFUNDED) {
            book.move(s, SwapState.DEST_REFUND_PENDING, "counter-lock expired unclaimed", null, x -> x);
            book.move(book.reload(s), SwapState.REFUNDED, "counter-lock already refunded on " + s.toChain(), null, x -> x);
            return Next.DONE;
        }
        return send(s, DEST_REFUND, SwapState.DEST_REFUND_PENDING, dst.chain(), j -> dst.refund(s.destHtlcId(), j));
    }

    // ---- SECRET_REVEALED → SOURCE_CLAIM_PENDING → COMPLETED | CLAIM_MISSED ------------------------------------------

    private Next claimSource(Swap s) {
        HtlcChain src = chain(s.fromChain());
        return send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(), j -> src.claim(s.sourceHtlcId(), s.secret(), j));
    }

    // ---- COUNTER_FAILED → EXPIRED ------------------------------------------------------------------------------------

    private Next afterCounterFailure(Swap s) {
        HtlcChain src = chain(s.fromChain());
        long srcNow = now(src);
        if (srcNow < s.sourceTimelock()) return until(s.sourceTimelock(), srcNow);
        Optional<TxIntent> last = book.lastIntent(s.id(), SOURCE_REFUND);
        if (last.isPresent() && isOpen(last.get())) return drive(s, SOURCE_REFUND);
        Optional<HtlcRecord> h = src.query(s.sourceHtlcId());
        if (h.isEmpty() || h.get().status() == HtlcRecord.Status.REFUNDED) {
            book.move(s, SwapState.EXPIRED, "the source lock was refunded to the user", null, x -> x);
            return Next.DONE;
        }
        if (h.get().status() == HtlcRecord.Status.CLAIMED) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": counter-lock failed but the source lock was claimed by someone");
            return later(settings.maxRetryDelay());
        }
        // Anyone may refund an expired lock and it pays the user: do it, so the swap ends and the user's funds come back.
        return send(s, SOURCE_REFUND, SwapState.COUNTER_FAILED, src.chain(), j -> src.refund(s.sourceHtlcId(), j));
    }

    // ---- sending and reconciling -----------------------------------------------------------------------------------

    /**
     * Sends the action's transaction: the intent is persisted first (with the move to {@code pendingState} when the
     * swap is not there yet), every signed transaction is journaled before broadcast, and the outcome is recorded.
     */
    private Next send(Swap s, String action, SwapState pendingState, ChainId chain, Function<TxJournal, TxResult> call) {
        Optional<TxIntent> last = book.lastIntent(s.id(), action);
        if (last.isPresent() && isOpen(last.get()) && last.get().mayHaveBeenBroadcast()) {
            // A previous attempt may be on its way: only the chain can say (never send blindly).
            return drive(s, action);
        }
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
        AtomicReference<TxIntent> latest = new AtomicReference<>(intent);
        TxJournal journal = (SignedTx tx) -> {
            book.journal(latest.updateAndGet(i -> i.broadcasting(tx, clock.now())));
            book.faults.reached(action + ":journaled", current);
        };
        TxResult result;
        try {
            result = call.apply(journal);
            book.faults.reached(action + ":sent", current);
        } catch (TxRevertedException e) {
            book.closeIntent(latest.get(), TxIntent.Status.FAILED, current, "failed: " + e.getMessage());
            return afterFailure(book.reload(current), action, e.getMessage());
        } catch (PermanentException e) {
            if (latest.get().mayHaveBeenBroadcast()) return undecided(current, e);
            book.closeIntent(latest.get(), TxIntent.Status.FAILED, current, "refused: " + e.getMessage());
            return afterFailure(book.reload(current), action, e.getMessage());
        } catch (RuntimeException e) {
            if (latest.get().mayHaveBeenBroadcast()) return undecided(current, e);
            return backoff(current, describe(action) + " not sent: " + e.getMessage()); // the unsigned intent is reused
        }
        return landed(current, action, latest.get(), result);
    }

    private Next undecided(Swap s, RuntimeException e) {
        book.note(s, action(s) + " sent, outcome unknown (" + e.getMessage() + "); will reconcile with the chain");
        return later(settings.reconcileDelay());
    }

    private static String action(Swap s) {
        return switch (s.state()) {
            case COUNTER_PENDING -> "counter-lock";
            case SOURCE_CLAIM_PENDING -> "source claim";
            case DEST_REFUND_PENDING -> "refund";
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
            case Reconciliation.Landed l -> landed(s, i.action(), i, l.result());
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
                return afterFailure(s, action, "not signed yet"); // nothing can be on its way: send() reuses the intent
            } else {
                Reconciliation r = reconcile(s, i);
                switch (r) {
                    case Reconciliation.Landed l -> {
                        return landed(s, action, i, l.result());
                    }
                    case Reconciliation.Reverted rv -> {
                        book.closeIntent(i, TxIntent.Status.FAILED, s, "reverted in " + rv.txHash() + ": " + rv.reason());
                        return afterFailure(book.reload(s), action, rv.reason());
                    }
                    case Reconciliation.NeverLanded n -> book.closeIntent(i, TxIntent.Status.FAILED, s, "never landed: " + n.reason());
                    case Reconciliation.Undecided u -> {
                        return later(settings.reconcileDelay());
                    }
                }
            }
            return afterFailure(book.reload(s), action, "previous transaction never landed");
        }
        if (last.isPresent() && last.get().status() == TxIntent.Status.CONFIRMED) {
            // Landed and recorded, but the swap did not move (only possible if the two were written apart).
            Reconciliation r = reconcile(s, last.get());
            if (r instanceof Reconciliation.Landed l) return landed(s, action, last.get(), l.result());
        }
        return afterFailure(s, action, "no transaction in flight");
    }

    private Next landed(Swap s, String action, TxIntent intent, TxResult result) {
        succeeded(s.id());
        switch (action) {
            case COUNTER_LOCK -> {
                if (result.packet() != null) {
                    // multi-hop: included on the home chain; delivered (or not) later, as the followers report
                    Swap sent = book.landedInPlace(intent, s, "counter-lock transfer included on " + result.chain() + " in tx "
                            + result.txHash() + " as packet " + result.packet() + "; waiting for its delivery to " + s.toChain(),
                            x -> x.withCounterPacket(result.packet(), clock.now()));
                    book.faults.reached(COUNTER_LOCK + ":recorded", sent);
                    // a fast route: the final chain's follower may have reported the HTLC already
                    return sent.destHtlcId() != null ? Next.now() : later(settings.tick());
                }
                if (result.htlcId() == null) throw new PermanentException("counter-lock " + result.txHash() + " has no lock id");
                Swap locked = book.landed(intent, s, SwapState.COUNTER_LOCKED, "counter-locked on " + s.toChain() + " as "
                        + result.htlcId(), result.txHash(), x -> x.withDestHtlcId(result.htlcId(), clock.now()));
                return locked.secret() != null ? Next.now() : until(s.destTimelock(), clock.nowEpochSeconds());
            }
            case SOURCE_CLAIM -> book.landed(intent, s, SwapState.COMPLETED, "claimed the source lock on " + s.fromChain(),
                    result.txHash(), x -> x);
            case DEST_REFUND -> book.landed(intent, s, SwapState.REFUNDED, "refunded the unclaimed counter-lock on " + s.toChain(),
                    result.txHash(), x -> x);
            case SOURCE_REFUND -> book.landed(intent, s, SwapState.EXPIRED, "refunded the expired source lock to the user",
                    result.txHash(), x -> x);
            default -> throw new IllegalStateException("unknown action " + action);
        }
        return Next.DONE;
    }

    /** The action's last transaction did not happen: decide from the chain whether to send again or give up. */
    private Next afterFailure(Swap s, String action, String why) {
        switch (action) {
            case COUNTER_LOCK -> {
                int failed = book.failedCount(s.id(), action);
                HtlcChain dst = chain(s.toChain());
                if (s.counterPacket() != null) {
                    return awaitDelivery(s); // the transfer was sent and recorded: its outcome comes from the followers
                }
                String late = settings.validator().timelocks().tooLittleTime(s.toChain(), s.destTimelock(), now(dst));
                if (late != null || failed >= settings.maxCounterLockAttempts()) {
                    String reason = "counter-lock failed (" + why + "); " + (late != null ? late : failed + " attempts");
                    book.move(s, SwapState.COUNTER_FAILED, reason, null, x -> x.withLastError(reason, clock.now()));
                    return Next.now();
                }
                if (!acceptsIntake.getAsBoolean()) return later(settings.tick());
                book.note(s, "counter-lock attempt " + failed + " failed: " + why);
                return sendCounterLock(s);
            }
            case SOURCE_CLAIM -> {
                HtlcChain src = chain(s.fromChain());
                Optional<HtlcRecord> h = src.query(s.sourceHtlcId());
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
                    book.move(s, SwapState.COMPLETED, "source lock already claimed (it pays the relayer)", null, x -> x);
                    return Next.DONE;
                }
                if (h.isEmpty() || h.get().status() == HtlcRecord.Status.REFUNDED || now(src) >= s.sourceTimelock()) {
                    String reason = "CLAIM MISSED: the secret is known but the source lock on " + s.fromChain() + " can no longer be claimed ("
                            + (h.isEmpty() ? "not found" : h.get().status() == HtlcRecord.Status.REFUNDED ? "refunded to the user" : "timelock passed")
                            + "; last error: " + why + ")";
                    log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + reason);
                    book.move(s, SwapState.CLAIM_MISSED, reason, null, x -> x.withLastError(reason, clock.now()));
                    return Next.DONE;
                }
                book.note(s, "source claim failed: " + why + "; retrying");
                return sendClaimAgain(s);
            }
            case DEST_REFUND -> {
                HtlcChain dst = chain(s.toChain());
                Optional<HtlcRecord> h = dst.query(s.destHtlcId());
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.REFUNDED) {
                    book.move(s, SwapState.REFUNDED, "counter-lock refunded", null, x -> x);
                    return Next.DONE;
                }
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
                    return later(settings.tick()); // the user claimed in time: the follower brings the secret
                }
                long dstNow = now(dst);
                if (dstNow < s.destTimelock()) return until(s.destTimelock(), dstNow);
                book.note(s, "refund failed: " + why + "; retrying");
                return backoffThen(s, () -> send(s, DEST_REFUND, SwapState.DEST_REFUND_PENDING, dst.chain(), j -> dst.refund(s.destHtlcId(), j)));
            }
            case SOURCE_REFUND -> {
                return backoff(s, why);
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
    }

    private Next sendClaimAgain(Swap s) {
        HtlcChain src = chain(s.fromChain());
        return backoffThen(s, () -> send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(), j -> src.claim(s.sourceHtlcId(), s.secret(), j)));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    /** When a swap's backed-off resend is due (set by {@link #backoffThen}, cleared when it is sent). */
    private final Map<String, Instant> resendAt = new ConcurrentHashMap<>();

    /**
     * Counts consecutive failures per swap; sends again at once the first time, later after growing delays. The step
     * that comes back when the delay is over sends: it must not count as one more failure and wait again (it did, so a
     * swap whose action failed twice was never sent again until a restart).
     */
    private Next backoffThen(Swap s, java.util.function.Supplier<Next> again) {
        Instant due = resendAt.get(s.id());
        if (due != null) {
            if (clock.now().isBefore(due)) return new Next(due);
            resendAt.remove(s.id());
            return again.get();
        }
        int n = failures.merge(s.id(), 1, Integer::sum);
        if (n <= 1) return again.get();
        Instant at = clock.now().plus(delay(n));
        resendAt.put(s.id(), at);
        return new Next(at);
    }

    private Next backoff(Swap s, String why) {
        int n = failures.merge(s.id(), 1, Integer::sum);
        book.note(s, why);
        return later(delay(n));
    }

    void succeeded(String swapId) {
        failures.remove(swapId);
        resendAt.remove(swapId);
    }

    private Duration delay(int failuresSoFar) {
        long ms = settings.retryDelay().toMillis() << Math.min(20, Math.max(0, failuresSoFar - 1));
        return Duration.ofMillis(Math.min(ms, settings.maxRetryDelay().toMillis()));
    }

    private static String describe(String action) {
        return action.toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** The chain's answer about an intent: a multi-hop counter-lock is asked of its route (the home chain's transfer). */
    Reconciliation reconcile(Swap s, TxIntent i) {
        IbcCounterLock route = routes.get(s.toChain());
        if (COUNTER_LOCK.equals(i.action()) && route != null && i.chain().equals(route.homeChain())) return route.reconcile(i);
        return chain(i.chain()).reconcile(i);
    }

    private boolean openIntent(Swap s, String action) {
        return book.lastIntent(s.id(), action).filter(SwapFlow::isOpen).isPresent();
    }

    private static boolean isOpen(TxIntent i) {
        return i.status() == TxIntent.Status.PENDING || i.status() == TxIntent.Status.BROADCAST;
    }

    /**
     * Look again when a chain's clock reaches {@code timelock} (from {@code chainNow}), but at least every
     * {@link #TIMELOCK_RECHECK}: a chain's clock may run ahead of ours (block time decides, not the wall clock).
     */
    private Next until(long timelock, long chainNow) {
        long seconds = Math.max(0, timelock - chainNow);
        return later(Duration.ofSeconds(Math.min(seconds, TIMELOCK_RECHECK.toSeconds())));
    }

    static final Duration TIMELOCK_RECHECK = Duration.ofSeconds(10);

    private Next later(Duration d) {
        return new Next(clock.now().plus(d));
    }

    /** Timelocks are compared with block time; the engine never trusts a chain clock that lags the wall clock. */
    long now(HtlcChain chain) {
        return Math.max(clock.nowEpochSeconds(), chain.latestBlockTime());
    }

    HtlcChain chain(ChainId id) {
        HtlcChain c = chains.get(id);
        if (c == null) throw new PermanentException("no chain adapter for " + id);
        return c;
    }

    static Comparator<TxIntent> oldestFirst() {
        return Comparator.comparing(TxIntent::createdAt).thenComparing(TxIntent::id);
    }
}
