package io.evmore.ethereum;

import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * What an {@link EthereumEventFollower} reads from the chain through its pool: the head, blocks (a malformed one is
 * the endpoint's fault: the pool charges it and asks another), and the HTLC contract's logs of a range — with, given
 * the relayer's address, the {@code Locked} logs of any contract made out to it, both asked of one endpoint, whose own
 * blocks must hold every log it returns.
 */
final class FollowerReads {
    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final String relayerTopic; // receiver topic of Locked logs for the relayer; null = not asked

    FollowerReads(EthereumSettings settings, EndpointPool<EthConnection> pool, String relayerAddress) {
        this.settings = settings;
        this.pool = pool;
        this.relayerTopic = relayerAddress == null ? null
                : "0x" + "0".repeat(24) + relayerAddress.substring(2).toLowerCase(Locale.ROOT);
    }

    long latestBlockNumber() {
        return call(w -> Rpc.send(w.ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
    }

    String hashAt(long height) {
        EthBlock.Block b = block(height);
        return b == null ? null : b.getHash();
    }

    /** A range's end block (null: that endpoint's chain is not that long yet, and {@code logs} is empty) and its logs. */
    record Range(EthBlock.Block end, List<Log> logs) {}

    /**
     * The block at {@code to} and the logs of blocks {@code from..to}, from one endpoint, the block read first. A node
     * behind {@code to} answers {@code eth_getLogs} for blocks it does not have yet with an empty list or only the part it
     * has (Hardhat 2, geth before 2025 and other clients: ethereum/execution-apis#534), indistinguishable from "no
     * events"; had the end block come from another endpoint, the follower would move its cursor past those events for
     * good. A node that has the end block has every block below it, so its answer is complete; one that has not
     * answers a null end, which the follower reads as "not there yet".
     */
    Range range(long from, long to) {
        return call(w -> {
            EthBlock.Block end = block(w, to);
            if (end == null) return new Range(null, List.of());
            return new Range(end, logs(w, from, to, end.getHash()));
        });
    }

    /**
     * The logs of {@code from..to}. A single block — the follower's usual step at the head — is asked by its hash
     * (EIP-234), which a node without that block must refuse: behind a load balancer the logs may come from another
     * backend than the block, and one that lags would answer a range by number with nothing.
     */
    private List<Log> logs(Web3j w, long from, long to, String endHash) throws java.io.IOException {
        boolean byHash = from == to;
        DefaultBlockParameter fromBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(from));
        DefaultBlockParameter toBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(to));
        EthFilter ours = byHash ? new EthFilter(endHash, settings.contractAddress())
                : new EthFilter(fromBlock, toBlock, settings.contractAddress());
        ours.addOptionalTopics(HtlcAbi.LOCKED_TOPIC, HtlcAbi.CLAIMED_TOPIC, HtlcAbi.REFUNDED_TOPIC);
        EthFilter forRelayer = null;
        if (relayerTopic != null) {
            // any contract: Locked(id, sender, receiver = relayer)
            forRelayer = byHash ? new EthFilter(endHash) : new EthFilter(fromBlock, toBlock, (List<String>) null);
            forRelayer.addSingleTopic(HtlcAbi.LOCKED_TOPIC).addNullTopic().addNullTopic().addSingleTopic(relayerTopic);
        }
        // One endpoint answers both, so the merged logs come from one view of the chain.
        List<Log> out = logs(getLogs(w, ours));
        if (forRelayer != null) {
            // The configured contract's own locks for the relayer are in both answers: report them once.
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Log l : out) seen.add(key(l));
            for (Log l : logs(getLogs(w, forRelayer))) {
                if (!seen.contains(key(l))) out.add(l);
            }
        }
        checkLogsOnOwnChain(w, out, from, to);
        return out;
    }

    /**
     * {@code eth_getLogs}; asked by block hash, any error is the endpoint's (it does not have that block: Hardhat
     * "blockHash cannot be found", geth "unknown block"), so the pool asks another instead of the caller giving up.
     */
    @SuppressWarnings("rawtypes")
    private static List<EthLog.LogResult> getLogs(Web3j w, EthFilter f) throws java.io.IOException {
        try {
            return Rpc.send(w.ethGetLogs(f), "eth_getLogs").getLogs();
        } catch (RpcErrorException e) {
            if (f.getBlockHash() == null) throw e;
            throw new java.io.IOException("eth_getLogs of block " + f.getBlockHash() + ": " + e.rpcMessage(), e);
        }
    }

    @SuppressWarnings("rawtypes")
    private static List<Log> logs(List<EthLog.LogResult> results) {
        List<Log> out = new ArrayList<>();
        if (results == null) return out;
        for (EthLog.LogResult<?> r : results) {
            if (r.get() instanceof Log l) out.add(l);
        }
        return out;
    }

    /** Which log it is: emitter, block, transaction and index, as the node wrote them (the decoder validates). */
    private static String key(Log l) {
        return (l.getAddress() + "|" + l.getBlockHash() + "|" + l.getTransactionHash() + "|" + l.getLogIndexRaw())
                .toLowerCase(Locale.ROOT);
    }

    /**
     * An endpoint's logs must sit in blocks that endpoint itself has at those heights. One that makes logs up (or
     * serves them from a fork it does not follow) fails here with an IOException, so the pool charges it and asks
     * another endpoint, instead of the follower delivering them or re-reading the same answer forever.
     * Logs with malformed positions are left to the decoder, which drops them.
     */
    private void checkLogsOnOwnChain(Web3j w, List<Log> logs, long from, long to) throws java.io.IOException {
        java.util.Map<Long, String> claimed = new java.util.TreeMap<>();
        for (Log l : logs) {
            Long h = parseHeight(l.getBlockNumberRaw());
            String hash = l.getBlockHash();
            if (h == null || h < from || h > to || hash == null || !HASH.matcher(hash).matches()
                    || l.getTransactionHash() == null || !HASH.matcher(l.getTransactionHash()).matches()) {
                continue; // the decoder drops it
            }
            String other = claimed.putIfAbsent(h, hash.toLowerCase(Locale.ROOT));
            if (other != null && !other.equalsIgnoreCase(hash)) {
                throw new java.io.IOException("eth_getLogs put logs of two different blocks at height " + h);
            }
        }
        java.util.Map<Long, String> own = hashesAt(w, claimed.keySet());
        for (var e : claimed.entrySet()) {
            String ownHash = own.get(e.getKey());
            if (ownHash == null || !ownHash.equalsIgnoreCase(e.getValue())) {
                throw new java.io.IOException("eth_getLogs returned logs of block " + e.getValue() + " at height "
                        + e.getKey() + ", which the same endpoint does not have there");
            }
        }
    }

    /** Blocks per JSON-RPC batch: one request for a range's blocks with logs instead of one each. */
    static final int BATCH = 200;

    /**
     * The hashes of the blocks at {@code heights} (null where the chain is not that long), from one endpoint, in batch
     * requests of {@value #BATCH}: on a chain with a block per transaction (a dev node's automine) a range of a thousand
     * locks used to cost a thousand sequential round trips, twice.
     */
    java.util.Map<Long, String> hashesAt(java.util.Collection<Long> heights) {
        if (heights.isEmpty()) return java.util.Map.of();
        return call(w -> hashesAt(w, heights));
    }

    private static java.util.Map<Long, String> hashesAt(Web3j w, java.util.Collection<Long> heights) throws java.io.IOException {
        java.util.Map<Long, String> out = new java.util.HashMap<>();
        List<Long> all = new ArrayList<>(heights);
        for (int i = 0; i < all.size(); i += BATCH) {
            List<Long> part = all.subList(i, Math.min(all.size(), i + BATCH));
            if (part.size() == 1) {
                EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(part.get(0))),
                        false), "eth_getBlockByNumber").getBlock();
                out.put(part.get(0), b == null ? null : b.getHash());
                continue;
            }
            org.web3j.protocol.core.BatchRequest batch = w.newBatch();
            for (long h : part) batch.add(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(h)), false));
            org.web3j.protocol.core.BatchResponse answer = batch.send();
            List<? extends org.web3j.protocol.core.Response<?>> responses = answer == null ? null : answer.getResponses();
            if (responses == null || responses.size() != part.size()) {
                throw new java.io.IOException("eth_getBlockByNumber batch of " + part.size() + ": "
                        + (responses == null ? "no" : responses.size()) + " answers");
            }
            for (org.web3j.protocol.core.Response<?> r : responses) {
                if (r.hasError()) {
                    throw new java.io.IOException("eth_getBlockByNumber (batch): endpoint error " + r.getError().getCode() + ": "
                            + Rpc.truncate(r.getError().getMessage()));
                }
                if (!(r instanceof EthBlock eb)) throw new java.io.IOException("eth_getBlockByNumber (batch): unexpected answer");
                EthBlock.Block b = eb.getBlock();
                if (b == null) continue; // not that long: stays absent, read as null
                if (b.getHash() == null || !HASH.matcher(b.getHash()).matches() || b.getNumberRaw() == null
                        || !part.contains(b.getNumber().longValue())) {
                    throw new java.io.IOException("eth_getBlockByNumber (batch): malformed block in the answer");
                }
                out.put(b.getNumber().longValue(), b.getHash());
            }
            for (long h : part) out.putIfAbsent(h, null);
        }
        return out;
    }

    private static Long parseHeight(String raw) {
        if (raw == null || !raw.matches("0x[0-9a-fA-F]{1,15}")) return null;
        return Long.parseLong(raw.substring(2), 16);
    }

    private static final java.util.regex.Pattern HASH = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{64}");
    static final String ZERO_HASH = "0x" + "0".repeat(64);

    /** The block at {@code height}, or null if the chain is not that long; a malformed answer is the endpoint's fault. */
    EthBlock.Block block(long height) {
        return call(w -> block(w, height));
    }

    private static EthBlock.Block block(Web3j w, long height) throws java.io.IOException {
        EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(height)),
                false), "eth_getBlockByNumber").getBlock();
        if (b != null && (b.getHash() == null || !HASH.matcher(b.getHash()).matches() || b.getParentHash() == null
                || !HASH.matcher(b.getParentHash()).matches() || b.getNumberRaw() == null
                || !BigInteger.valueOf(height).equals(b.getNumber()) || b.getTimestampRaw() == null
                || b.getTimestamp().signum() < 0 || b.getTimestamp().bitLength() > 62)) {
            // IOException: charged to the endpoint, and the pool asks another one
            throw new java.io.IOException("eth_getBlockByNumber(" + height + "): malformed block in the answer");
        }
        return b;
    }

    private <T> T call(Web3jCall<T> c) {
        return pool.execute(conn -> c.apply(conn.web3j()));
    }

    @FunctionalInterface
    private interface Web3jCall<T> {
        T apply(Web3j w) throws Exception;
    }
}
