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
                : HtlcAbi.addressTopic(relayerAddress);
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
     * Blocks within this many of the head the follower saw have their logs asked by hash (EIP-234), one filter per
     * block: behind a load balancer a backend this far behind would answer them by number with nothing. A backend
     * further behind is one a load balancer's health check takes out; current clients also refuse a range past their
     * head (ethereum/execution-apis#875), which the pool retries elsewhere.
     */
    static final int BY_HASH_DEPTH = 16;

    /**
     * The block at {@code to} and the logs of blocks {@code from..to}, from one endpoint, the block read first. A node
     * behind {@code to} answers {@code eth_getLogs} for blocks it does not have yet with an empty list or only the part it
     * has (Hardhat 2, geth before 2025 and other clients: ethereum/execution-apis#534), indistinguishable from "no
     * events"; had the end block come from another endpoint, the follower would move its cursor past those events for
     * good. A node that has the end block has every block below it, so its answer is complete; one that has not
     * answers a null end, which the follower reads as "not there yet". Blocks near {@code head} (and a one-block range)
     * are asked by hash: see {@link #BY_HASH_DEPTH}.
     */
    Range range(long from, long to, long head) {
        return call(w -> {
            EthBlock.Block end = block(w, to);
            if (end == null) return new Range(null, List.of());
            long byHashFrom = from == to ? from : Math.max(from, head - BY_HASH_DEPTH + 1);
            List<Log> out = new ArrayList<>();
            if (byHashFrom > from) out.addAll(logs(w, filtersOf(from, Math.min(to, byHashFrom - 1))));
            if (byHashFrom <= to) {
                List<EthFilter> byHash = new ArrayList<>();
                for (String hash : hashesDownTo(w, byHashFrom, end)) byHash.addAll(filtersOf(hash));
                out.addAll(logs(w, byHash));
            }
            checkLogsOnOwnChain(w, out, from, to);
            return new Range(end, out);
        });
    }

    /** The contract's HTLC logs and, given the relayer's address, any contract's {@code Locked} logs made out to it. */
    private List<EthFilter> filtersOf(long from, long to) {
        DefaultBlockParameter fromBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(from));
        DefaultBlockParameter toBlock = DefaultBlockParameter.valueOf(BigInteger.valueOf(to));
        return filters(new EthFilter(fromBlock, toBlock, settings.contractAddress()),
                relayerTopic == null ? null : new EthFilter(fromBlock, toBlock, (List<String>) null));
    }

    /** The same, of one block asked by its hash, which a node without that block must refuse. */
    private List<EthFilter> filtersOf(String blockHash) {
        return filters(new EthFilter(blockHash, settings.contractAddress()),
                relayerTopic == null ? null : new EthFilter(blockHash));
    }

    private List<EthFilter> filters(EthFilter ours, EthFilter anyContract) {
        ours.addOptionalTopics(HtlcAbi.LOCKED_TOPIC, HtlcAbi.CLAIMED_TOPIC, HtlcAbi.REFUNDED_TOPIC);
        if (anyContract == null) return List.of(ours);
        // any contract: Locked(id, sender, receiver = relayer)
        anyContract.addSingleTopic(HtlcAbi.LOCKED_TOPIC).addNullTopic().addNullTopic().addSingleTopic(relayerTopic);
        return List.of(ours, anyContract);
    }

    /**
     * The hashes of blocks {@code from..end}, oldest first, each the parent of the next (the endpoint's own chain
     * below {@code end}, so a block asked by hash is never one of another fork). Hardhat's {@code hardhat_mine} leaves
     * zero parent hashes in blocks it mines in bulk: there the link is not evidence either way.
     */
    private static List<String> hashesDownTo(Web3j w, long from, EthBlock.Block end) throws java.io.IOException {
        long to = end.getNumber().longValueExact();
        List<Long> below = java.util.stream.LongStream.range(from, to).boxed().toList();
        java.util.Map<Long, EthBlock.Block> blocks = blocksAt(w, below);
        List<String> out = new ArrayList<>();
        String expectedParent = null; // the hash the next block must name as its parent
        for (long h = from; h <= to; h++) {
            EthBlock.Block b = h == to ? end : blocks.get(h);
            if (b == null) throw new java.io.IOException("eth_getBlockByNumber(" + h + "): absent below its block " + to);
            if (expectedParent != null && !b.getParentHash().equals(ZERO_HASH) && !b.getParentHash().equalsIgnoreCase(expectedParent)) {
                throw new java.io.IOException("eth_getBlockByNumber(" + h + "): does not build on block " + (h - 1));
            }
            out.add(b.getHash());
            expectedParent = b.getHash();
        }
        return out;
    }

    /**
     * The logs the filters select, from one endpoint (several in one JSON-RPC batch), so the merged logs come from one
     * view of the chain. The configured contract's own locks for the relayer are in the answers of both kinds of
     * filter: reported once.
     */
    @SuppressWarnings("rawtypes")
    private static List<Log> logs(Web3j w, List<EthFilter> filters) throws java.io.IOException {
        List<List<EthLog.LogResult>> answers = getLogs(w, filters);
        List<Log> out = new ArrayList<>();
        List<Log> forRelayer = new ArrayList<>();
        for (int i = 0; i < filters.size(); i++) {
            boolean anyContract = filters.get(i).getAddress() == null || filters.get(i).getAddress().isEmpty();
            (anyContract ? forRelayer : out).addAll(logs(answers.get(i)));
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Log l : out) seen.add(key(l));
        for (Log l : forRelayer) {
            if (!seen.contains(key(l))) out.add(l);
        }
        return out;
    }

    /**
     * {@code eth_getLogs} of each filter, in one JSON-RPC batch when there are several. Asked by block hash, any error
     * is the endpoint's (it does not have that block: Hardhat "blockHash cannot be found", geth "unknown block"), so
     * the pool asks another instead of the caller giving up.
     */
    @SuppressWarnings("rawtypes")
    private static List<List<EthLog.LogResult>> getLogs(Web3j w, List<EthFilter> filters) throws java.io.IOException {
        List<List<EthLog.LogResult>> out = new ArrayList<>();
        if (filters.size() == 1) {
            out.add(checkedLogs(w.ethGetLogs(filters.get(0)).send(), filters.get(0)));
            return out;
        }
        org.web3j.protocol.core.BatchRequest batch = w.newBatch();
        for (EthFilter f : filters) batch.add(w.ethGetLogs(f));
        List<? extends org.web3j.protocol.core.Response<?>> answers = answersOf(batch, filters.size(), "eth_getLogs");
        for (int i = 0; i < filters.size(); i++) {
            if (!(answers.get(i) instanceof EthLog l)) throw new java.io.IOException("eth_getLogs (batch): unexpected answer");
            out.add(checkedLogs(l, filters.get(i)));
        }
        return out;
    }

    @SuppressWarnings("rawtypes")
    private static List<EthLog.LogResult> checkedLogs(EthLog answer, EthFilter f) throws java.io.IOException {
        try {
            return Rpc.checked(answer, "eth_getLogs").getLogs();
        } catch (RpcErrorException e) {
            if (f.getBlockHash() == null) throw e;
            throw new java.io.IOException("eth_getLogs of block " + f.getBlockHash() + ": " + e.rpcMessage(), e);
        }
    }

    /**
     * A batch's answers, one per request in the requests' order, matched by id (JSON-RPC lets a node answer a batch in
     * any order; web3j pairs them by position). A missing or extra answer, or a batch answered with something else than
     * an array (a node without batch support), is the endpoint's fault.
     */
    private static List<org.web3j.protocol.core.Response<?>> answersOf(org.web3j.protocol.core.BatchRequest batch,
            int size, String method) throws java.io.IOException {
        org.web3j.protocol.core.BatchResponse answer;
        try {
            answer = batch.send();
        } catch (RuntimeException e) { // web3j casts the answer to an array
            throw new java.io.IOException(method + " batch of " + size + ": malformed answer", e);
        }
        List<? extends org.web3j.protocol.core.Response<?>> responses = answer == null ? null : answer.getResponses();
        if (responses == null || responses.size() != size) {
            throw new java.io.IOException(method + " batch of " + size + ": "
                    + (responses == null ? "no" : responses.size()) + " answers");
        }
        java.util.Map<Long, org.web3j.protocol.core.Response<?>> byId = new java.util.HashMap<>();
        for (org.web3j.protocol.core.Response<?> r : responses) byId.put(r.getId(), r);
        List<org.web3j.protocol.core.Response<?>> out = new ArrayList<>(size);
        for (org.web3j.protocol.core.Request<?, ?> q : batch.getRequests()) {
            org.web3j.protocol.core.Response<?> r = byId.get(q.getId());
            if (r == null) throw new java.io.IOException(method + " batch of " + size + ": no answer to request " + q.getId());
            out.add(r);
        }
        return out;
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
        for (var e : blocksAt(w, new ArrayList<>(heights)).entrySet()) {
            out.put(e.getKey(), e.getValue() == null ? null : e.getValue().getHash());
        }
        return out;
    }

    /**
     * The blocks at {@code heights} (null where the chain is not that long), from one endpoint, in batch requests of
     * {@value #BATCH}, each checked like {@link #block}; an error answer is the endpoint's fault.
     */
    static java.util.Map<Long, EthBlock.Block> blocksAt(Web3j w, List<Long> heights) throws java.io.IOException {
        java.util.Map<Long, EthBlock.Block> out = new java.util.HashMap<>();
        for (int i = 0; i < heights.size(); i += BATCH) {
            List<Long> part = heights.subList(i, Math.min(heights.size(), i + BATCH));
            if (part.size() == 1) {
                out.put(part.get(0), block(w, part.get(0)));
                continue;
            }
            org.web3j.protocol.core.BatchRequest batch = w.newBatch();
            for (long h : part) batch.add(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(h)), false));
            List<org.web3j.protocol.core.Response<?>> responses = answersOf(batch, part.size(), "eth_getBlockByNumber");
            for (int k = 0; k < part.size(); k++) {
                org.web3j.protocol.core.Response<?> r = responses.get(k);
                if (r.hasError()) {
                    throw new java.io.IOException("eth_getBlockByNumber (batch): endpoint error " + r.getError().getCode() + ": "
                            + Rpc.truncate(String.valueOf(r.getError().getMessage())));
                }
                if (!(r instanceof EthBlock eb)) throw new java.io.IOException("eth_getBlockByNumber (batch): unexpected answer");
                EthBlock.Block b = eb.getBlock();
                if (b != null) checkWellFormed(b, part.get(k));
                out.put(part.get(k), b);
            }
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

    static EthBlock.Block block(Web3j w, long height) throws java.io.IOException {
        EthBlock.Block b = Rpc.send(w.ethGetBlockByNumber(DefaultBlockParameter.valueOf(BigInteger.valueOf(height)),
                false), "eth_getBlockByNumber").getBlock();
        if (b != null) checkWellFormed(b, height);
        return b;
    }

    private static void checkWellFormed(EthBlock.Block b, long height) throws java.io.IOException {
        if ((b.getHash() == null || !HASH.matcher(b.getHash()).matches() || b.getParentHash() == null
                || !HASH.matcher(b.getParentHash()).matches() || b.getNumberRaw() == null
                || !BigInteger.valueOf(height).equals(b.getNumber()) || b.getTimestampRaw() == null
                || b.getTimestamp().signum() < 0 || b.getTimestamp().bitLength() > 62)) {
            // IOException: charged to the endpoint, and the pool asks another one
            throw new java.io.IOException("eth_getBlockByNumber(" + height + "): malformed block in the answer");
        }
    }

    private <T> T call(Web3jCall<T> c) {
        return pool.execute(conn -> c.apply(conn.web3j()));
    }

    @FunctionalInterface
    private interface Web3jCall<T> {
        T apply(Web3j w) throws Exception;
    }
}
