package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.TxIntent;
import io.evmore.core.util.Futures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * What one swap needs next, decided from its persisted state and the chains, one step at a time. The runtime
 * ({@link RelayEngine}) guarantees a swap never runs two steps at once.
 *
 * <p>Exactly once: a transaction is sent only through {@link Transactions#send}, which persists the intent (together with the
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
final class SwapFlow implements Transactions.Outcomes {
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
    private final SecretWatch secrets;
    private final RouteWatch routeWatch;
    private final Retries retries;
    private final FlowClock time;
    private final Confirmation confirmation;
    private final Transactions tx;
    private final StepReads reads;

    SwapFlow(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings, ChainHeights heights,
            BooleanSupplier acceptsIntake) {
        this(chains, Map.of(), book, clock, settings, heights, acceptsIntake);
    }

    SwapFlow(Map<ChainId, HtlcChain> chains, Map<ChainId, IbcCounterLock> routes, SwapBook book, Clock clock,
            EngineSettings settings, ChainHeights heights, BooleanSupplier acceptsIntake) {
        this(chains, routes, book, clock, settings, heights, acceptsIntake, Runnable::run);
    }

    /** @param readExecutor where a step's independent reads run side by side (the caller's thread: one after another) */
    SwapFlow(Map<ChainId, HtlcChain> chains, Map<ChainId, IbcCounterLock> routes, SwapBook book, Clock clock,
            EngineSettings settings, ChainHeights heights, BooleanSupplier acceptsIntake, java.util.concurrent.Executor readExecutor) {
        this.reads = new StepReads(readExecutor, book);
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
        this.time = new FlowClock(clock, this.chains);
        this.confirmation = new Confirmation(this.chains, book, clock, settings, heights, time, reads);
        this.tx = new Transactions(this.chains, this.routes, book, clock, settings, deadlines, time, this, reads);
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
            case DETECTED -> confirmation.confirm(current);
            case CONFIRMED -> sendCounterLock(current);
            case COUNTER_PENDING -> current.counterPacket() != null && !tx.openIntent(current, COUNTER_LOCK)
                    ? awaitDelivery(current) : tx.drive(current, COUNTER_LOCK);
            case COUNTER_LOCKED -> awaitClaim(current);
            case SECRET_REVEALED -> claimSource(current);
            case SOURCE_CLAIM_PENDING -> tx.drive(current, SOURCE_CLAIM);
            case SOURCE_CLAIMED -> afterSourceClaimed(current);
            case DEST_REFUND_PENDING -> tx.drive(current, DEST_REFUND);
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
                // a refund begun because the source claim was missed goes on: the secret cannot claim the source any more
                if (s.state() == SwapState.DEST_REFUND_PENDING && sourceClaimImpossible(s)) return null;
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
        HtlcChain src = chain(s.fromChain());
        int depth = settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount());
        IbcCounterLock route = routes.get(s.toChain());
        if (s.state() == SwapState.COUNTER_PENDING) {
            Next held = earlierCounterLock(s, dst, route);
            if (held != null) return held;
        }
        // The two look-again reads (the destination's clock, the source lock at depth) are independent: both start now,
        // side by side; their answers are checked below in the order they always were.
        CompletableFuture<Optional<HtlcRecord>> sourceRead = acceptsIntake.getAsBoolean()
                ? reads.start(() -> src.queryConfirmed(s.sourceHtlcId(), depth)) : null;
        long dstNow = time.now(dst);
        String late = settings.validator().timelocks().tooLittleTime(s.toChain(), s.destTimelock(), dstNow);
        if (late != null) return refuseCounterLock(s, giveUp, late); // also while paused: the swap ends, its funds free
        if (!acceptsIntake.getAsBoolean()) return time.later(settings.tick()); // paused: intake waits, nothing is lost
        Optional<String> held = route == null ? Optional.empty() : route.heldBecause();
        if (held.isPresent()) { // a route its chains have not confirmed (or contradict): nothing goes over it
            book.note(s, "not counter-locked yet: the route to " + s.toChain() + " is held: " + held.get());
            return time.later(settings.tick());
        }
        String taken = book.hashlockTaken(s);
        if (taken != null) return refuseCounterLock(s, giveUp, "hashlock " + s.hashlock().hex() + ": " + taken);
        Optional<HtlcRecord> source = Futures.join(sourceRead != null ? sourceRead
                : reads.start(() -> src.queryConfirmed(s.sourceHtlcId(), depth))); // intake resumed since: read it now
        if (source.isEmpty()) {
            book.note(s, "not counter-locked yet: the source lock is not on " + s.fromChain() + " at " + depth
                    + " confirmation(s) (a node behind, or a reorg after it was confirmed); asking again");
            return time.later(settings.tick());
        }
        String wrong = Confirmation.mismatch(s, source.get(), src.relayerAddress());
        if (wrong == null && source.get().status() != HtlcRecord.Status.OPEN) {
            wrong = "source lock is " + source.get().status().name().toLowerCase() + ", not open";
        }
        if (wrong != null) return refuseCounterLock(s, giveUp, wrong);

        // Where a search for the counter-lock's claim may start: it will be created at or above the height followed now.
        Swap sending = s.destHeight() == 0 && heights.height(s.toChain()) > 0
                ? s.withDestHeight(heights.height(s.toChain()), clock.now()) : s;
        // the fee bid is judged on the destination's clock just read (Deadlines.clockOf): not read a second time
        if (route != null) {
            return tx.send(sending, COUNTER_LOCK, SwapState.COUNTER_PENDING, route.homeChain(), dstNow,
                    (j, fee) -> route.send(lockRequest(s), j, fee));
        }
        return tx.send(sending, COUNTER_LOCK, SwapState.COUNTER_PENDING, dst.chain(), dstNow, (j, fee) -> dst.lock(lockRequest(s), j, fee));
    }

    /**
     * The last look before a counter-lock is paid again after an attempt that may have reached a node: reconcile closes
     * an attempt as failed only on the chain's evidence, and this guards against that evidence having lied. The
     * destination is searched for a lock with the swap's hashlock that is the relayer's: a direct one made by its own
     * account with exactly the swap's terms (receiver, asset, amount, timelock: a lock of an earlier swap that reused the
     * hashlock has another timelock), found by {@link HtlcChain#relayerLocksWithHashlock}; over a route, one the route's
     * creator made that refunds to the relayer, with the swap's terms ({@link RouteWatch#notOurCounterLock}), found by
     * {@link HtlcChain#htlcsWithHashlock} (a transfer still on its way shows only once delivered). One found is adopted
     * as the swap's counter-lock, loudly, and nothing is sent. A direct search that cannot answer holds the retry (the
     * timelock rule still ends the wait). Null: none found, send.
     */
    private Next earlierCounterLock(Swap s, HtlcChain dst, IbcCounterLock route) {
        boolean mayExist = book.intents(s.id()).stream()
                .anyMatch(i -> i.action().equals(COUNTER_LOCK) && i.mayHaveBeenBroadcast());
        if (!mayExist) return null;
        List<HtlcRecord> found;
        try {
            found = route != null ? dst.htlcsWithHashlock(s.hashlock())
                    : dst.relayerLocksWithHashlock(s.hashlock(), s.destHeight(), heights.height(s.toChain()));
        } catch (RuntimeException e) {
            long dstNow = time.now(dst);
            String late = settings.validator().timelocks().tooLittleTime(s.toChain(), s.destTimelock(), dstNow);
            if (late != null) return refuseCounterLock(s, SwapState.COUNTER_FAILED, late);
            book.note(s, "not counter-locked again yet: " + s.toChain() + " cannot be searched for an earlier counter-lock"
                    + " of this swap (" + e.getMessage() + ")");
            return time.later(settings.tick());
        }
        LockRequest terms = lockRequest(s);
        java.util.function.Predicate<HtlcRecord> relayers = route != null
                ? h -> RouteWatch.notOurCounterLock(s, h, route.finalCreator(), route.refundAddress()) == null
                : h -> h.hashlock().equals(s.hashlock()) && h.sender().equalsIgnoreCase(dst.relayerAddress())
                        && h.receiver().equalsIgnoreCase(terms.receiver()) && h.asset().equalsIgnoreCase(terms.asset())
                        && h.amount().equals(terms.amount()) && h.timelock() == terms.timelock();
        Optional<HtlcRecord> ours = found.stream().filter(relayers)
                .min(java.util.Comparator.comparing(h -> h.status() != HtlcRecord.Status.OPEN));
        if (ours.isEmpty()) return null;
        HtlcRecord h = ours.get();
        String why = "an earlier attempt's counter-lock " + h.id() + " is on " + s.toChain() + " (" + h.status().name()
                .toLowerCase(java.util.Locale.ROOT) + ") although that attempt was decided as failed: adopted as the swap's"
                + " counter-lock, not paid again";
        log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + why + " (check the endpoints of "
                + (route != null ? route.homeChain() : s.toChain()) + ": one of them showed the chain without it)");
        book.move(s, SwapState.COUNTER_LOCKED, why, null, x -> x.withDestHtlcId(h.id(), clock.now()).withLastError(why, clock.now()));
        return Next.now();
    }

    private Next refuseCounterLock(Swap s, SwapState giveUp, String why) {
        String reason = "not counter-locked: " + why;
        // an intent persisted but never signed (a step cut short) ends with the swap: nothing of it can be on its way
        book.lastIntent(s.id(), COUNTER_LOCK).filter(i -> Transactions.isOpen(i) && !i.mayHaveBeenBroadcast())
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
                return time.later(settings.secretWatch().compareTo(FlowClock.TIMELOCK_RECHECK) < 0 ? settings.secretWatch() : FlowClock.TIMELOCK_RECHECK);
            }
            s = found;
        }
        HtlcChain dst = chain(s.toChain());
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isEmpty()) return time.later(settings.tick()); // a node behind the follower: ask again
        String why = RouteWatch.notOurCounterLock(s, h.get(), route.finalCreator(), route.refundAddress());
        if (why != null) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": " + s.toChain() + " HTLC " + s.destHtlcId()
                    + " is not its counter-lock (" + why + "); ignored, still waiting for the transfer " + s.counterPacket());
            forgetCandidate(s, why);
            return time.later(settings.tick());
        }
        Swap locked = book.move(s, SwapState.COUNTER_LOCKED, "counter-lock delivered over IBC (packet " + s.counterPacket()
                + "): " + s.toChain() + " HTLC " + s.destHtlcId() + " created by " + route.finalCreator() + ", refundable to "
                + route.refundAddress(), null, x -> x.withLastError(null, clock.now()));
        return locked.secret() != null ? Next.now() : time.until(s.destTimelock(), time.now(dst));
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
        long now = time.now(dst);
        if (now < s.destTimelock()) {
            Next next = time.until(s.destTimelock(), now);
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
            return time.later(settings.tick());
        }
        if (h.isPresent() && h.get().status() == HtlcRecord.Status.REFUNDED) {
            book.move(s, SwapState.DEST_REFUND_PENDING, "counter-lock expired unclaimed", null, x -> x);
            book.move(book.reload(s), SwapState.REFUNDED, "counter-lock already refunded on " + s.toChain(), null, x -> x);
            return Next.DONE;
        }
        if (h.isEmpty()) return time.later(settings.tick()); // a node behind: ask again, never refund blind
        return tx.send(s, DEST_REFUND, SwapState.DEST_REFUND_PENDING, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee));
    }

    // ---- SECRET_REVEALED → SOURCE_CLAIM_PENDING → COMPLETED | SOURCE_CLAIMED | CLAIM_MISSED --------------------------

    private Next claimSource(Swap s) {
        HtlcChain src = chain(s.fromChain());
        return tx.send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(), (j, fee) -> src.claim(s.sourceHtlcId(), s.secret(), j, fee));
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
        if (tx.openIntent(s, COUNTER_LOCK) || tx.openIntent(s, DEST_REFUND)) return false;
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
        if (lock.isPresent() && Transactions.isOpen(lock.get())) {
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
                    return time.later(settings.reconcileDelay());
                }
            }
            return Next.now();
        }
        if (tx.openIntent(s, DEST_REFUND)) return tx.drive(s, DEST_REFUND);
        HtlcChain dst = chain(s.toChain());
        IbcCounterLock route = routes.get(s.toChain());
        if (s.destHtlcId() == null) {
            if (route == null || s.counterPacket() == null) {
                return complete(s, "no counter-lock of the relayer's is open on " + s.toChain());
            }
            Swap asked = routeWatch.ask(s, route);
            if (asked == null) return Next.DONE;
            if (asked.destHtlcId() != null) return Next.now();
            long dstNow = time.now(dst);
            long settledAt = s.destTimelock() + route.worstCaseDeliverySeconds();
            if (dstNow < settledAt) return time.until(settledAt, dstNow);
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": no HTLC was reported on " + s.toChain() + " for the transfer "
                    + s.counterPacket() + " and every hop's timeout has passed; if one exists it refunds to "
                    + route.refundAddress() + " (anyone may refund it)");
            return complete(s, "counter-lock transfer " + s.counterPacket() + " never reported an HTLC on " + s.toChain());
        }
        Optional<HtlcRecord> h = dst.query(s.destHtlcId());
        if (h.isEmpty()) return time.later(settings.tick());
        if (h.get().status() != HtlcRecord.Status.OPEN) {
            return complete(s, "the counter-lock " + s.destHtlcId() + " is " + h.get().status().name().toLowerCase());
        }
        if (route != null) {
            String why = RouteWatch.notOurCounterLock(s, h.get(), route.finalCreator(), route.refundAddress());
            if (why != null) {
                forgetCandidate(s, why);
                return time.later(settings.tick());
            }
        }
        long dstNow = time.now(dst);
        if (dstNow < s.destTimelock()) return time.until(s.destTimelock(), dstNow);
        return tx.send(s, DEST_REFUND, SwapState.SOURCE_CLAIMED, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee));
    }

    private Next complete(Swap s, String cause) {
        book.move(s, SwapState.COMPLETED, cause, null, x -> x);
        return Next.DONE;
    }

    // ---- COUNTER_FAILED → EXPIRED ------------------------------------------------------------------------------------

    private Next afterCounterFailure(Swap s) {
        HtlcChain src = chain(s.fromChain());
        long srcNow = time.now(src);
        if (srcNow < s.sourceTimelock()) {
            Next next = time.until(s.sourceTimelock(), srcNow);
            if (!secrets.counterLockMayExist(s)) return next;
            Instant watch = clock.now().plus(secrets.interval(s));
            return next.at().isAfter(watch) ? new Next(watch) : next;
        }
        Optional<TxIntent> lockIntent = book.lastIntent(s.id(), COUNTER_LOCK).filter(Transactions::isOpen);
        if (lockIntent.isPresent() && !lockIntent.get().mayHaveBeenBroadcast()) {
            book.closeIntent(lockIntent.get(), TxIntent.Status.FAILED, s, "not sent: the counter-lock was given up");
        } else if (lockIntent.isPresent()) {
            // Never refund the user while a counter-lock of ours may still be on its way: only the chain can say.
            log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": the counter-lock failed but one of its transactions is"
                    + " still undecided; the user's source lock is not refunded until the chain says it never landed");
            return tx.drive(s, COUNTER_LOCK);
        }
        Optional<TxIntent> last = book.lastIntent(s.id(), SOURCE_REFUND);
        if (last.isPresent() && Transactions.isOpen(last.get()) && last.get().mayHaveBeenBroadcast()) return tx.drive(s, SOURCE_REFUND);
        Optional<HtlcRecord> h = src.query(s.sourceHtlcId());
        if (h.isEmpty() || h.get().status() == HtlcRecord.Status.REFUNDED) {
            book.move(s, SwapState.EXPIRED, "the source lock was refunded to the user", null, x -> x);
            return Next.DONE;
        }
        if (h.get().status() == HtlcRecord.Status.CLAIMED) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": counter-lock failed but the source lock was claimed by someone");
            return time.later(settings.maxRetryDelay());
        }
        // Anyone may refund an expired lock and it pays the user: do it, so the swap ends and the user's funds come back.
        return tx.send(s, SOURCE_REFUND, SwapState.COUNTER_FAILED, src.chain(), (j, fee) -> src.refund(s.sourceHtlcId(), j, fee));
    }

    // ---- what an action's outcome means for the swap ({@link Transactions} sends and reconciles) ---------------------

    /** Recovery: asks the chain what became of an open intent and records it, sending nothing ({@link Transactions#settle}). */
    boolean settle(Swap s, TxIntent i) {
        return tx.settle(s, i);
    }

    Reconciliation reconcile(Swap s, TxIntent i) {
        return tx.reconcile(s, i);
    }

    @Override
    public Next landed(Swap s, String action, TxIntent intent, TxResult result) {
        retries.succeeded(s.id());
        tx.landed(intent);
        switch (action) {
            case COUNTER_LOCK -> {
                if (result.packet() != null) {
                    // multi-hop: included on the home chain; delivered (or not) later, as the followers report
                    Swap sent = book.landedInPlace(intent, s, "counter-lock transfer included on " + result.chain() + " in tx "
                            + result.txHash() + " as packet " + result.packet() + "; waiting for its delivery to " + s.toChain(),
                            x -> x.withCounterPacket(result.packet(), clock.now()));
                    book.faults.reached(COUNTER_LOCK + ":recorded", sent);
                    // a fast route: the final chain's follower may have reported the HTLC already
                    return sent.destHtlcId() != null ? Next.now() : time.later(settings.tick());
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
                return locked.secret() != null ? Next.now() : time.until(s.destTimelock(), clock.nowEpochSeconds());
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

    /** The only losing end: the secret is known, the source can no longer be claimed and the counter-lock is gone. */
    private Next claimMissed(Swap s, String reason) {
        log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + reason);
        book.move(s, SwapState.CLAIM_MISSED, reason, null, x -> x.withLastError(reason, clock.now()));
        return Next.DONE;
    }

    /** Whether the source lock can no longer be claimed: its chain's confirmed time is past T_src (false when unknown). */
    private boolean sourceClaimImpossible(Swap s) {
        try {
            return chain(s.fromChain()).confirmedBlockTime() >= s.sourceTimelock();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** The action's last transaction did not happen: decide from the chain whether to send again or give up. */
    @Override
    public Next afterFailure(Swap s, String action, String why) {
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
                    String missed = "the secret is known but the source lock on " + s.fromChain() + " can no longer be claimed ("
                            + (h.isEmpty() ? "not found" : h.get().status() == HtlcRecord.Status.REFUNDED ? "refunded to the user" : "open")
                            + "; its confirmed time " + confirmedNow + " is past T_src " + s.sourceTimelock() + "; last error: " + why + ")";
                    Optional<HtlcRecord> own;
                    try {
                        own = s.destHtlcId() == null ? Optional.empty() : chain(s.toChain()).query(s.destHtlcId());
                    } catch (RuntimeException e) {
                        book.note(s, missed + "; the relayer's counter-lock " + s.destHtlcId() + " cannot be read ("
                                + e.getMessage() + "): asked again before deciding");
                        return time.later(settings.tick());
                    }
                    IbcCounterLock route = routes.get(s.toChain());
                    if (own.isPresent() && route != null
                            && RouteWatch.notOurCounterLock(s, own.get(), route.finalCreator(), route.refundAddress()) != null) {
                        own = Optional.empty(); // a candidate over the route not proven the relayer's: not refunded as its own
                    }
                    if (own.isPresent() && own.get().status() == HtlcRecord.Status.OPEN) {
                        // The secret came from elsewhere (a look-alike HTLC the user claimed): nobody claimed the relayer's
                        // own lock, which refunds to it after T_dst. Missed a gain, lost nothing: refund it.
                        String reason = "SOURCE CLAIM MISSED, NOTHING LOST: " + missed + "; the relayer's own counter-lock "
                                + s.destHtlcId() + " on " + s.toChain() + " was never claimed: it is refunded to the relayer after"
                                + " T_dst " + s.destTimelock();
                        log.log(System.Logger.Level.ERROR, "swap " + s.id() + ": " + reason);
                        book.move(s, SwapState.DEST_REFUND_PENDING, reason, null, x -> x.withLastError(reason, clock.now()));
                        return Next.now();
                    }
                    return claimMissed(s, "CLAIM MISSED: " + missed + own.map(o -> "; the relayer's counter-lock "
                            + s.destHtlcId() + " is " + o.status()).orElse(""));
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
                    if (s.secret() != null && sourceClaimImpossible(s)) {
                        return claimMissed(s, "CLAIM MISSED: the relayer's counter-lock " + s.destHtlcId() + " on " + s.toChain()
                                + " was claimed while it was being refunded, and the source lock on " + s.fromChain()
                                + " can no longer be claimed (past T_src " + s.sourceTimelock() + ")");
                    }
                    return awaitClaim(s); // the user claimed in time: its record gives the secret
                }
                long dstNow = time.now(dst);
                if (dstNow < s.destTimelock()) return time.until(s.destTimelock(), dstNow);
                book.note(s, "refund failed: " + why + "; retrying");
                SwapState pending = claimedSource ? SwapState.SOURCE_CLAIMED : SwapState.DEST_REFUND_PENDING;
                return backoffThen(s, null, () -> tx.send(s, DEST_REFUND, pending, dst.chain(), (j, fee) -> dst.refund(s.destHtlcId(), j, fee)));
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
        long left = deadlines.claimDeadline(s) - time.now(src);
        Duration cap = Duration.ofSeconds(Math.max(1, left / 4));
        return backoffThen(s, cap, () -> tx.send(s, SOURCE_CLAIM, SwapState.SOURCE_CLAIM_PENDING, src.chain(),
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

    @Override
    public Next backoff(Swap s, String why) {
        Duration d = retries.failedAgain(s.id());
        book.note(s, why);
        return time.later(d);
    }

    HtlcChain chain(ChainId id) {
        HtlcChain c = chains.get(id);
        if (c == null) throw new PermanentException("no chain adapter for " + id);
        return c;
    }
}
