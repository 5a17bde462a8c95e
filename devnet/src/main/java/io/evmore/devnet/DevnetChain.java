package io.evmore.devnet;

import io.evmore.devnet.chain.Block;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.chain.CosmosChain;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.rpc.CometRpcEndpoint;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A chain of a running {@link Devnet}: its RPC endpoints, clock, faucet and fault switches. */
public final class DevnetChain {
    private final CosmosChain chain;
    private final List<CometRpcEndpoint> endpoints;
    private final String htlcContract;

    DevnetChain(CosmosChain chain, List<CometRpcEndpoint> endpoints, String htlcContract) {
        this.chain = chain;
        this.endpoints = List.copyOf(endpoints);
        this.htlcContract = htlcContract;
    }

    public CosmosChain state() {
        return chain;
    }

    public ChainSpec spec() {
        return chain.spec();
    }

    public String chainId() {
        return chain.chainId();
    }

    public String prefix() {
        return chain.spec().prefix();
    }

    public String denom() {
        return chain.spec().denom();
    }

    public String rpcUrl(int i) {
        return endpoints.get(i).url();
    }

    public String rpcUrl() {
        return rpcUrl(0);
    }

    public CometRpcEndpoint endpoint(int i) {
        return endpoints.get(i);
    }

    public List<CometRpcEndpoint> endpoints() {
        return endpoints;
    }

    /** The HTLC contract's address, or null when the Java HTLC contract is not on the classpath. */
    public String htlcContractAddress() {
        return htlcContract;
    }

    public Block produceBlock() {
        return chain.produceBlock();
    }

    public long height() {
        return chain.latestHeight();
    }

    public void advanceTime(Duration d) {
        chain.advanceTime(d);
    }

    public void fund(String address, String denom, BigInteger amount) {
        chain.fund(address, denom, amount);
    }

    public BigInteger balance(String address, String denom) {
        return chain.balance(address, denom);
    }

    /** Stops automatic block production (the RPC keeps answering with the last block). */
    public void halt() {
        chain.halt();
    }

    public void resume() {
        chain.resume();
    }

    /** Fault injection: broadcasts beyond {@code txs} pending txs get CometBFT's "mempool is full" error. */
    public void mempoolCapacity(int txs) {
        chain.mempoolCapacity(txs);
    }

    /**
     * Fault injection (a lagging tx indexer): txs committed from now on are in their blocks ({@code block},
     * {@code block_results}, websocket) but {@code tx} says "not found" and {@code tx_search} leaves them out until
     * {@code blocks} more blocks are committed. 0 (default) indexes at commit.
     */
    public void indexLag(long blocks) {
        chain.indexLag(blocks);
    }

    /**
     * Fault injection (a tx lost from the mempool): the next {@code txs} broadcasts that pass CheckTx are answered
     * code 0 with their hash but never kept (no block includes them unless they are broadcast again).
     */
    public void dropNextBroadcasts(int txs) {
        chain.dropNextBroadcasts(txs);
    }

    /** Fault injection (a node restart): the mempool and its cache are emptied; returns how many txs were dropped. */
    public int dropMempool() {
        return chain.dropMempool();
    }

    /** Fault injection: failing simulations answer code 6 {@code sdk} with the error wrapped, as a real SDK 0.50 node. */
    public void simulateErrorsAsSdk6(boolean on) {
        chain.simulateErrorsAsSdk6(on);
    }

    /**
     * Fault injection: until {@link #clearIbcHooksFault()}, every IBC-hooks execution on this chain fails like a
     * contract error (COSMOS_WIRE §8: error ack {@code ABCI code: 6}, {@code ibc-acknowledgement-error} event carrying
     * {@code reason}; the mint is discarded and the source chain refunds on the ack).
     */
    public void failIbcHooks(String reason) {
        chain.transfer().failHooks(reason);
    }

    public void clearIbcHooksFault() {
        chain.transfer().clearHooksFault();
    }

    public List<Channel> channels() {
        return chain.channels();
    }

    /** This chain's channel to {@code otherChainId}, if any. */
    public Optional<Channel> channelTo(String otherChainId) {
        return chain.channels().stream().filter(c -> c.counterpartyChainId().equals(otherChainId)).findFirst();
    }
}
