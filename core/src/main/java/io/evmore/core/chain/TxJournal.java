package io.evmore.core.chain;

/**
 * Intent-first sending: an adapter calls {@link #beforeBroadcast} for every signed transaction (fee bumps and
 * re-signs included) and broadcasts only after it returned. The engine persists the transaction there, so after a
 * crash it can ask the chain what became of it instead of sending again. If it throws, nothing is broadcast.
 */
@FunctionalInterface
public interface TxJournal {
    void beforeBroadcast(SignedTx tx);

    /**
     * Whether what is handed over is kept (an engine's intent, which reconcile settles later); false for {@link #NONE}.
     * An adapter never signs a kept action again at another nonce or sequence after a refusal it cannot prove: the
     * refused bytes may still land, and only the intent's reconcile can say.
     */
    default boolean persists() {
        return true;
    }

    /** Keeps nothing: for sends that no intent follows (deploys, tools, a user's own client). */
    TxJournal NONE = new TxJournal() {
        @Override
        public void beforeBroadcast(SignedTx tx) {
        }

        @Override
        public boolean persists() {
            return false;
        }
    };
}
