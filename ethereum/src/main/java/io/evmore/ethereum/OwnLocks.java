package io.evmore.ethereum;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.pool.EndpointPool;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.Log;

/**
 * {@link Web3jHtlcChain#relayerLocksWithHashlock}: the configured contract's {@code Locked} logs whose sender (topic 2)
 * is the relayer, from a height to the latest block (an endpoint whose head is below the height the relayer followed
 * cannot answer), in ranges of at most {@code getLogsMaxRange} blocks. Each range's
 * end block is read first on the same endpoint as its logs (a node that has that block has every log below it; one that
 * has not cannot answer the range, and the search fails rather than report "none"). Each log is decoded and checked
 * like the follower's, kept if its hashlock matches, and read again with {@code getLock} for its status now. Throws
 * when the chain cannot be searched now: the caller then does not send.
 */
final class OwnLocks {
    /** Our own logs: only the shape matters, not timelock plausibility. */
    private static final long ANY_TIME = Long.MAX_VALUE / 4;

    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final HtlcLogDecoder decoder;
    private final String senderTopic;

    OwnLocks(EthereumSettings settings, EndpointPool<EthConnection> pool, HtlcLogDecoder decoder, String relayerAddress) {
        this.settings = settings;
        this.pool = pool;
        this.decoder = decoder;
        this.senderTopic = HtlcAbi.addressTopic(relayerAddress);
    }

    List<HtlcRecord> find(Hashlock hashlock, long fromHeight, long toAtLeast, Function<String, java.util.Optional<HtlcRecord>> query) {
        long head = pool.execute(c -> Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
        if (head < toAtLeast) {
            throw new TransientException(settings.chain() + ": the endpoint's head " + head + " is behind " + toAtLeast
                    + ", the height the relayer followed: it cannot show every lock of the relayer's");
        }
        long from = fromHeight > 0 ? fromHeight : Math.max(0, head - settings.secretLookbackBlocks() + 1);
        if (from > head) {
            throw new TransientException(settings.chain() + ": the endpoint's head " + head + " is below " + from
                    + ", where the search for the relayer's locks starts");
        }
        Set<String> ids = new LinkedHashSet<>();
        long step = Math.max(1, settings.getLogsMaxRange());
        for (long start = from; start <= head; start += step) {
            long end = Math.min(head, start + step - 1);
            for (Log l : range(start, end)) {
                if (decoder.decode(l, ANY_TIME) instanceof HtlcLogDecoder.Decoded d && d.event() instanceof ChainEvent.HtlcLocked locked
                        && locked.htlc().hashlock().equals(hashlock)) {
                    ids.add(locked.htlc().id());
                }
            }
        }
        List<HtlcRecord> out = new ArrayList<>();
        for (String id : ids) query.apply(id).ifPresent(out::add);
        return out;
    }

    private List<Log> range(long from, long to) {
        return pool.execute(c -> {
            EthBlock.Block end = FollowerReads.block(c.web3j(), to); // checked like the follower's: malformed is the endpoint's fault
            if (end == null) {
                throw new java.io.IOException("eth_getBlockByNumber(" + to + "): the endpoint does not have it yet");
            }
            EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(BigInteger.valueOf(to)), settings.contractAddress());
            f.addSingleTopic(HtlcAbi.LOCKED_TOPIC).addNullTopic().addSingleTopic(senderTopic);
            return Rpc.logs(c.web3j(), f);
        });
    }
}
