package io.evmore.devnet.chain;

import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.wasm.WasmContract;
import java.time.Instant;

/**
 * What the chain's modules (wasm, IBC transfer) may ask of the chain that runs them: its spec, its hosted contracts
 * and channels, its blocks and clock. {@link CosmosChain} hands itself to them as this (through {@link MsgContext}
 * and its queries), so the modules never depend on the chain class and the chain can depend on them. Called only
 * inside the chain's monitor (a message or query being executed).
 */
public interface ChainContext {
    ChainSpec spec();

    default String chainId() {
        return spec().chainId();
    }

    /** The contract hosted at {@code address}, or null. */
    WasmContract contract(String address);

    /** This chain's end of channel {@code channelId}, or null. */
    Channel channel(String channelId);

    /** The committed block at {@code height}, or null. */
    Block block(long height);

    /** The chain's clock (wall clock plus any advance). */
    Instant now();
}
