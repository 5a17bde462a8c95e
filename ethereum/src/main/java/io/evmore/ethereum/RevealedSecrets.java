package io.evmore.ethereum;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.Log;

/**
 * Finds a preimage the configured contract made public. {@code getLock} does not return it: it is only in the
 * {@code Claimed(bytes32 indexed id, bytes32 preimage)} log of the claim. So this searches {@code eth_getLogs} of the
 * configured contract from the HTLC's creation height (or, unknown, the last {@code secretLookbackBlocks} blocks) to the
 * latest block:
 * <ol>
 * <li>with the HTLC id known, {@code Claimed} logs with that id (topic 1);</li>
 * <li>if that finds none (or the id is unknown), every {@code Claimed} log of the contract, for a preimage whose
 *     sha256 is the hashlock: a look-alike HTLC with the same hashlock that the user claimed reveals the secret too.</li>
 * </ol>
 * Every answer is checked: the log must decode as a {@code Claimed} of the configured contract ({@link HtlcLogDecoder})
 * and {@code sha256(preimage) == hashlock}; a node cannot make up a preimage, so a log that passes is the secret even if
 * its block is later reorged away. Ranges are read in chunks of at most {@code getLogsMaxRange} blocks, halved when a
 * node refuses one (too many results, range too large, timeout) and doubled again after {@value #GROW_AFTER} ranges read
 * without a refusal; the next search starts where the last one ended.
 *
 * <p>Never throws: an unreachable or erroring node gives {@link Optional#empty()} with a WARN (the engine asks again
 * later). Never logs a preimage or anything of a claim's calldata.
 */
final class RevealedSecrets {
    private static final Logger log = LoggerFactory.getLogger(RevealedSecrets.class);
    /** Failures of the pool (each already retried on the other endpoints) in a row before a search gives up. */
    static final int MAX_TRANSIENT_FAILURES = 3;
    /** Logs of our own contract: only the shape of the event matters, not timelock plausibility. */
    private static final long ANY_TIME = Long.MAX_VALUE / 4;

    /** Ranges read without a refusal before the range is doubled again (up to {@code getLogsMaxRange}). */
    static final int GROW_AFTER = 8;

    private final EthereumSettings settings;
    /** The range the last search ended with: where the next one starts (endpoints refuse what they refused before). */
    private volatile long learned = Long.MAX_VALUE;
    private final EndpointPool<EthConnection> pool;
    private final HtlcLogDecoder decoder;

    RevealedSecrets(EthereumSettings settings, EndpointPool<EthConnection> pool) {
        this.settings = settings;
        this.pool = pool;
        this.decoder = new HtlcLogDecoder(settings.chain(), settings.contractAddress());
    }

    /**
     * @param htlcId     the HTLC whose claim to look for; null (or not an Ethereum HTLC id) = by hashlock only
     * @param fromHeight a height at or below the HTLC's creation; 0 or less = unknown (the last
     *                   {@code secretLookbackBlocks} blocks)
     */
    Optional<Secret> find(Hashlock hashlock, String htlcId, long fromHeight) {
        String id = null;
        if (htlcId != null) {
            if (htlcId.matches("0x[0-9a-fA-F]{64}")) {
                id = htlcId.toLowerCase(Locale.ROOT);
            } else {
                log.warn("{}: secret search for hashlock {}: '{}' is not an HTLC id of this chain; searching by hashlock",
                        settings.chain(), hashlock.hex(), HtlcLogDecoder.printableHex(htlcId));
            }
        }
        try {
            long head = pool.execute(c -> Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber()
                    .longValueExact());
            long from = fromHeight > 0 ? fromHeight : Math.max(0, head - settings.secretLookbackBlocks() + 1);
            if (from > head) return Optional.empty(); // the node is behind the HTLC's creation: nothing to see yet
            if (id != null) {
                Optional<Secret> byId = scan(hashlock, id, from, head);
                if (byId.isPresent()) return byId;
            }
            return scan(hashlock, null, from, head);
        } catch (RuntimeException e) {
            log.warn("{}: could not search the Claimed logs for hashlock {} ({}); will be asked again", settings.chain(),
                    hashlock.hex(), Rpc.truncate(String.valueOf(e.getMessage())));
            return Optional.empty();
        }
    }

    /** The first verified preimage in {@code from..to} (the claim of {@code id}, or any claim when null). */
    private Optional<Secret> scan(Hashlock hashlock, String id, long from, long to) {
        long max = settings.getLogsMaxRange();
        long range = Math.min(max, learned);
        int failures = 0;
        int successes = 0;
        long start = from;
        while (start <= to) {
            long end = Math.min(to, start + range - 1);
            List<Log> logs;
            try {
                logs = claimedLogs(id, start, end);
            } catch (RpcErrorException | TransientException e) {
                if (e instanceof TransientException && ++failures >= MAX_TRANSIENT_FAILURES || end == start) {
                    throw e;
                }
                range = Math.max(1, (end - start + 1) / 2);
                learned = range;
                successes = 0;
                log.info("{}: eth_getLogs of Claimed {}..{} failed ({}); range now {}", settings.chain(), start, end,
                        Rpc.truncate(String.valueOf(e.getMessage())), range);
                continue;
            }
            failures = 0;
            for (Log l : logs) {
                if (decoder.decode(l, ANY_TIME) instanceof HtlcLogDecoder.Decoded d
                        && d.event() instanceof ChainEvent.HtlcClaimed claimed
                        && (id == null || id.equalsIgnoreCase(claimed.htlcId()))
                        && claimed.secret().opens(hashlock)) {
                    log.info("{}: the secret of hashlock {} was revealed by the claim of {} in block {}", settings.chain(),
                            hashlock.hex(), claimed.htlcId(), claimed.origin().height());
                    return Optional.of(claimed.secret());
                }
            }
            start = end + 1;
            if (++successes >= GROW_AFTER && range < max) {
                range = Math.min(max, range * 2);
                learned = range;
                successes = 0;
            }
        }
        return Optional.empty();
    }

    private List<Log> claimedLogs(String id, long from, long to) {
        EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), settings.contractAddress());
        f.addSingleTopic(HtlcAbi.CLAIMED_TOPIC);
        if (id != null) f.addSingleTopic(id);
        return pool.execute(c -> Rpc.logs(c.web3j(), f));
    }
}
