package io.evmore.cosmos.ibc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.error.TransientException;
import io.evmore.core.port.Clock;
import io.evmore.cosmos.HtlcMessages;
import io.evmore.cosmos.rpc.AbciEvent;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransferResponse;
import java.util.List;

/**
 * Sends an ICS-20 transfer from the home chain over a route whose final packet creates the HTLC through the
 * IBC-hooks memo. The HTLC's {@code refund_address} is the relayer's address on the final chain (the hooks
 * intermediary sender is nobody's). The acknowledgement arrives later as a follower event, matched by
 * (source channel, sequence) recorded here.
 */
public final class IbcTransferSender {
    /** What was sent: the packet to watch. */
    public record SentTransfer(String sourceChannel, long sequence, String txHash, long height, String memo) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** ICS-20's memo limit (COSMOS_WIRE §6). */
    static final int MAX_MEMO = 32768;
    private final CosmosTxSubmitter submitter;
    private final SentTransfers sent;
    private final Clock clock;

    public IbcTransferSender(CosmosTxSubmitter submitter, SentTransfers sent, Clock clock) {
        this.submitter = submitter;
        this.sent = sent;
        this.clock = clock;
    }

    /**
     * @param finalContract          the HTLC contract on the final chain (also the last packet's receiver)
     * @param relayerOnFinalChain    refund address of the HTLC
     * @param denom                  denom on the home chain to send
     */
    public SentTransfer lockOverRoute(IbcRoute route, String finalContract, String relayerOnFinalChain, String denom,
            LockRequest r) {
        return lockOverRoute(route, finalContract, relayerOnFinalChain, denom, r, TxJournal.NONE);
    }

    public SentTransfer lockOverRoute(IbcRoute route, String finalContract, String relayerOnFinalChain, String denom,
            LockRequest r, TxJournal journal) {
        return lockOverRoute(route, finalContract, relayerOnFinalChain, denom, r, journal, 0);
    }

    /** As above, paying the gas price of fee {@code feeLevel} ({@link io.evmore.cosmos.tx.GasEstimator#priceAt}). */
    public SentTransfer lockOverRoute(IbcRoute route, String finalContract, String relayerOnFinalChain, String denom,
            LockRequest r, TxJournal journal, int feeLevel) {
        ObjectNode createHtlc = HtlcMessages.createHtlc(r.receiver(), r.hashlock(), r.timelock(), r.targetChain(),
                r.targetAddress(), relayerOnFinalChain);
        return transfer(route, finalContract, denom, r.amount(), ForwardMemo.wasm(finalContract, createHtlc), journal,
                feeLevel);
    }

    /**
     * A transfer over {@code route} delivering to {@code finalReceiver} with {@code finalMemo} (may be null) on the
     * last hop; PFM forward memos are added for the intermediate chains.
     */
    public SentTransfer transfer(IbcRoute route, String finalReceiver, String denom, java.math.BigInteger amount,
            ObjectNode finalMemo) {
        return transfer(route, finalReceiver, denom, amount, finalMemo, TxJournal.NONE);
    }

    public SentTransfer transfer(IbcRoute route, String finalReceiver, String denom, java.math.BigInteger amount,
            ObjectNode finalMemo, TxJournal journal) {
        return transfer(route, finalReceiver, denom, amount, finalMemo, journal, 0);
    }

    public SentTransfer transfer(IbcRoute route, String finalReceiver, String denom, java.math.BigInteger amount,
            ObjectNode finalMemo, TxJournal journal, int feeLevel) {
        IbcRoute.Hop first = route.hops().get(0);
        String sender = submitter.address();
        String memoText = ForwardMemo.text(ForwardMemo.forRoute(route, sender, finalReceiver, finalMemo));
        if (memoText.length() > MAX_MEMO) {
            // ICS-20 refuses it in ValidateBasic; nothing is signed.
            throw new io.evmore.core.error.PermanentException("transfer memo over route to " + route.finalChainId()
                    + " is " + memoText.length() + " bytes, over ICS-20's " + MAX_MEMO);
        }
        long timeoutNanos = Math.multiplyExact(clock.now().plus(first.timeout()).getEpochSecond(), 1_000_000_000L);
        Any msg = CosmosMessages.transfer(first.port(), first.channel(), CosmosMessages.coin(denom, amount),
                sender, ForwardMemo.firstReceiver(route, sender, finalReceiver), 0, 0, timeoutNanos, memoText);
        TxOutcome out = submitter.submit(List.of(msg), "", journal, feeLevel);
        long sequence = packetSequence(out, first.channel());
        sent.record(first.channel(), sequence);
        return new SentTransfer(first.channel(), sequence, out.hash(), out.height(), memoText);
    }

    /**
     * After a crash between persisting the intent (the hash a {@link TxJournal} saw) and learning the result:
     * the transfer as sent if the node's tx index shows that transaction (and recorded again for ack matching), empty
     * if it does not. Empty is NOT "safe to send again": the index lags the blocks (use
     * {@link io.evmore.cosmos.IntentReconciler}, through {@link CosmosIbcCounterLock#reconcile}, for that decision). A
     * failed transaction is thrown as its error.
     */
    public java.util.Optional<SentTransfer> reconcile(String txHash) {
        return submitter.find(txHash).map(this::sentBy);
    }

    /**
     * The transfer an included, successful transaction sent (its first {@code send_packet}; the sequence from the
     * {@code MsgTransferResponse} when present), recorded again for ack matching. A transaction that sent no
     * packet is a {@link TransientException}: it is not the transfer that was asked for.
     */
    public SentTransfer sentBy(TxOutcome out) {
        for (AbciEvent e : out.result().events()) {
            if (!e.type().equals("send_packet")) continue;
            String channel = e.attr("packet_src_channel").orElse("");
            if (!channel.matches("channel-[0-9]{1,18}")) continue;
            long sequence = packetSequence(out, channel);
            String memo = "";
            try {
                memo = JSON.readTree(e.attr("packet_data").orElse("{}")).path("memo").asText("");
            } catch (java.io.IOException ex) {
                // the memo is informational; channel and sequence are what matching needs
            }
            sent.record(channel, sequence);
            return new SentTransfer(channel, sequence, out.hash(), out.height(), memo);
        }
        throw new TransientException("tx " + out.hash() + " was included but sent no ICS-20 packet");
    }

    static long packetSequence(TxOutcome out, String channel) {
        try {
            for (Any a : TxMsgData.parseFrom(out.result().data()).getMsgResponsesList()) {
                if (a.getTypeUrl().equals("/ibc.applications.transfer.v1.MsgTransferResponse")) {
                    long s = MsgTransferResponse.parseFrom(a.getValue()).getSequence();
                    if (s > 0) return s;
                }
            }
        } catch (InvalidProtocolBufferException e) {
            // fall back to the send_packet event
        }
        for (AbciEvent e : out.result().events()) {
            if (e.type().equals("send_packet") && e.attr("packet_src_channel").orElse("").equals(channel)) {
                String s = e.attr("packet_sequence").orElse("");
                if (s.matches("[1-9][0-9]{0,18}")) return Long.parseLong(s);
            }
        }
        throw new TransientException("transfer tx " + out.hash() + " has no packet sequence in data or events");
    }
}
