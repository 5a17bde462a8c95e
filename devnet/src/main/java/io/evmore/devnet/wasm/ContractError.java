package io.evmore.devnet.wasm;

/** A contract's own error; the message is the contract's error text, identical to the Rust contract's. */
public class ContractError extends Exception {
    public ContractError(String message) {
        super(message);
    }
}
