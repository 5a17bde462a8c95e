package io.evmore.core.engine;

import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.engine.SwapFlow.Next;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.policy.SwapValidator.Accept;
import io.evmore.core.policy.SwapValidator.Decision;
import io.evmore.core.policy.SwapValidator.Refuse;
import io.evmore.core.policy.SwapValidator.Wait;
import io.evmore.core.port.Clock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.util.Futures;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * DETECTED → CONFIRMED | REJECTED | EXPIRED: a user's lock, once it has its confirmations, is checked by the
 * {@link SwapValidator} against the pairs, the time left and the inventory (balance minus what other accepted swaps
 * reserved), read again from the chain (it must be the lock the follower reported, made out to the relayer, and still
 * open), and quoted.
 *
 * <p>Confirming reserves inventory, so it is serialised per funding chain; the swaps waiting there are decided together,
 * in one batch under that chain's lock ({@link #decideBatch}): one read of the reservations and one of the balance per
 * asset for the whole batch, and each swap the batch confirms reserves its quote in memory before the next is decided,
 * so two swaps can never count the same funds. Everything read per swap (the source lock at its depth, the clocks, the
 * confirmations) is read by the swap's own step before it queues, concurrently with the other swaps.
 */
final class Confirmation {
    private final Map<ChainId, HtlcChain> chains;
    private final SwapBook book;
    private final Clock clock;
    private final EngineSettings settings;
    private final ChainHeights heights;
    private final FlowClock time;
    /** Per funding chain: the swaps waiting to be decided, and the lock a batch of them is decided under. */
    final Map<ChainId, Queue> queues = new ConcurrentHashMap<>();

    static final class Queue {
        /** Confirming a swap reserves inventory: serialised per funding chain so two batches cannot count the same funds. */
        final ReentrantLock lock = new ReentrantLock();
        final ConcurrentLinkedQueue<Waiting> waiting = new ConcurrentLinkedQueue<>();
    }

    /** A swap waiting for its batch, with what its own step read for it; {@code onChain} null: not read yet. */
    static final class Waiting {
        final Swap swap;
        final long now;
        final long seen;
        final Optional<HtlcRecord> onChain;
        final CompletableFuture<Next> result = new CompletableFuture<>();

        Waiting(Swap swap, long now, long seen, Optional<HtlcRecord> onChain) {
            this.swap = swap;
            this.now = now;
            this.seen = seen;
            this.onChain = onChain;
        }
    }

    private final StepReads reads;

    Confirmation(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings,
            ChainHeights heights, FlowClock time) {
        this(chains, book, clock, settings, heights, time, new StepReads(Runnable::run, book));
    }

    Confirmation(Map<ChainId, HtlcChain> chains, SwapBook book, Clock clock, EngineSettings settings,
            ChainHeights heights, FlowClock time, StepReads reads) {
        this.reads = reads;
        this.chains = chains;
        this.book = book;
        this.clock = clock;
        this.settings = settings;
        this.heights = heights;
        this.time = time;
    }

    /**
     * One look at a DETECTED swap: confirmed with its quote, rejected with the reason, expired, or asked again later.
     * The swap waits for its funding chain's lock; whichever waiting step takes the lock decides every swap queued by
     * then, this one included.
     */
    Next confirm(Swap s) {
        Waiting w = prepare(s);
        // keyed by where the counter-lock is paid from (the home chain for a multi-hop destination)
        Queue q = queues.computeIfAbsent(book.funding(s.toChain(), null).chain(), c -> new Queue());
        q.waiting.add(w);
        while (!w.result.isDone()) {
            q.lock.lock();
            try {
                if (w.result.isDone()) break;
                List<Waiting> batch = new ArrayList<>();
                for (Waiting x; (x = q.waiting.poll()) != null; ) batch.add(x);
                if (!batch.contains(w)) {
                    // Undecided, no longer queued, and the lock is ours: the step that took it off the queue for its
                    // batch failed before deciding it (only an Error between the two can do that). It is asked again
                    // like any failed step, instead of looping on the lock for ever.
                    w.result.completeExceptionally(new TransientException("swap " + s.id() + " was taken for a"
                            + " confirmation batch that was never decided; it stays DETECTED and is looked at again"));
                }
                decideBatch(batch);
            } finally {
                q.lock.unlock();
            }
        }
        return Futures.join(w.result);
    }

    /**
     * What the swap's own step reads before it queues: the clocks, its confirmations, the chain's record of its lock.
     * The three chain reads are independent and made side by side ({@link StepReads}); each answer is used as before.
     */
    Waiting prepare(Swap s) {
        HtlcChain src = chain(s.fromChain());
        HtlcChain dst = chains.get(s.toChain());
        long seen = heights.confirmations(s.fromChain(), s.sourceHeight());
        // The chain's record of the source lock, read before the reservation lock (nothing the relayer does changes a
        // user's lock): the section that must be serialised per funding chain is the inventory decision alone.
        boolean deep = seen >= settings.validator().requiredConfirmations(s.fromChain(), s.sourceAsset(), s.sourceAmount());
        CompletableFuture<Optional<HtlcRecord>> lock = deep ? reads.start(() -> src.query(s.sourceHtlcId())) : null;
        CompletableFuture<Long> dstNow = dst != null ? reads.start(() -> time.now(dst)) : null;
        long srcNow = time.now(src);
        // W_user is counted on the destination's clock (its contract decides T_dst); never trust a clock that lags.
        long now = dstNow != null ? Math.max(srcNow, Futures.join(dstNow)) : srcNow;
        Optional<HtlcRecord> onChain = lock != null ? Futures.join(lock) : null;
        return new Waiting(s, now, seen, onChain);
    }

    /**
     * Decides a batch of waiting swaps of one funding chain, oldest first in arrival order; the caller holds that chain's
     * lock. A swap whose decision throws gets the exception; the others go on.
     */
    void decideBatch(List<Waiting> batch) {
        Inventory inventory = new Inventory();
        for (Waiting w : batch) {
            try {
                w.result.complete(decide(w, inventory));
            } catch (RuntimeException | Error e) {
                w.result.completeExceptionally(e);
            }
        }
    }

    private Next decide(Waiting w, Inventory inventory) {
        Swap s = w.swap;
        HtlcChain src = chain(s.fromChain());
        Decision d = decide(s, src.contract(), w.now, w.seen, inventory);
        if (d instanceof Refuse r) {
            book.move(s, SwapState.REJECTED, r.reason(), null, x -> x.withLastError(r.reason(), clock.now()));
            return Next.DONE;
        }
        if (d instanceof Wait) {
            return time.later(settings.tick());
        }
        // Final by our confirmation rule: check the chain still holds the lock as we recorded it.
        Optional<HtlcRecord> onChain = w.onChain != null ? w.onChain : src.query(s.sourceHtlcId()); // confirmed by a rule not known above
        if (onChain.isEmpty()) {
            return time.later(settings.tick()); // a node behind the follower, or a reorg the follower has not seen yet
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
        Swap confirmed = book.move(s, SwapState.CONFIRMED, "source lock has " + w.seen + " confirmation(s); quoted " + a.quote().net() + " "
                + a.quote().asset() + " (fee " + a.quote().fee() + "), T_dst " + a.destTimelock(), s.sourceTxHash(),
                x -> x.withQuote(a.quote().asset(), a.quote().net(), a.quote().fee(), a.destTimelock(), clock.now())
                        .withLastError(null, clock.now()));
        inventory.reserve(confirmed);
        return Next.now();
    }

    private Decision decide(Swap s, String configuredContract, long now, long confirmationsSeen, Inventory inventory) {
        boolean hashlockTaken = book.hashlockTaken(s) != null;
        BigInteger available = BigInteger.ZERO;
        Optional<io.evmore.core.policy.Pair> pair = settings.validator().pair(s.fromChain(), s.sourceAsset(), s.toChain());
        if (pair.isPresent()) {
            // multi-hop: paid from the home chain's inventory (ICS-20 moves the amount unchanged)
            SwapBook.Funds f = book.funding(s.toChain(), pair.get().toAsset());
            if (chains.containsKey(f.chain())) available = inventory.available(f);
        }
        return settings.validator().decide(new SwapValidator.LockFacts(s.fromChain(), configuredContract, configuredContract,
                s.sourceAsset(), s.sourceAmount(), s.hashlock(), hashlockTaken, s.sourceTimelock(), s.toChain().value(),
                s.receiver(), confirmationsSeen, now, available));
    }

    /**
     * A batch's view of the inventory, per funding chain and asset: the balance minus the reservations (both read once,
     * at the asset's first use in the batch, under the funding chain's lock) minus what this batch confirmed since.
     */
    private final class Inventory {
        private record Key(ChainId chain, String asset) {}

        private final Map<Key, BigInteger> free = new HashMap<>();
        private final Map<Key, RuntimeException> failed = new HashMap<>();
        private final Map<Key, BigInteger> reservedInBatch = new HashMap<>();

        BigInteger available(SwapBook.Funds f) {
            Key key = key(f);
            RuntimeException e = failed.get(key);
            if (e != null) throw e; // the balance read failed for this batch: every swap of it is asked again later
            BigInteger base = free.get(key);
            if (base == null) {
                try {
                    // Reservations first, then the balance: a counter-lock that lands in between is then counted twice
                    // (its reservation and the lower balance), never not at all.
                    BigInteger reserved = book.reserved(f.chain(), f.asset(), null);
                    base = chain(f.chain()).balance(f.asset()).subtract(reserved);
                } catch (RuntimeException ex) {
                    failed.put(key, ex);
                    throw ex;
                }
                free.put(key, base);
            }
            return base.subtract(reservedInBatch.getOrDefault(key, BigInteger.ZERO));
        }

        /** A swap this batch confirmed: its reservation counts for every later swap of the batch. */
        void reserve(Swap confirmed) {
            SwapBook.Funds f = book.reservation(confirmed);
            if (f != null) reservedInBatch.merge(key(f), confirmed.destAmount(), BigInteger::add);
        }

        private Key key(SwapBook.Funds f) {
            return new Key(f.chain(), f.asset().toLowerCase(java.util.Locale.ROOT)); // assets compare ignoring case, as in reserved()
        }
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

    private HtlcChain chain(ChainId id) {
        HtlcChain c = chains.get(id);
        if (c == null) throw new PermanentException("no chain adapter for " + id);
        return c;
    }
}
