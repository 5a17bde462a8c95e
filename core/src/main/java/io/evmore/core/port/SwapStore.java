package io.evmore.core.port;

import io.evmore.core.chain.ChainCursor;
import io.evmore.core.chain.ChainId;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Swap;
import io.evmore.core.swap.SwapState;
import io.evmore.core.swap.SwapTransition;
import io.evmore.core.swap.TxIntent;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Persistence port for swaps, their audit trail, chain cursors and transaction intents. Everything a caller
 * does inside {@link #inTransaction} commits or rolls back together: a swap transition and the cursor advance
 * that caused it are never split.
 */
public interface SwapStore {

    <T> T inTransaction(Function<Tx, T> work);

    /**
     * A unit of work that only reads. It sees every transaction committed before it began, and may run beside other
     * transactions: the embedded database's readers do not queue behind its single writer (the store's own
     * transactions, e.g. a journal write before a broadcast, then wait only for other writes). A write inside it fails.
     * Inside {@link #inTransaction} it joins the caller's transaction (and sees its uncommitted changes). By default it
     * is {@link #inTransaction}.
     */
    default <T> T read(Function<Tx, T> work) {
        return inTransaction(work);
    }

    default void run(java.util.function.Consumer<Tx> work) {
        inTransaction(tx -> {
            work.accept(tx);
            return null;
        });
    }

    /** Reads outside an explicit transaction. */
    default Optional<Swap> find(String swapId) {
        return read(tx -> tx.find(swapId));
    }

    /** Non-terminal swaps, oldest first. */
    default List<Swap> pending(int limit) {
        return read(tx -> tx.pending(limit));
    }

    default Optional<ChainCursor> cursor(ChainId chain) {
        return read(tx -> tx.cursor(chain));
    }

    /** Deletes terminal swaps (and their transitions and intents) last updated before {@code cutoff}; returns how many swaps. */
    int deleteTerminalBefore(Instant cutoff);

    /** Counts swaps by state, for metrics. */
    java.util.Map<SwapState, Long> countByState();

    /** Which of several swaps with one hashlock {@link Tx#findByHashlock} answers: the first in this order. */
    java.util.Comparator<Swap> HASHLOCK_OWNER_FIRST = java.util.Comparator
            .comparing((Swap s) -> !s.state().holdsHashlock())
            .thenComparing((Swap s) -> s.state().isTerminal())
            .thenComparing((Swap s) -> s.state() == SwapState.REJECTED)
            .thenComparing(Swap::createdAt, java.util.Comparator.reverseOrder())
            .thenComparing(Swap::id);

    /** One unit of work. */
    interface Tx {
        /**
         * Inserts a new swap with its first transition (from = null). Fails if the id exists, or if the swap
         * {@linkplain SwapState#holdsHashlock() holds its hashlock} while another swap holds the same one.
         */
        void insert(Swap swap, String cause);

        Optional<Swap> find(String swapId);

        /** Every swap with this hashlock, in any state, oldest first (created_at, id). */
        List<Swap> findAllByHashlock(Hashlock hashlock);

        /**
         * The swap a hashlock belongs to: the one that {@linkplain SwapState#holdsHashlock() holds} it; otherwise another
         * active one; otherwise a terminal one that was taken (not REJECTED); otherwise the most recent one.
         */
        default Optional<Swap> findByHashlock(Hashlock hashlock) {
            return findAllByHashlock(hashlock).stream().min(HASHLOCK_OWNER_FIRST);
        }

        /** The swap whose counter-lock is {@code destHtlcId} on {@code chain} (its toChain). */
        Optional<Swap> findByDestHtlcId(ChainId chain, String destHtlcId);

        /** The swap whose multi-hop counter-lock transfer is {@code packet}. */
        Optional<Swap> findByCounterPacket(io.evmore.core.chain.PacketId packet);

        /** Non-terminal swaps, oldest first (created_at, id). */
        default List<Swap> pending(int limit) {
            return pending(limit, 0);
        }

        /** One page of non-terminal swaps, oldest first (created_at, id), skipping {@code offset}. */
        List<Swap> pending(int limit, int offset);

        /**
         * Swaps in one of {@code states} (non-terminal ones), oldest first (created_at, id). The default pages through
         * {@link #pending(int, int)}; a SQL store asks for just those rows.
         */
        default List<Swap> inStates(java.util.Set<io.evmore.core.swap.SwapState> states) {
            List<Swap> out = new java.util.ArrayList<>();
            for (int offset = 0; ; offset += 500) {
                List<Swap> page = pending(500, offset);
                for (Swap s : page) if (states.contains(s.state())) out.add(s);
                if (page.size() < 500) return out;
            }
        }

        /** Non-terminal swaps from {@code chain} whose source lock is above {@code height}: what a reorg there touches. */
        List<Swap> sourcesAbove(ChainId chain, long height);

        /**
         * Moves a swap from {@code expected} to {@code next} (validated against the state table), writing the
         * audit row. {@code updated} carries any field changes made together with the transition (its state is
         * ignored). Throws IllegalTransitionException if the stored state is not {@code expected}.
         */
        Swap transition(Swap updated, SwapState expected, SwapState next, String cause, String txHash, Instant at);

        /**
         * Saves field changes that come without a state change (the secret, the quote, the destination lock id, the
         * last error). Identity fields must not change; throws IllegalTransitionException if the stored state is not
         * {@code expected}. No audit row.
         */
        Swap update(Swap updated, SwapState expected);

        /**
         * Removes a swap that never left DETECTED because its source lock left the canonical chain (reorg): nothing
         * was sent for it. Throws IllegalTransitionException for any other state.
         */
        void deleteDetected(String swapId, String cause);

        List<SwapTransition> transitions(String swapId);

        Optional<ChainCursor> cursor(ChainId chain);

        void saveCursor(ChainCursor cursor, Instant at);

        void saveIntent(TxIntent intent);

        Optional<TxIntent> intent(String intentId);

        /** Every intent of a swap, oldest first. */
        List<TxIntent> intentsOf(String swapId);

        /** Intents not yet CONFIRMED or FAILED on a chain, oldest first: what a restart must reconcile. */
        List<TxIntent> openIntents(ChainId chain);
    }
}
