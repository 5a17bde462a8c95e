package io.evmore.cosmos.tx;

import com.google.protobuf.Any;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import io.evmore.proto.ibc.core.client.v1.Height;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The messages the relayer sends, packed as {@code Any} with the SDK's type URLs. */
public final class CosmosMessages {
    public static final String MSG_SEND = "/cosmos.bank.v1beta1.MsgSend";
    public static final String MSG_EXECUTE_CONTRACT = "/cosmwasm.wasm.v1.MsgExecuteContract";
    public static final String MSG_TRANSFER = "/ibc.applications.transfer.v1.MsgTransfer";

    private CosmosMessages() {}

    public static Coin coin(String denom, BigInteger amount) {
        if (denom == null || denom.isEmpty()) throw new IllegalArgumentException("coin denom is missing");
        if (amount == null || amount.signum() < 0) throw new IllegalArgumentException("coin amount must be >= 0");
        return Coin.newBuilder().setDenom(denom).setAmount(amount.toString()).build();
    }

    public static Any send(String from, String to, Coin... amount) {
        MsgSend m = MsgSend.newBuilder().setFromAddress(from).setToAddress(to)
                .addAllAmount(java.util.List.of(amount)).build();
        return pack(MSG_SEND, m.toByteString());
    }

    /** {@code json} is sent verbatim as the contract message bytes. */
    public static Any executeContract(String sender, String contract, String json, Coin... funds) {
        MsgExecuteContract m = MsgExecuteContract.newBuilder().setSender(sender).setContract(contract)
                .setMsg(com.google.protobuf.ByteString.copyFrom(json, StandardCharsets.UTF_8))
                .addAllFunds(java.util.List.of(funds)).build();
        return pack(MSG_EXECUTE_CONTRACT, m.toByteString());
    }

    /**
     * ICS-20 transfer (ibc-go v8 fields). A zero timeout height disables the height timeout; the timestamp is
     * unix nanoseconds.
     */
    public static Any transfer(String sourcePort, String sourceChannel, Coin token, String sender, String receiver,
            long timeoutRevisionNumber, long timeoutRevisionHeight, long timeoutTimestampNanos, String memo) {
        MsgTransfer.Builder b = MsgTransfer.newBuilder().setSourcePort(sourcePort).setSourceChannel(sourceChannel)
                .setToken(token).setSender(sender).setReceiver(receiver)
                .setTimeoutTimestamp(timeoutTimestampNanos).setMemo(memo == null ? "" : memo);
        // cosmjs always writes the (possibly empty) height message; an empty message is 2 bytes "32 00".
        b.setTimeoutHeight(Height.newBuilder().setRevisionNumber(timeoutRevisionNumber)
                .setRevisionHeight(timeoutRevisionHeight).build());
        return pack(MSG_TRANSFER, b.build().toByteString());
    }

    private static Any pack(String typeUrl, com.google.protobuf.ByteString value) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(value).build();
    }
}
