package io.evmore.core.chain;

/**
 * What the chain says became of an intent's transaction(s). Decided from the chain alone: by nonce and every hash on
 * EVM, by hash, account sequence and {@code timeout_height} on Cosmos.
 */
public sealed interface Reconciliation {

    /** One of the intent's transactions is included and succeeded. */
    record Landed(TxResult result) implements Reconciliation {}

    /** One of the intent's transactions is included but failed (reverted / contract error): the action did not happen. */
    record Reverted(String txHash, String reason) implements Reconciliation {}

    /** None of the intent's transactions is or ever can be included (its nonce/sequence was used otherwise, or its
     *  timeout height passed, or nothing was ever signed): sending again cannot make the action happen twice. */
    record NeverLanded(String reason) implements Reconciliation {}

    /** Not decidable yet: a transaction may still be included. Ask again later; never send again meanwhile. */
    record Undecided(String reason) implements Reconciliation {}
}
