package io.evmore.devnet.wasm;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A contract hosted by the devnet's wasm module: the Java counterpart of a CosmWasm contract. The devnet
 * calls it for MsgExecuteContract, for IBC-hooks memos and for smart queries. State lives only in the
 * {@link ContractContext}'s store so the devnet can discard it when a transaction or packet fails.
 */
public interface WasmContract {

    /**
     * Executes {@code msg} (the JSON message, e.g. {"create_htlc":{…}}).
     *
     * @throws ContractError with the contract's error text (what wasmd puts before ": execute wasm contract failed")
     */
    ExecuteResult execute(ContractContext ctx, MessageInfo info, JsonNode msg) throws ContractError;

    /**
     * Answers a smart query.
     *
     * @throws ContractError with the contract's error text (what wasmd puts before ": query wasm contract failed")
     */
    JsonNode query(ContractContext ctx, JsonNode msg) throws ContractError;
}
