package io.evmore.ethereum;

import io.evmore.core.chain.ChainEvent;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.swap.Hashlock;
import io.evmore.pool.EndpointPool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.web3j.protocol.core.DefaultBlockParameter;
import org.web3j.protocol.core.methods.request.EthFilter;
import org.web3j.protocol.core.methods.response.EthLog;
import org.web3j.protocol.core.methods.response.Log;

/**
 * The user's side: finds locks made out to an address on the configured contract ({@code Locked} logs with the
 * indexed receiver), so a swapper can find the relayer's counter-lock by its hashlock.
 */
public final class EthereumLockFinder {
    private final EthereumSettings settings;
    private final EndpointPool<EthConnection> pool;
    private final HtlcLogDecoder decoder;

    public EthereumLockFinder(EthereumSettings settings, EndpointPool<EthConnection> pool) {
        this.settings = settings;
        this.pool = pool;
        this.decoder = new HtlcLogDecoder(settings.chain(), settings.contractAddress());
    }

    /** Locks for {@code receiver} with {@code hashlock} created at or after {@code fromBlock}, oldest first. */
    public List<HtlcRecord> find(String receiver, Hashlock hashlock, long fromBlock) {
        String topic = "0x000000000000000000000000" + receiver.toLowerCase(Locale.ROOT).substring(2);
        List<HtlcRecord> out = new ArrayList<>();
        long head = latestBlock();
        for (long from = Math.max(0, fromBlock); from <= head; from += settings.getLogsMaxRange()) {
            long to = Math.min(head, from + settings.getLogsMaxRange() - 1);
            EthFilter f = new EthFilter(DefaultBlockParameter.valueOf(java.math.BigInteger.valueOf(from)),
                    DefaultBlockParameter.valueOf(java.math.BigInteger.valueOf(to)), settings.contractAddress());
            f.addSingleTopic(HtlcAbi.LOCKED_TOPIC);
            f.addNullTopic();
            f.addNullTopic();
            f.addSingleTopic(topic);
            EthLog logs = pool.execute(c -> Rpc.send(c.web3j().ethGetLogs(f), "eth_getLogs"));
            for (EthLog.LogResult<?> r : logs.getLogs()) {
                if (r.get() instanceof Log l && decoder.decode(l, Long.MAX_VALUE / 4) instanceof HtlcLogDecoder.Decoded d
                        && d.event() instanceof ChainEvent.HtlcLocked locked && locked.htlc().hashlock().equals(hashlock)) {
                    out.add(locked.htlc());
                }
            }
        }
        return out;
    }

    public long latestBlock() {
        return pool.execute(c -> Rpc.send(c.web3j().ethBlockNumber(), "eth_blockNumber").getBlockNumber().longValueExact());
    }

    public Optional<HtlcRecord> first(String receiver, Hashlock hashlock, long fromBlock) {
        return find(receiver, hashlock, fromBlock).stream().findFirst();
    }
}
