package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
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
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

/**
 * What one swap needs next, decided from its persisted state and the chains, one step at a time. The runtime
 * ({@link RelayEngine}) guarantees a swap never runs two steps at once.
 *
 * <p>Exactly once: a transaction is sent only through {@link #send}, which persists the intent (together with the
 * state change it belongs to) before anything is signed, and every signed transaction through the {@link TxJournal}
 * before it is broadcast. An intent that may have been broadcast is never replaced until the chain says it never
 * landed ({@link Reconciliation.NeverLanded}) or failed ({@link Reconciliation.Reverted}); while it is pending it may be
 * re-signed at a higher fee on the same nonce ({@link HtlcChain#speedUp}).
 *
 * <p>The secret drives the claim, not the bookkeeping: every step of a swap whose counter-lock exists or may exist
 * first asks the destination chain, by query ({@link SecretWatch}: more often as the claim deadline nears), whether a preimage
 * of its hashlock was revealed there ({@link HtlcChain#revealedSecret}); a known secret moves the swap to
 * SECRET_REVEALED and the source is claimed, whatever became of the counter-lock. Proof that an HTLC is the relayer's
 * decides only whether the relayer may refund it.
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
    private final Deadlines deadlines;
    /** Confirming a swap reserves inventory: serialised per destination chain so two swaps cannot count the same funds. */
    private final Map<ChainId, ReentrantLock> reservationLocks = new ConcurrentHashMap<>();
    private final SecretWatch secrets;
    private final RouteWatch routeWatch;
    private final Retries retries;
    /** When a replacement of each pending intent was last tried (also when the chain could not replace it). */
    private final Map<String, Instant> speedUpTried = new ConcurrentHashMap<>();

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
        this.deadlines = new Deadlines(settings.validator().timelocks(), settings.feeEscalation());
        this.secrets = new SecretWatch(this.chains, book, clock, settings, deadlines);
        this.routeWatch = new RouteWatch(this.chains, book, clock, settings);
        this.retries = new Retries(clock, settings);
    }

    Deadlines deadlines() {
        return deadlines;
    }

    Next step(Swap s) {
        Swap current = secrets.watch(s);
        if (current.secret() != null) {
            Next n = actOnSecret(current);
            if (n != null) return n;
        }
        return switch (current.state()) {
            case DETECTED -> confirm(current);
            case CONFIRMED -> sendCounterLock(current);
            case COUNTER_PENDING -> current.counterPacket() != null && !openIntent(current, COUNTER_LOCK)
                    ? awaitDelivery(current) : drive(current, COUNTER_LOCK);
            case COUNTER_LOCKED -> awaitClaim(current);
            case SECRET_REVEALED -> claimSource(current);
            case SOURCE_CLAIM_PENDING -> drive(current, SOURCE_CLAIM);
            case SOURCE_CLAIMED -> afterSourceClaimed(current);
            case DEST_REFUND_PENDING -> drive(current, DEST_REFUND);
            case COUNTER_FAILED -> afterCounterFailure(current);
            case COMPLETED, REJECTED, REFUNDED, EXPIRED, CLAIM_MISSED -> Next.DONE;
        };
    }

    // ---- the secret, from wherever it shows up ----------------------------------------------------------------------

    /**
     * A known secret is acted on at once where the relayer's counter-lock exists or may exist: the swap moves to
     * SECRET_REVEALED and the source is claimed. Null when the state has its own way with the secret.
     */
    private Next actOnSecret(Swap s) {
        switch (s.state()) {
            case COUNTER_PENDING, COUNTER_LOCKED, DEST_REFUND_PENDING -> {
                book.move(s, SwapState.SECRET_REVEALED, "secret known: claiming the source lock", null, x -> x);
                return Next.now();
            }
            case COUNTER_FAILED -> {
                HtlcChain src = chain(s.fromChain());
                if (src.latestBlockTime() < s.sourceTimelock()) {
                    book.move(s, SwapState.SECRET_REVEALED, "secret known although the counter-lock failed: claiming the source"
                            + " lock while it is open", null, x -> x);
                    return Next.now();
                }
                log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": the secret is known but its source lock expired;"
                        + " if a counter-lock of the relayer's with this hashlock was claimed, that amount is lost");
                return null;
            }
            default -> {
                return null;
            }
        }
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
        boolean hashlockTaken = book.hashlockTaken(s) != null;
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
                s.sourceAsset(), s.sourceAmount(), s.hashlock(), hashlockTaken, s.sourceTimelock(), s.toChain().value(),
                s.receiver(), confirmationsSeen, now, available));
    }

    /** The chain's record must be the lock the follower reported, made out to the relayer. */
    static String mismatch(Swap s, HtlcRecord h, String relayer) {
        if (!h.receiver().equalsIgnoreCase(relayer)) return "source lock's receiver " + h.receiver() + " is not the relayer";
        if (!h.hashlock().equals(s.hashlock())) return "source lock's hashlock on chain differs from the event's";
        if (h.amount().compareTo(s.sourceAmount()) != 0) return "source lock's amount on chain differs from the event's";
        if (h.timelock() != s.sourceTimelock()) return "source lock's timelock on chain differs from the event's";
        if (!h.asset().equalsIgnoreCase(s.sourceAsset())) return "source lock's asset on chain differs from the event's";
        return null;
    }

    // ---- CONFIRMED → COUNTER_PENDING → COUNTER_LOCKED | COUNTER_FAILED ------------------------------------------------

    /**
     * Looks again before paying, immediately before every counter-lock transaction (the first and every retry): intake
     * open, the hashlock still free and its secret not public, the timelock rule on the destination's current clock,
     * and the source lock read again from the chain at the depth of its confirmations — OPEN, made out to the relayer,
     * with the recorded hashlock, amount, asset and timelock. A confirmed swap that fails a check is REJECTED; a retry
     * that fails one gives the counter-lock up (COUNTER_FAILED). A source lock not (yet) visible at that depth — a node
     * behind, or a reorg after confirmation — is asked again; the timelock rule ends the wait.
     */
    private Next sendCounterLock(Swap s) {
        SwapState giveUp = s.state() == SwapState.CONFIRMED ? SwapState.REJECTED : SwapState.COUNTER_FAILED;
        HtlcChain dst = chain(s.toChain());
        String late = settings.validator().timelocks().tooLittleTime(s.toChain(), s.destTimelock(), now(dst));
        if (late != null) return refuseCounterLock(s, giveUp, late); // also while paused: the swap ends, its funds free
        if (!acceptsIntake.getAsBoolean()) return later(settings.tick()); // paused: intake waits, nothing is lost
        String taken = book.hashlockTaken(s);
        if (taken != null) return refuseCounterLock(s, giveUp, "hashlock " + s.hashlock().hex() + ": " + taken);
        HtlcChain src = chain(s.fromChain());
        int depth = settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount());
        Optional<HtlcRecord> source = src.queryConfirmed(s.sourceHtlcId(), depth);
        if (source.isEmpty()) {
            book.note(s, "not counter-locked yet: the source lock is not on " + s.fromChain() + " at " + depth
                    + " confirmation(s) (a node behind, or a reorg after it was confirmed); asking again");
            return later(settings.tick());
        }
        String wrong = mismatch(s, source.get(), src.relayerAddress());
        if (wrong == null && source.get().status() != HtlcRecord.Status.OPEN) {
            wrong = "source lock is " + source.get().status().name().toLowerCase() + ", not open";
        }
        if (wrong != null) return refuseCounterLock(s, giveUp, wrong);

        // Where a search for the counter-lock's claim may start: it will be created at or above the height followed now.
        Swap sending = s.destHeight() == 0 && heights.height(s.toChain()) > 0
                ? s.withDestHeight(heights.height(s.toChain()), clock.now()) : s;
        IbcCounterLock route = routes.get(s.toChain());
        if (route != null) {
            return send(sending, COUNTER_LOCK, SwapState.COUNTER_PENDING, route.homeChain(), (j, fee) -> route.send(lockRequest(s), j, fee));
        }
        return send(sending, COUNTER_LOCK, SwapState.COUNTER_PENDING, dst.chain(), (j, fee) -> dst.lock(lockRequest(s), j, fee));
    }

    private Next refuseCounterLock(Swap s, SwapState giveUp, String why) {
        String reason = "not counter-locked: " + why;
        // an intent persisted but never signed (a step cut short) ends with the swap: nothing of it can be on its way
        book.lastIntent(s.id(), COUNTER_LOCK).filter(i -> isOpen(i) && !i.mayHaveBeenBroadcast())
                .ifPresent(i -> book.closeIntent(i, TxIntent.Status.FAILED, s, "not sent: " + why));
        book.move(s, giveUp, reason, null, x -> x.withLastError(reason, clock.now()));
        return giveUp == SwapState.COUNTER_FAILED ? Next.now() : Next.DONE;
    }

    // ---- multi-hop: COUNTER_PENDING (transfer included) → COUNTER_LOCKED | COUNTER_FAILED ----------------------------

    /**
     * The transfer left the home chain; what happens next is reported by followers: an error acknowledgement or a
     * timeout moves the swap to COUNTER_FAILED ({@link SwapEvents}), an HTLC created on the final chain with the
     * swap's terms by the route's creator is recorded as the candidate counter-lock. Here the candidate is proven
     * ours from the final chain's own record (creator, refund address, receiver, amount, denom, hashlock, timelock)
     * before the swap counts as counter-locked. Meanwhile the secret watch asks the final chain for any claim with the
     * swap's hashlock: a user who claims an HTLC the engine could not prove its own still gets the source claimed.
     */
    private Next awaitDelivery(Swap s) {
        IbcCounterLock route = routes.get(s.toChain());
        if (route == null) throw new PermanentException("swap " + s.id() + " has a counter-lock packet but " + s.toChain()
                + " has no IBC route configured");
        if (s.destHtlcId() == null) {
            Swap found = routeWatch.ask(s, route);
            if (found == null) return Next.now(); // the transfer failed: the swap moved on
            if (found.destHtlcId() == null) {
                return later(settings.secretWatch().compareTo(TIMELOCK_RECHECK) < 0 ? settings.secretWatch() : TIMELOCK_RECHECK);
            }
            s = found;
        }
        HtlcChain dst = chain(s.toChain());
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isEmpty()) return later(settings.tick()); // a node behind the follower: ask again
        String why = RouteWatch.notOurCounterLock(s, h.get(), route.finalCreator(), route.refundAddress());
        if (why != null) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": " + s.toChain() + " HTLC " + s.destHtlcId()
                    + " is not its counter-lock (" + why + "); ignored, still waiting for the transfer " + s.counterPacket());
            forgetCandidate(s, why);
            return later(settings.tick());
        }
        Swap locked = book.move(s, SwapState.COUNTER_LOCKED, "counter-lock delivered over IBC (packet " + s.counterPacket()
                + "): " + s.toChain() + " HTLC " + s.destHtlcId() + " created by " + route.finalCreator() + ", refundable to "
                + route.refundAddress(), null, x -> x.withLastError(null, clock.now()));
        return locked.secret() != null ? Next.now() : until(s.destTimelock(), now(dst));
    }

    private void forgetCandidate(Swap s, String why) {
        book.store().run(tx -> tx.find(s.id()).filter(cur -> s.destHtlcId().equals(cur.destHtlcId()))
                .ifPresent(cur -> tx.update(cur.withDestHtlcId(null, clock.now()).withLastError("ignored look-alike HTLC "
                        + s.destHtlcId() + " on " + s.toChain() + ": " + why, clock.now()), cur.state())));
    }

    private static LockRequest lockRequest(Swap s) {
        return new LockRequest(s.receiver(), s.destAsset(), s.destAmount(), s.hashlock(), s.destTimelock(),
                s.toChain().value(), s.receiver());
    }

    // ---- COUNTER_LOCKED → SECRET_REVEALED | DEST_REFUND_PENDING ------------------------------------------------------

    private Next awaitClaim(Swap s) {
        HtlcChain dst = chain(s.toChain());
        long now = now(dst);
        if (now < s.destTimelock()) {
            Next next = until(s.destTimelock(), now);
            Instant watch = clock.now().plus(secrets.interval(s));
            return next.at().isAfter(watch) ? new Next(watch) : next;
        }
        // T_dst passed: the user can no longer claim. Did they, just before? The chain's record says, not an event.
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
            Optional<Secret> secret = Optional.ofNullable(h.get().secret())
                    .or(() -> dst.revealedSecret(s.hashlock(), s.destHtlcId(), s.destHeight()));
            if (secret.isPresent() && secret.get().opens(s.hashlock())) {
                book.secretFound(s, secret.get(), "secret read from " + s.toChain() + ": the counter-lock " + s.destHtlcId()
                        + " is claimed");
                return Next.now();
            }
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": counter-lock " + s.destHtlcId() + " on " + s.toChain()
                    + " is claimed but its secret cannot be read yet; the source must be claimed before T_src " + s.sourceTimelock());
            book.note(s, "counter-lock claimed on chain; its secret is not readable yet");
            return later(settings.tick());
        }
        if (h.isPresent() && h.get().status() == HtlcRecord.Status.REFUNDED) {
            book.move(s, SwapState.DEST_REFUND_PENDING, "counter-lock expired unclaimed", null, x -> x);
            book.move(book.reload(s), SwapState.REFUNDED, "counter-lock already refunded on " + s.toChain(), null, x -> x);
            return Next.DONE;
        }
        if (h.isEmpty()) return later(settings.tick()); // a node behind: ask again, never refund blind
        return send(s, DEST_REFUND, SwapState.DEST_REFUND_PENDING, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee));
    }

    // ---- SECRET_REVEALED → SOURCE_CLAIM_PENDING → COMPLETED | SOURCE_CLAIMED | CLAIM_MISSED --------------------------

    private Next claimSource(Swap s) {
        HtlcChain src = chain(s.fromChain());
        return send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(), (j, fee) -> src.claim(s.sourceHtlcId(), s.secret(), j, fee));
    }

    /**
     * The source is claimed (by this relayer, or by anyone: it pays the relayer). COMPLETED when nothing of the
     * relayer's is left open on the destination — its counter-lock claimed or refunded, or never made — else
     * SOURCE_CLAIMED, which settles the counter-lock (the user may still claim it until T_dst; after that the relayer
     * refunds it).
     */
    private Swap sourceClaimed(Swap s, TxIntent intent, String cause, String txHash) {
        SwapState next = counterLockSettled(s) ? SwapState.COMPLETED : SwapState.SOURCE_CLAIMED;
        if (intent != null) return book.landed(intent, s, next, cause, txHash, x -> x);
        return book.move(s, next, cause, txHash, x -> x);
    }

    /** True only when the relayer certainly has nothing open on the destination for this swap. */
    private boolean counterLockSettled(Swap s) {
        if (openIntent(s, COUNTER_LOCK) || openIntent(s, DEST_REFUND)) return false;
        boolean routed = routes.containsKey(s.toChain());
        if (s.destHtlcId() == null) return !routed || s.counterPacket() == null; // no counter-lock landed (or left home)
        try {
            Optional<HtlcRecord> h = chain(s.toChain()).query(s.destHtlcId());
            return h.isPresent() && h.get().status() != HtlcRecord.Status.OPEN;
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---- SOURCE_CLAIMED → COMPLETED ------------------------------------------------------------------------------

    /**
     * The relayer holds the source funds; its own counter-lock is settled here without ever being sent again: an open
     * counter-lock intent is reconciled (a landed one is recorded), an open refund driven; an HTLC of the relayer's that
     * is still open is left to the user until T_dst and refunded after it; a multi-hop transfer nobody reported an
     * HTLC for is given up once every hop's timeout has passed (with an error line saying where it would refund to).
     */
    private Next afterSourceClaimed(Swap s) {
        Optional<TxIntent> lock = book.lastIntent(s.id(), COUNTER_LOCK);
        if (lock.isPresent() && isOpen(lock.get())) {
            TxIntent i = lock.get();
            if (!i.mayHaveBeenBroadcast()) {
                book.closeIntent(i, TxIntent.Status.FAILED, s, "not sent: the source was claimed before it was signed");
                return Next.now();
            }
            switch (reconcile(s, i)) {
                case Reconciliation.Landed l -> {
                    TxResult r = l.result();
                    book.landedInPlace(i, s, "the counter-lock landed after the source was claimed: " + r.txHash(),
                            x -> r.packet() != null ? x.withCounterPacket(r.packet(), clock.now())
                                    : x.withDestHtlcId(r.htlcId(), clock.now()).withDestHeight(r.height(), clock.now()));
                    return Next.now();
                }
                case Reconciliation.Reverted rv -> book.closeIntent(i, TxIntent.Status.FAILED, s, "counter-lock reverted in " + rv.txHash());
                case Reconciliation.NeverLanded n -> book.closeIntent(i, TxIntent.Status.FAILED, s, "counter-lock never landed: " + n.reason());
                case Reconciliation.Undecided u -> {
                    return later(settings.reconcileDelay());
                }
            }
            return Next.now();
        }
        if (openIntent(s, DEST_REFUND)) return drive(s, DEST_REFUND);
        HtlcChain dst = chain(s.toChain());
        IbcCounterLock route = routes.get(s.toChain());
        if (s.destHtlcId() == null) {
            if (route == null || s.counterPacket() == null) {
                return complete(s, "no counter-lock of the relayer's is open on " + s.toChain());
            }
            Swap asked = routeWatch.ask(s, route);
            if (asked == null) return Next.DONE;
            if (asked.destHtlcId() != null) return Next.now();
            long dstNow = now(dst);
            long settledAt = s.destTimelock() + route.worstCaseDeliverySeconds();
            if (dstNow < settledAt) return until(settledAt, dstNow);
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": no HTLC was reported on " + s.toChain() + " for the transfer "
                    + s.counterPacket() + " and every hop's timeout has passed; if one exists it refunds to "
                    + route.refundAddress() + " (anyone may refund it)");
            return complete(s, "counter-lock transfer " + s.counterPacket() + " never reported an HTLC on " + s.toChain());
        }
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isEmpty()) return later(settings.tick());
        if (h.get().status() != HtlcRecord.Status.OPEN) {
            return complete(s, "the counter-lock " + s.destHtlcId() + " is " + h.get().status().name().toLowerCase());
        }
        if (route != null) {
            String why = RouteWatch.notOurCounterLock(s, h.get(), route.finalCreator(), route.refundAddress());
            if (why != null) {
                forgetCandidate(s, why);
                return later(settings.tick());
            }
        }
        long dstNow = now(dst);
        if (dstNow < s.destTimelock()) return until(s.destTimelock(), dstNow);
        return send(s, DEST_REFUND, SwapState.SOURCE_CLAIMED, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee));
    }

    private Next complete(Swap s, String cause) {
        book.move(s, SwapState.COMPLETED, cause, null, x -> x);
        return Next.DONE;
    }

    // ---- COUNTER_FAILED → EXPIRED ------------------------------------------------------------------------------------

    private Next afterCounterFailure(Swap s) {
        HtlcChain src = chain(s.fromChain());
        long srcNow = now(src);
        if (srcNow < s.sourceTimelock()) {
            Next next = until(s.sourceTimelock(), srcNow);
            if (!secrets.counterLockMayExist(s)) return next;
            Instant watch = clock.now().plus(secrets.interval(s));
            return next.at().isAfter(watch) ? new Next(watch) : next;
        }
        Optional<TxIntent> lockIntent = book.lastIntent(s.id(), COUNTER_LOCK).filter(SwapFlow::isOpen);
        if (lockIntent.isPresent() && !lockIntent.get().mayHaveBeenBroadcast()) {
            book.closeIntent(lockIntent.get(), TxIntent.Status.FAILED, s, "not sent: the counter-lock was given up");
        } else if (lockIntent.isPresent()) {
            // Never refund the user while a counter-lock of ours may still be on its way: only the chain can say.
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": the counter-lock failed but one of its transactions is"
                    + " still undecided; the user's source lock is not refunded until the chain says it never landed");
            return drive(s, COUNTER_LOCK);
        }
        Optional<TxIntent> last = book.lastIntent(s.id(), SOURCE_REFUND);
        if (last.isPresent() && isOpen(last.get()) && last.get().mayHaveBeenBroadcast()) return drive(s, SOURCE_REFUND);
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
        return send(s, SOURCE_REFUND, SwapState.COUNTER_FAILED, src.chain(), (j, fee) -> src.refund(s.sourceHtlcId(), j, fee));
    }

    // ---- sending and reconciling -----------------------------------------------------------------------------------

    /**
     * Sends the action's transaction: the intent is persisted first (with the move to {@code pendingState} when the
     * swap is not there yet), every signed transaction is journaled before broadcast, and the outcome is recorded. The
     * fee bid rises with the action's failed attempts and as its deadline nears ({@link Deadlines}).
     */
    private Next send(Swap s, String action, SwapState pendingState, ChainId chain, BiFunction<TxJournal, FeeBid, TxResult> call) {
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
        FeeBid fee = deadlines.bid(current, action, book.failedCount(s.id(), action), chainTime(current, action));
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
            if (e.txHash() == null && !latest.get().mayHaveBeenBroadcast() && !COUNTER_LOCK.equals(action)) {
                // Refused by simulation, nothing signed: a protective action keeps its one unsigned intent for the next
                // try (a node behind, a lock not visible yet) instead of piling up a row per retry until its deadline.
                book.note(current, describe(action) + " not sent: " + e.getMessage());
                return afterFailure(book.reload(current), action, e.getMessage());
            }
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
                        return escalate(s, action, i, u.reason());
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

    /**
     * A transaction still pending: once it waited {@link Deadlines#escalationInterval} (shorter as the action's deadline
     * nears) it is replaced on the same nonce at the next fee level ({@link HtlcChain#speedUp}; the level counts the
     * intent's signed transactions, so it survives restarts). A chain that cannot replace (Cosmos) is left to its
     * {@code timeout_height}, after which reconcile says NeverLanded and the action is sent anew at a higher level.
     */
    private Next escalate(Swap s, String action, TxIntent i, String why) {
        long chainNow = chainTime(s, action);
        if (COUNTER_LOCK.equals(action) && (s.state() != SwapState.COUNTER_PENDING
                || chainNow >= deadlines.deadline(s, action))) {
            // never push a counter-lock the swap gave up, or one that would now leave the user less than W_user + H
            if (speedUpTried.putIfAbsent(i.id() + "/late", clock.now()) == null) {
                log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": its counter-lock " + i.txHash() + " (nonce " + i.nonce()
                        + ") is still undecided past its deadline (" + why + "); the swap waits for the chain to decide: it may"
                        + " still land (then it is followed as usual) — check the relayer's balance and endpoints on " + i.chain());
                book.note(s, "counter-lock undecided past its deadline: " + why);
            }
            return later(settings.reconcileDelay());
        }
        Duration every = deadlines.escalationInterval(s, action, chainNow);
        Instant now = clock.now();
        Instant lastTry = speedUpTried.getOrDefault(i.id(), i.updatedAt());
        Instant due = (lastTry.isAfter(i.updatedAt()) ? lastTry : i.updatedAt()).plus(every);
        if (now.isBefore(due)) return later(min(settings.reconcileDelay(), Duration.between(now, due)));
        speedUpTried.put(i.id(), now);
        HtlcChain c = chains.get(i.chain());
        if (c == null || (COUNTER_LOCK.equals(action) && routes.containsKey(s.toChain()))) return later(settings.reconcileDelay());
        FeeBid fee = FeeBid.level(i.hashes().size() + deadlines.urgency(s, action, chainNow));
        AtomicReference<TxIntent> latest = new AtomicReference<>(i);
        TxJournal journal = (SignedTx tx) -> book.journal(latest.updateAndGet(x -> x.broadcasting(tx, clock.now())));
        try {
            if (c.speedUp(i, fee, journal)) {
                log.log(System.Logger.Level.INFO, "swap " + s.id() + ": " + describe(action) + " still pending after " + every.toSeconds()
                        + " s (" + why + "); replaced at fee level " + fee.level() + " as " + latest.get().txHash());
            }
        } catch (RuntimeException e) {
            book.note(s, describe(action) + " pending; its fee replacement failed: " + e.getMessage());
        }
        return later(settings.reconcileDelay());
    }

    private Next landed(Swap s, String action, TxIntent intent, TxResult result) {
        retries.succeeded(s.id());
        speedUpTried.remove(intent.id());
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
                Swap stored = book.reload(s); // an event may have moved it while the lock was on its way
                if (stored.state() == SwapState.COUNTER_FAILED) {
                    log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": a counter-lock landed after the swap was given up"
                            + " (tx " + result.txHash() + "); it is followed like any counter-lock from here");
                } else if (stored.state() != SwapState.COUNTER_PENDING) {
                    // the secret arrived while the lock was being sent: record where the lock is, the step settles it
                    book.landedInPlace(intent, stored, "counter-locked on " + s.toChain() + " as " + result.htlcId(),
                            x -> x.withDestHtlcId(result.htlcId(), clock.now()).withDestHeight(result.height(), clock.now()));
                    return Next.now();
                }
                Swap locked = book.landed(intent, stored, SwapState.COUNTER_LOCKED, "counter-locked on " + s.toChain() + " as "
                        + result.htlcId(), result.txHash(), x -> x.withDestHtlcId(result.htlcId(), clock.now())
                                .withDestHeight(result.height(), clock.now()));
                return locked.secret() != null ? Next.now() : until(s.destTimelock(), clock.nowEpochSeconds());
            }
            case SOURCE_CLAIM -> {
                Swap done = sourceClaimed(s, intent, "claimed the source lock on " + s.fromChain(), result.txHash());
                return done.state().isTerminal() ? Next.DONE : Next.now();
            }
            case DEST_REFUND -> book.landed(intent, s, s.state() == SwapState.SOURCE_CLAIMED ? SwapState.COMPLETED : SwapState.REFUNDED,
                    "refunded the unclaimed counter-lock on " + s.toChain(), result.txHash(), x -> x);
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
                if (s.state() != SwapState.COUNTER_PENDING) return Next.now(); // the secret moved the swap on meanwhile
                int failed = book.failedCount(s.id(), action);
                if (s.counterPacket() != null) {
                    return awaitDelivery(s); // the transfer was sent and recorded: its outcome comes from the followers
                }
                if (failed >= settings.maxCounterLockAttempts()) {
                    return refuseCounterLock(s, SwapState.COUNTER_FAILED, "counter-lock failed (" + why + "); " + failed + " attempts");
                }
                book.note(s, "counter-lock attempt " + failed + " failed: " + why);
                return sendCounterLock(s); // looks again before paying (intake, hashlock, time, source lock)
            }
            case SOURCE_CLAIM -> {
                HtlcChain src = chain(s.fromChain());
                Optional<HtlcRecord> h = src.query(s.sourceHtlcId());
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
                    // claimed by us in an earlier transaction, or by anyone with the secret: it pays the relayer
                    Swap done = sourceClaimed(s, null, "source lock already claimed (it pays the relayer)", null);
                    return done.state().isTerminal() ? Next.DONE : Next.now();
                }
                // Lost only once the source chain itself, on a confirmed block, is past T_src: never from one endpoint's
                // "not found" or "refunded", and never from the wall clock.
                long confirmedNow = src.confirmedBlockTime();
                if (confirmedNow >= s.sourceTimelock()) {
                    String reason = "CLAIM MISSED: the secret is known but the source lock on " + s.fromChain() + " can no longer be claimed ("
                            + (h.isEmpty() ? "not found" : h.get().status() == HtlcRecord.Status.REFUNDED ? "refunded to the user" : "open")
                            + "; its confirmed time " + confirmedNow + " is past T_src " + s.sourceTimelock() + "; last error: " + why + ")";
                    log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + reason);
                    book.move(s, SwapState.CLAIM_MISSED, reason, null, x -> x.withLastError(reason, clock.now()));
                    return Next.DONE;
                }
                book.note(s, "source claim failed: " + why + "; retrying (T_src in " + (s.sourceTimelock() - confirmedNow) + " s)");
                return sendClaimAgain(s);
            }
            case DEST_REFUND -> {
                HtlcChain dst = chain(s.toChain());
                Optional<HtlcRecord> h = dst.query(s.destHtlcId());
                boolean claimedSource = s.state() == SwapState.SOURCE_CLAIMED;
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.REFUNDED) {
                    book.move(s, claimedSource ? SwapState.COMPLETED : SwapState.REFUNDED, "counter-lock refunded", null, x -> x);
                    return Next.DONE;
                }
                if (h.isPresent() && h.get().status() == HtlcRecord.Status.CLAIMED) {
                    if (claimedSource) return complete(s, "the user claimed the counter-lock");
                    return awaitClaim(s); // the user claimed in time: its record gives the secret
                }
                long dstNow = now(dst);
                if (dstNow < s.destTimelock()) return until(s.destTimelock(), dstNow);
                book.note(s, "refund failed: " + why + "; retrying");
                SwapState pending = claimedSource ? SwapState.SOURCE_CLAIMED : SwapState.DEST_REFUND_PENDING;
                return backoffThen(s, null, () -> send(s, DEST_REFUND, pending, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee)));
            }
            case SOURCE_REFUND -> {
                return backoff(s, why);
            }
            default -> throw new IllegalStateException("unknown action " + action);
        }
    }

    private Next sendClaimAgain(Swap s) {
        HtlcChain src = chain(s.fromChain());
        // near the claim deadline a failed claim is sent again without waiting out the backoff
        long left = deadlines.claimDeadline(s) - now(src);
        Duration cap = Duration.ofSeconds(Math.max(1, left / 4));
        return backoffThen(s, cap, () -> send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(),
                (j, fee) -> src.claim(s.sourceHtlcId(), s.secret(), j, fee)));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** Forgets what is kept in memory about a swap that ended. */
    void forget(String swapId) {
        retries.succeeded(swapId);
        secrets.forget(swapId);
        routeWatch.forget(swapId);
    }

    private Next backoffThen(Swap s, Duration cap, java.util.function.Supplier<Next> again) {
        return retries.backoffThen(s.id(), cap, again);
    }

    private Next backoff(Swap s, String why) {
        Duration d = retries.failedAgain(s.id());
        book.note(s, why);
        return later(d);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
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

    /** The time on the chain that judges {@code action}'s deadline (the wall clock if that chain cannot answer). */
    private long chainTime(Swap s, String action) {
        HtlcChain c = chains.get(Deadlines.clockOf(s, action));
        try {
            return c == null ? clock.nowEpochSeconds() : now(c);
        } catch (RuntimeException e) {
            return clock.nowEpochSeconds();
        }
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
