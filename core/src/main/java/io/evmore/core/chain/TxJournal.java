package io.evmore.core.chain;

/**
 * Intent-first sending: an adapter calls {@link #beforeBroadcast} for every signed transaction (fee bumps and
 * re-signs included) and broadcasts only after it returned. The engine persists the transaction there, so after a
 * crash it can ask the chain what became of it instead of sending again. If it throws, nothing is broadcast.
 */
@FunctionalInterface
public interface TxJournal {
    void beforeBroadcast(SignedTx tx);

    TxJournal NONE = tx -> {};
}
