package io.evmore.core.engine;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.ChainEvents;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.IbcCounterLock;
import io.evmore.core.chain.PacketId;
import io.evmore.core.policy.SwapValidator;
import io.evmore.core.port.Clock;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Turns one chain's follower output into swap records: new locks for the relayer become swaps (or REJECTED ones),
 * a revealed secret is stored on the swap it opens, refunds end swaps. The effects of a block and the cursor that
 * covers it are written in ONE store transaction, so a crash can neither lose an event nor apply it twice.
 */
final class SwapEvents implements ChainEvents.Listener {
    private static final System.Logger log = System.getLogger(SwapEvents.class.getName());
    /** Inventory is checked at confirmation, with the chain's balance; at detection every other rule is. */
    private static final BigInteger UNCHECKED = BigInteger.TWO.pow(256);

    private final ChainId chain;
    private final HtlcChain adapter;
    private final SwapBook book;
    private final SwapValidator validator;
    private final Clock clock;
    private final ChainHeights heights;
    private final Consumer<String> wake;
    /** Told the followed height after every block (the engine wakes the swaps whose confirmations it completes). */
    private final java.util.function.ObjLongConsumer<ChainId> reached;
    /** This chain's IBC route when it is a multi-hop destination (the relayer's counter-locks arrive over it), else null. */
    private final IbcCounterLock route;

    SwapEvents(HtlcChain adapter, SwapBook book, SwapValidator validator, Clock clock, ChainHeights heights,
            Consumer<String> wake) {
        this(adapter, null, book, validator, clock, heights, wake);
    }

    SwapEvents(HtlcChain adapter, IbcCounterLock route, SwapBook book, SwapValidator validator, Clock clock,
            ChainHeights heights, Consumer<String> wake) {
        this(adapter, route, book, validator, clock, heights, wake, (c, h) -> {});
    }

    SwapEvents(HtlcChain adapter, IbcCounterLock route, SwapBook book, SwapValidator validator, Clock clock,
            ChainHeights heights, Consumer<String> wake, java.util.function.ObjLongConsumer<ChainId> reached) {
        this.reached = reached;
        this.route = route;
        this.chain = adapter.chain();
        this.adapter = adapter;
        this.book = book;
        this.validator = validator;
        this.clock = clock;
        this.heights = heights;
        this.wake = wake;
    }

    @Override
    public void onBlock(ChainCursor cursor, List<ChainEvent> events) {
        List<Swap> moved = new ArrayList<>();
        Set<String> touched = new LinkedHashSet<>();
        book.store().run(tx -> {
            moved.clear();
            touched.clear();
            for (ChainEvent e : events) {
                switch (e) {
                    case ChainEvent.HtlcLocked l -> locked(tx, l, cursor, moved, touched);
                    case ChainEvent.HtlcClaimed c -> claimed(tx, c, moved, touched);
                    case ChainEvent.HtlcRefunded r -> refunded(tx, r, moved, touched);
                    case ChainEvent.TransferAcknowledged a -> acknowledged(tx, a, touched);
                    case ChainEvent.TransferFailed f -> transferFailed(tx, f, moved, touched);
                }
            }
            tx.saveCursor(cursor, clock.now());
        });
        heights.seen(chain, cursor.height(), clock.now());
        for (Swap s : moved) book.afterMove(s, "chain event on " + chain);
        touched.forEach(wake);
        reached.accept(chain, cursor.height());
        if (!events.isEmpty() || touched.isEmpty()) wake.accept(null); // new height: confirmations may be complete
    }

    @Override
    public void onRollback(ChainCursor commonAncestor) {
        book.store().run(tx -> {
            for (Swap s : tx.sourcesAbove(chain, commonAncestor.height())) {
                if (s.state() == SwapState.DETECTED) {
                    tx.deleteDetected(s.id(), "reorg on " + chain + ": source lock at height " + s.sourceHeight()
                            + " left the canonical chain (common ancestor " + commonAncestor.height() + ")");
                } else {
                    String msg = "REORG DEEPER THAN CONFIRMATIONS: source lock of swap " + s.id() + " at height " + s.sourceHeight()
                            + " left the canonical chain after it was confirmed (state " + s.state() + "); check the lock by hand";
                    log.log(System.Logger.Level.ERROR, msg);
                    tx.update(s.withLastError(msg, clock.now()), s.state());
                }
            }
            tx.saveCursor(commonAncestor, clock.now());
        });
        heights.set(chain, commonAncestor.height());
    }

    private void locked(SwapStore.Tx tx, ChainEvent.HtlcLocked l, ChainCursor cursor, List<Swap> moved, Set<String> touched) {
        var h = l.htlc();
        if (!h.receiver().equalsIgnoreCase(adapter.relayerAddress())) {
            if (route != null) counterLockCandidate(tx, l, touched);
            return; // not for the relayer
        }
        boolean ours = SwapValidator.sameContract(l.contract(), adapter.contract());
        // A look-alike contract can emit any id, even one of ours: keep its swaps apart.
        String sourceId = ours ? h.id() : l.contract() + ":" + h.id();
        String id = Swap.idFor(chain, sourceId);
        if (tx.find(id).isPresent()) return; // replayed block
        ChainId to;
        try {
            to = ChainId.of(h.targetChain());
        } catch (IllegalArgumentException e) {
            to = chain; // refused below as an unknown target chain
        }
        var now = clock.now();
        Swap s = new Swap(id, chain, to, sourceId, null, h.hashlock(), h.sender(), h.targetAddress(), h.asset(), h.amount(),
                null, null, h.timelock(), 0, SwapState.DETECTED, now, now, l.origin().height(), l.origin().blockHash(),
                l.origin().txHash(), null, null, null);
        boolean hashlockUsed = SwapBook.hashlockTaken(tx, s) != null;
        long seen = Math.max(0, cursor.height() - l.origin().height() + 1);
        SwapValidator.Decision d = validator.decide(new SwapValidator.LockFacts(chain, l.contract(), adapter.contract(),
                h.asset(), h.amount(), h.hashlock(), hashlockUsed, h.timelock(), h.targetChain(), h.targetAddress(), seen,
                clock.nowEpochSeconds(), UNCHECKED));
        if (d instanceof SwapValidator.Refuse r) {
            Swap rejected = s.withState(SwapState.REJECTED, now).withLastError(r.reason(), now);
            tx.insert(rejected, "rejected at detection in tx " + l.origin().txHash() + ": " + r.reason());
            moved.add(rejected);
            return;
        }
        tx.insert(s, "source lock detected in tx " + l.origin().txHash() + " at height " + l.origin().height());
        moved.add(s);
        touched.add(id);
    }

    /**
     * Multi-hop: an HTLC on this (final) chain that may be the one a swap's transfer created. Recorded as the swap's
     * candidate only when everything the event shows matches and its creator is the route's (the IBC-hooks
     * intermediary of the relayer's own transfers); the engine proves it from the chain's record before the swap
     * counts as counter-locked. Anything else with the swap's hashlock is a look-alike and is ignored.
     */
    private void counterLockCandidate(SwapStore.Tx tx, ChainEvent.HtlcLocked l, Set<String> touched) {
        var h = l.htlc();
        // The swap whose transfer may have made it: the one holding the hashlock, past its confirmation, into this chain.
        Optional<Swap> owner = tx.findAllByHashlock(h.hashlock()).stream()
                .filter(o -> o.state().holdsHashlock() && o.state() != SwapState.CONFIRMED && o.toChain().equals(chain))
                .findFirst();
        if (owner.isEmpty()) return;
        Swap s = owner.get();
        String why = !SwapValidator.sameContract(l.contract(), adapter.contract()) ? "on contract " + l.contract() + ", not the configured one"
                : RouteWatch.notOurCounterLock(s, h, route.finalCreator(), null); // the event has no refund address: the engine checks it on chain
        if (why != null) {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + ": HTLC " + h.id() + " on " + chain + " in tx "
                    + l.origin().txHash() + " has the swap's hashlock but is not its counter-lock (" + why + "); ignored");
            return;
        }
        if (s.destHtlcId() != null) return; // replayed block, or a second match (only one transfer was sent)
        tx.update(s.withDestHtlcId(h.id(), clock.now()).withDestHeight(l.origin().height(), clock.now()), s.state());
        touched.add(s.id());
    }

    /** The route delivered the transfer (the first hop's ack speaks for the whole route): the HTLC event decides. */
    private void acknowledged(SwapStore.Tx tx, ChainEvent.TransferAcknowledged a, Set<String> touched) {
        PacketId packet = new PacketId(chain, a.sourceChannel(), a.sequence());
        tx.findByCounterPacket(packet).ifPresent(s -> {
            log.log(System.Logger.Level.INFO, "swap " + s.id() + " (" + s.state() + "): transfer " + packet
                    + " acknowledged with success in tx " + a.origin().txHash());
            touched.add(s.id());
        });
    }

    /** An error acknowledgement or a timeout: the funds went back to the relayer; the swap waits for the user's refund. */
    private void transferFailed(SwapStore.Tx tx, ChainEvent.TransferFailed f, List<Swap> moved, Set<String> touched) {
        PacketId packet = new PacketId(chain, f.sourceChannel(), f.sequence());
        Optional<Swap> owner = tx.findByCounterPacket(packet);
        if (owner.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "transfer " + packet + " failed (" + f.reason() + ") but no swap sent it");
            return;
        }
        Swap s = owner.get();
        touched.add(s.id());
        String cause = "counter-lock transfer " + packet + " failed: " + f.reason() + " (tx " + f.origin().txHash()
                + "); the funds went back to the relayer on " + chain;
        if (s.state() == SwapState.COUNTER_PENDING) {
            moved.add(tx.transition(s.withLastError(cause, clock.now()), s.state(),
                    SwapState.COUNTER_FAILED, cause, f.origin().txHash(), clock.now()));
        } else if (s.state() == SwapState.SOURCE_CLAIMED) {
            // The source was claimed with a secret from elsewhere; the relayer's own transfer came back: nothing is open.
            moved.add(tx.transition(s, s.state(), SwapState.COMPLETED, cause, f.origin().txHash(), clock.now()));
        } else {
            log.log(System.Logger.Level.WARNING, "swap " + s.id() + " (" + s.state() + "): " + cause);
            tx.update(s.withLastError(cause, clock.now()), s.state());
        }
    }

    private void claimed(SwapStore.Tx tx, ChainEvent.HtlcClaimed c, List<Swap> moved, Set<String> touched) {
        // Any preimage of a swap's hashlock is its secret, wherever it was revealed, and whoever's HTLC it opened.
        String cause = "secret revealed on " + chain + " by the claim of " + c.htlcId() + " in tx " + c.origin().txHash();
        for (Swap s : tx.findAllByHashlock(c.secret().hashlock())) {
            if (s.state().isTerminal()) continue;
            touched.add(s.id());
            Swap after = SwapBook.applySecret(tx, s, c.secret(), cause, c.origin().txHash(), clock.now());
            if (after == null) continue;
            if (after.state() != s.state()) moved.add(after);
            else log.log(System.Logger.Level.INFO, "swap " + s.id() + " (" + s.state() + "): " + cause);
        }
    }

    private void refunded(SwapStore.Tx tx, ChainEvent.HtlcRefunded r, List<Swap> moved, Set<String> touched) {
        Optional<Swap> source = tx.find(Swap.idFor(chain, r.htlcId()));
        if (source.isPresent() && !source.get().state().isTerminal() || source.isPresent() && source.get().state() == SwapState.REFUNDED) {
            Swap s = source.get();
            touched.add(s.id());
            String cause = "the user's source lock was refunded in tx " + r.origin().txHash();
            if (s.state().canMoveTo(SwapState.EXPIRED)) {
                Swap expired = tx.transition(s, s.state(), SwapState.EXPIRED, cause, r.origin().txHash(), clock.now());
                if (!s.state().isTerminal()) moved.add(expired); // a REFUNDED swap was already counted
            } else {
                tx.update(s.withLastError(cause, clock.now()), s.state());
            }
        }
        tx.findByDestHtlcId(chain, r.htlcId()).ifPresent(s -> touched.add(s.id()));
    }
}
