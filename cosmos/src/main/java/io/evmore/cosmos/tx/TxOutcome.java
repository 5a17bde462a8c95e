package io.evmore.cosmos.tx;

import io.evmore.cosmos.rpc.TxExecResult;

/** A transaction included in a block, successful (code 0). */
public record TxOutcome(String hash, long height, TxExecResult result) {}
