package io.evmore.core.testing;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.SwapStore;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.IllegalTransitionException;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A {@link SwapStore} that really works, in memory, with the SQL store's semantics (JdbcSwapStore):
 * <ul>
 *   <li>transactions are atomic and serialised: the work sees a private copy of the state (copied on its first write)
 *       that replaces the committed state only when the work returns; any exception or {@link Error} (a simulated crash)
 *       discards it. A nested {@code inTransaction} on the same thread joins the outer one.</li>
 *   <li>like PostgreSQL, a store operation that failed poisons its transaction even if the caller caught the error:
 *       the whole transaction is then rolled back;</li>
 *   <li>transitions are checked against {@link SwapState#canMoveTo} and the expected stored state; identity fields
 *       (chains, source lock, hashlock, parties, source asset/amount/timelock) never change;</li>
 *   <li>insert refuses a duplicate id and a duplicate source lock (chain + source HTLC id); at most one swap
 *       {@linkplain SwapState#holdsHashlock() holds} a hashlock (insert and transition refuse a second holder, like the
 *       SQL store's partial unique index);</li>
 *   <li>the secret, the counter-lock packet and the destination height are write-once (a stale copy keeps them);</li>
 *   <li>an intent's swap, chain and action are fixed; an intent must belong to an existing swap (foreign key);</li>
 *   <li>times are kept at millisecond precision, as in both databases.</li>
 * </ul>
 */
public final class InMemorySwapStore implements SwapStore {

    /** Everything the store holds. Values are immutable, so a shallow copy of the maps is a full snapshot. */
    private static final class State {
        final Map<String, Swap> swaps;
        final Map<String, List<SwapTransition>> transitions;
        final Map<String, TxIntent> intents;
        final Map<ChainId, ChainCursor> cursors;

        State() {
            this(new LinkedHashMap<>(), new HashMap<>(), new LinkedHashMap<>(), new HashMap<>());
        }

        State(Map<String, Swap> swaps, Map<String, List<SwapTransition>> transitions, Map<String, TxIntent> intents,
                Map<ChainId, ChainCursor> cursors) {
            this.swaps = swaps;
            this.transitions = transitions;
            this.intents = intents;
            this.cursors = cursors;
        }

        State copy() {
            return new State(new LinkedHashMap<>(swaps), new HashMap<>(transitions), new LinkedHashMap<>(intents),
                    new HashMap<>(cursors));
        }
    }

    private static final Comparator<Swap> OLDEST_FIRST = Comparator.comparing(Swap::createdAt).thenComparing(Swap::id);
    private static final Comparator<TxIntent> INTENTS_OLDEST_FIRST =
            Comparator.comparing(TxIntent::createdAt).thenComparing(TxIntent::id);

    private final ReentrantLock lock = new ReentrantLock(true);
    private final ThreadLocal<MemTx> current = new ThreadLocal<>();
    private volatile State committed = new State();
    private volatile int commits;

    @Override
    public <T> T inTransaction(Function<Tx, T> work) {
        Objects.requireNonNull(work, "work");
        MemTx outer = current.get();
        if (outer != null) return work.apply(outer);
        lock.lock();
        try {
            MemTx tx = new MemTx(committed);
            current.set(tx);
            T result;
            try {
                result = work.apply(tx);
            } finally {
                tx.open = false;
                current.remove();
            }
            if (tx.failure != null) {
                RelayerException swallowed = tx.failure;
                String msg = "store: transaction rolled back because a statement in it failed (the caller caught the"
                        + " error): " + swallowed.getMessage();
                throw swallowed.isRetryable() ? new TransientException(msg, swallowed) : new PermanentException(msg, swallowed);
            }
            if (tx.written != null) {
                committed = tx.written;
                commits++;
            }
            return result;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int deleteTerminalBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        Instant at = ms(cutoff);
        return inTransaction(tx -> {
            MemTx m = (MemTx) tx;
            State w = m.write();
            List<String> ids = w.swaps.values().stream()
                    .filter(s -> s.state().isTerminal() && s.updatedAt().isBefore(at)).map(Swap::id).toList();
            ids.forEach(m::deleteWithChildren);
            return ids.size();
        });
    }

    @Override
    public Map<SwapState, Long> countByState() {
        Map<SwapState, Long> counts = new EnumMap<>(SwapState.class);
        for (SwapState s : SwapState.values()) counts.put(s, 0L);
        for (Swap s : committed.swaps.values()) counts.merge(s.state(), 1L, Long::sum);
        return counts;
    }

    /** How many transactions wrote something (tests use it to see that a read-only pass wrote nothing). */
    public int commits() {
        return commits;
    }

    /** Every swap, oldest first (a test's view; no transaction needed). */
    public List<Swap> all() {
        return committed.swaps.values().stream().sorted(OLDEST_FIRST).toList();
    }

    /** Every intent, oldest first. */
    public List<TxIntent> allIntents() {
        return committed.intents.values().stream().sorted(INTENTS_OLDEST_FIRST).toList();
    }

    private final class MemTx implements Tx {
        private final State read;
        private State written;
        private boolean open = true;
        private RelayerException failure;

        MemTx(State committed) {
            this.read = committed;
        }

        private State state() {
            if (!open) throw new IllegalStateException("store transaction already ended; use Tx only inside its work");
            return written != null ? written : read;
        }

        State write() {
            state();
            if (written == null) written = read.copy();
            return written;
        }

        private <T extends RelayerException> T fail(T e) {
            if (failure == null) failure = e;
            return e;
        }

        @Override
        public void insert(Swap swap, String cause) {
            Objects.requireNonNull(swap, "swap");
            requireCause(cause);
            String op = "store: insert swap " + swap.id();
            State s = state();
            if (s.swaps.containsKey(swap.id())) throw fail(new PermanentException(op + ": a swap with this id already exists"));
            boolean sameSource = s.swaps.values().stream().anyMatch(o -> o.fromChain().equals(swap.fromChain())
                    && o.sourceHtlcId().equals(swap.sourceHtlcId()));
            if (sameSource) {
                throw fail(new PermanentException(op + ": source lock " + swap.fromChain() + "/" + swap.sourceHtlcId()
                        + " already has a swap"));
            }
            if (swap.state().holdsHashlock() && heldByAnother(s, swap)) {
                throw fail(new PermanentException(op + ": hashlock " + swap.hashlock().hex() + " is already held by another swap"));
            }
            Swap stored = withTimes(swap, ms(swap.createdAt()), ms(swap.updatedAt()));
            State w = write();
            w.swaps.put(stored.id(), stored);
            w.transitions.put(stored.id(), List.of(new SwapTransition(stored.id(), null, stored.state(), cause, null,
                    stored.updatedAt())));
        }

        @Override
        public Optional<Swap> find(String swapId) {
            Objects.requireNonNull(swapId, "swapId");
            return Optional.ofNullable(state().swaps.get(swapId));
        }

        @Override
        public List<Swap> findAllByHashlock(Hashlock hashlock) {
            Objects.requireNonNull(hashlock, "hashlock");
            return state().swaps.values().stream().filter(s -> s.hashlock().equals(hashlock)).sorted(OLDEST_FIRST).toList();
        }

        @Override
        public Optional<Swap> findByDestHtlcId(ChainId chain, String destHtlcId) {
            Objects.requireNonNull(chain, "chain");
            Objects.requireNonNull(destHtlcId, "destHtlcId");
            return state().swaps.values().stream()
                    .filter(s -> s.toChain().equals(chain) && destHtlcId.equals(s.destHtlcId()))
                    .min(OLDEST_FIRST);
        }

        @Override
        public Optional<Swap> findByCounterPacket(io.evmore.core.chain.PacketId packet) {
            Objects.requireNonNull(packet, "packet");
            return state().swaps.values().stream().filter(s -> packet.equals(s.counterPacket()))
                    .max(Comparator.comparing(Swap::createdAt).thenComparing(Swap::id, Comparator.reverseOrder()));
        }

        @Override
        public List<Swap> pending(int limit, int offset) {
            if (limit < 1) throw new IllegalArgumentException("pending limit must be >= 1, got " + limit);
            if (offset < 0) throw new IllegalArgumentException("pending offset must be >= 0, got " + offset);
            return state().swaps.values().stream().filter(s -> !s.state().isTerminal()).sorted(OLDEST_FIRST)
                    .skip(offset).limit(limit).toList();
        }

        @Override
        public List<Swap> sourcesAbove(ChainId chain, long height) {
            Objects.requireNonNull(chain, "chain");
            return state().swaps.values().stream()
                    .filter(s -> !s.state().isTerminal() && s.fromChain().equals(chain) && s.sourceHeight() > height)
                    .sorted(OLDEST_FIRST).toList();
        }

        @Override
        public Swap transition(Swap updated, SwapState expected, SwapState next, String cause, String txHash, Instant at) {
            Objects.requireNonNull(updated, "updated");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(next, "next");
            Objects.requireNonNull(at, "at");
            requireCause(cause);
            String id = updated.id();
            if (!expected.canMoveTo(next)) throw fail(new IllegalTransitionException(id, expected, next));
            Swap stored = state().swaps.get(id);
            if (stored == null) {
                throw fail(new PermanentException("store: transition swap " + id + " " + expected + " -> " + next + ": no such swap"));
            }
            if (stored.state() != expected) {
                throw fail(new IllegalTransitionException("swap " + id + ": expected state " + expected
                        + " but the stored state is " + stored.state() + " (moved by someone else); not moving to " + next));
            }
            requireSameIdentity(stored, updated);
            if (next.holdsHashlock() && !expected.holdsHashlock() && heldByAnother(state(), stored)) {
                throw fail(new PermanentException("store: transition swap " + id + " " + expected + " -> " + next
                        + ": hashlock " + stored.hashlock().hex() + " is already held by another swap"));
            }
            Instant when = ms(at);
            Swap result = merge(stored, updated, next, when);
            State w = write();
            w.swaps.put(id, result);
            List<SwapTransition> trail = new ArrayList<>(w.transitions.getOrDefault(id, List.of()));
            trail.add(new SwapTransition(id, expected, next, cause, txHash, when));
            w.transitions.put(id, List.copyOf(trail));
            return result;
        }

        @Override
        public Swap update(Swap updated, SwapState expected) {
            Objects.requireNonNull(updated, "updated");
            Objects.requireNonNull(expected, "expected");
            String id = updated.id();
            Swap stored = state().swaps.get(id);
            if (stored == null) throw fail(new PermanentException("store: update swap " + id + ": no such swap"));
            if (stored.state() != expected) {
                throw fail(new IllegalTransitionException("swap " + id + ": expected state " + expected
                        + " but the stored state is " + stored.state() + " (moved by someone else); not updating"));
            }
            requireSameIdentity(stored, updated);
            Swap result = merge(stored, updated, stored.state(), ms(updated.updatedAt()));
            write().swaps.put(id, result);
            return result;
        }

        @Override
        public void deleteDetected(String swapId, String cause) {
            Objects.requireNonNull(swapId, "swapId");
            requireCause(cause);
            Swap stored = state().swaps.get(swapId);
            if (stored == null) throw fail(new PermanentException("store: delete swap " + swapId + ": no such swap"));
            if (stored.state() != SwapState.DETECTED) {
                throw fail(new IllegalTransitionException("swap " + swapId + " is " + stored.state()
                        + ": only a DETECTED swap may be deleted (" + cause + ")"));
            }
            deleteWithChildren(swapId);
        }

        void deleteWithChildren(String swapId) {
            State w = write();
            w.swaps.remove(swapId);
            w.transitions.remove(swapId);
            w.intents.values().removeIf(i -> swapId.equals(i.swapId()));
        }

        @Override
        public List<SwapTransition> transitions(String swapId) {
            Objects.requireNonNull(swapId, "swapId");
            return state().transitions.getOrDefault(swapId, List.of());
        }

        @Override
        public Optional<ChainCursor> cursor(ChainId chain) {
            Objects.requireNonNull(chain, "chain");
            return Optional.ofNullable(state().cursors.get(chain));
        }

        @Override
        public void saveCursor(ChainCursor cursor, Instant at) {
            Objects.requireNonNull(cursor, "cursor");
            Objects.requireNonNull(at, "at");
            write().cursors.put(cursor.chain(), cursor);
        }

        @Override
        public void saveIntent(TxIntent intent) {
            Objects.requireNonNull(intent, "intent");
            String op = "store: save intent " + intent.id();
            State s = state();
            if (intent.swapId() != null && !s.swaps.containsKey(intent.swapId())) {
                throw fail(new PermanentException(op + ": swap " + intent.swapId() + " does not exist"));
            }
            TxIntent old = s.intents.get(intent.id());
            TxIntent stored = intent;
            if (old != null) {
                if (!Objects.equals(old.swapId(), intent.swapId()) || !old.chain().equals(intent.chain())
                        || !old.action().equals(intent.action())) {
                    throw fail(new PermanentException(op + ": swap, chain and action of an intent cannot change (stored "
                            + old.swapId() + "/" + old.chain() + "/" + old.action() + ")"));
                }
                stored = new TxIntent(intent.id(), intent.swapId(), intent.chain(), intent.action(), intent.nonce(),
                        intent.txHash(), intent.status(), old.createdAt(), ms(intent.updatedAt()), intent.hashes(),
                        intent.rawTx(), intent.timeoutHeight());
            } else {
                stored = new TxIntent(intent.id(), intent.swapId(), intent.chain(), intent.action(), intent.nonce(),
                        intent.txHash(), intent.status(), ms(intent.createdAt()), ms(intent.updatedAt()), intent.hashes(),
                        intent.rawTx(), intent.timeoutHeight());
            }
            write().intents.put(stored.id(), stored);
        }

        @Override
        public Optional<TxIntent> intent(String intentId) {
            Objects.requireNonNull(intentId, "intentId");
            return Optional.ofNullable(state().intents.get(intentId));
        }

        @Override
        public List<TxIntent> intentsOf(String swapId) {
            Objects.requireNonNull(swapId, "swapId");
            return state().intents.values().stream().filter(i -> swapId.equals(i.swapId())).sorted(INTENTS_OLDEST_FIRST)
                    .toList();
        }

        @Override
        public List<TxIntent> openIntents(ChainId chain) {
            Objects.requireNonNull(chain, "chain");
            return state().intents.values().stream()
                    .filter(i -> i.chain().equals(chain)
                            && (i.status() == TxIntent.Status.PENDING || i.status() == TxIntent.Status.BROADCAST))
                    .sorted(INTENTS_OLDEST_FIRST).toList();
        }

        private void requireSameIdentity(Swap stored, Swap updated) {
            String id = stored.id();
            same(stored.fromChain(), updated.fromChain(), "fromChain", id);
            same(stored.toChain(), updated.toChain(), "toChain", id);
            same(stored.sourceHtlcId(), updated.sourceHtlcId(), "sourceHtlcId", id);
            same(stored.hashlock(), updated.hashlock(), "hashlock", id);
            same(stored.sender(), updated.sender(), "sender", id);
            same(stored.receiver(), updated.receiver(), "receiver", id);
            same(stored.sourceAsset(), updated.sourceAsset(), "sourceAsset", id);
            same(stored.sourceAmount(), updated.sourceAmount(), "sourceAmount", id);
            same(stored.sourceTimelock(), updated.sourceTimelock(), "sourceTimelock", id);
        }

        private void same(Object stored, Object updated, String field, String id) {
            if (!Objects.equals(stored, updated)) {
                throw fail(new PermanentException("store: swap " + id + ": " + field
                        + " is fixed when the swap is detected and cannot change in a transition"));
            }
        }
    }

    private static boolean heldByAnother(State s, Swap swap) {
        return s.swaps.values().stream().anyMatch(o -> !o.id().equals(swap.id()) && o.hashlock().equals(swap.hashlock())
                && o.state().holdsHashlock());
    }

    /** The stored swap with the mutable fields of {@code updated}: identity and createdAt stay as stored. */
    private static Swap merge(Swap stored, Swap updated, SwapState state, Instant updatedAt) {
        return new Swap(stored.id(), stored.fromChain(), stored.toChain(), stored.sourceHtlcId(), updated.destHtlcId(),
                stored.hashlock(), stored.sender(), stored.receiver(), stored.sourceAsset(), stored.sourceAmount(),
                updated.destAsset(), updated.destAmount(), stored.sourceTimelock(), updated.destTimelock(), state,
                stored.createdAt(), updatedAt, updated.sourceHeight(), updated.sourceBlockHash(), updated.sourceTxHash(),
                updated.feeAmount(), updated.secret() != null ? updated.secret() : stored.secret(), updated.lastError(),
                updated.counterPacket() != null ? updated.counterPacket() : stored.counterPacket(),
                updated.destHeight() != 0 ? updated.destHeight() : stored.destHeight());
    }

    private static Swap withTimes(Swap s, Instant created, Instant updated) {
        return new Swap(s.id(), s.fromChain(), s.toChain(), s.sourceHtlcId(), s.destHtlcId(), s.hashlock(), s.sender(),
                s.receiver(), s.sourceAsset(), s.sourceAmount(), s.destAsset(), s.destAmount(), s.sourceTimelock(),
                s.destTimelock(), s.state(), created, updated, s.sourceHeight(), s.sourceBlockHash(), s.sourceTxHash(),
                s.feeAmount(), s.secret(), s.lastError(), s.counterPacket(), s.destHeight());
    }

    private static Instant ms(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS);
    }

    private static void requireCause(String cause) {
        if (cause == null || cause.isBlank()) throw new IllegalArgumentException("transition cause is missing");
    }
}
