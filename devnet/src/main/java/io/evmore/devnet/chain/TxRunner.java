package io.evmore.devnet.chain;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.devnet.wasm.WasmModule;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one of a chain's txs as baseapp does: decode, the ante sequence ({@link AnteHandler}), then each message
 * through its module (bank, wasm, IBC transfer), in CheckTx, simulation or DeliverTx. Holds no state of its own;
 * the chain calls it inside its monitor with the cache the tx writes to.
 */
final class TxRunner {
    enum Mode { CHECK, SIMULATE, DELIVER }

    private final ChainContext chain;
    private final TransferModule transfer;
    private final AnteHandler ante;

    TxRunner(ChainContext chain, TransferModule transfer) {
        this.chain = chain;
        this.transfer = transfer;
        this.ante = new AnteHandler(chain.spec(), transfer);
    }

    /**
     * Runs one tx: ante in a tx cache (written iff the ante passes), then (not in CheckTx) the messages in a
     * nested cache written iff all succeed. {@code ctxOut[0]} receives the message context on success.
     */
    ExecResult run(byte[] txBytes, Mode mode, CacheKv parent, long height, Instant time, MsgContext[] ctxOut) {
        DecodedTx tx;
        try {
            tx = DecodedTx.decode(txBytes);
        } catch (SdkException e) {
            return ExecResult.error(e, 0, 0, List.of());
        }
        long gasLimit = tx.authInfo().hasFee() ? tx.authInfo().getFee().getGasLimit() : 0;
        GasMeter meter = mode == Mode.SIMULATE ? GasMeter.infinite() : new GasMeter(gasLimit < 0 ? Long.MAX_VALUE : gasLimit);
        CacheKv anteCache = new CacheKv(parent);
        List<Event> anteEvents = new ArrayList<>();
        try {
            ante.run(tx, mode, anteCache, meter, height, anteEvents);
        } catch (SdkException e) {
            return ExecResult.error(e, gasLimit, meter.consumed(), List.of());
        } catch (GasMeter.OutOfGasException e) {
            return ExecResult.error(SdkException.sdk(11, e.getMessage() + ": out of gas"), gasLimit, e.used, List.of());
        }
        anteCache.write();
        if (mode == Mode.CHECK) {
            return new ExecResult(0, null, "", "", gasLimit, meter.consumed(), anteEvents, "");
        }
        CacheKv msgCache = new CacheKv(parent);
        MsgContext ctx = new MsgContext(chain, msgCache, meter, height, time);
        List<Event> events = new ArrayList<>(anteEvents);
        TxMsgData.Builder data = TxMsgData.newBuilder();
        int i = 0;
        try {
            for (; i < tx.msgs().size(); i++) {
                Message m = tx.msgs().get(i);
                int before = ctx.events.size();
                String url = DecodedTx.typeUrl(m);
                ctx.events.add(Event.of("message", "action", url, "sender", DecodedTx.signer(m), "module", url.split("\\.")[1]));
                Message response = deliverMsg(ctx, m);
                data.addMsgResponses(Any.newBuilder().setTypeUrl(url + "Response").setValue(response.toByteString()));
                for (int k = before; k < ctx.events.size(); k++) {
                    events.add(ctx.events.get(k).with("msg_index", Integer.toString(i)));
                }
            }
        } catch (SdkException e) {
            return ExecResult.error(e.wrap("failed to execute message; message index: " + i), gasLimit, meter.consumed(), anteEvents);
        } catch (GasMeter.OutOfGasException e) {
            return ExecResult.error(SdkException.sdk(11, e.getMessage() + ": out of gas"), gasLimit, e.used, anteEvents);
        }
        msgCache.write();
        ctxOut[0] = ctx;
        long wanted = mode == Mode.SIMULATE ? -1L : gasLimit;
        return new ExecResult(0, data.build().toByteArray(), "", "", wanted, meter.consumed(), events, "");
    }

    private Message deliverMsg(MsgContext ctx, Message m) {
        if (m instanceof MsgSend s) {
            ctx.state.send(s.getFromAddress(), s.getToAddress(), s.getAmountList(), ctx.events);
            return io.evmore.proto.cosmos.bank.v1beta1.MsgSendResponse.getDefaultInstance();
        }
        if (m instanceof MsgExecuteContract e) {
            byte[] data = WasmModule.execute(ctx, e.getSender(), e.getContract(),
                    e.getMsg().toByteArray(), e.getFundsList());
            var b = io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse.newBuilder();
            if (data != null) {
                b.setData(ByteString.copyFrom(data));
            }
            return b.build();
        }
        if (m instanceof MsgTransfer t) {
            long seq = transfer.sendTransfer(ctx, t);
            return io.evmore.proto.ibc.applications.transfer.v1.MsgTransferResponse.newBuilder().setSequence(seq).build();
        }
        throw new IllegalArgumentException("unsupported message " + m.getClass().getSimpleName());
    }
}
