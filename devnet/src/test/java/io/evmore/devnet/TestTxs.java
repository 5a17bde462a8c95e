package io.evmore.devnet;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.evmore.devnet.chain.ChainState;
import io.evmore.devnet.crypto.DevnetKey;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmos.tx.signing.v1beta1.SignMode;
import io.evmore.proto.cosmos.tx.v1beta1.AuthInfo;
import io.evmore.proto.cosmos.tx.v1beta1.Fee;
import io.evmore.proto.cosmos.tx.v1beta1.ModeInfo;
import io.evmore.proto.cosmos.tx.v1beta1.SignDoc;
import io.evmore.proto.cosmos.tx.v1beta1.SignerInfo;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Builds SIGN_MODE_DIRECT transactions for the devnet tests (the relayer's own encoder lives in the cosmos module). */
final class TestTxs {
    private TestTxs() {}

    static Coin coin(String amount, String denom) {
        return Coin.newBuilder().setDenom(denom).setAmount(amount).build();
    }

    static Any send(String from, String to, Coin amount) {
        return any("/cosmos.bank.v1beta1.MsgSend", MsgSend.newBuilder().setFromAddress(from).setToAddress(to).addAmount(amount).build());
    }

    static Any execute(String sender, String contract, String json, List<Coin> funds) {
        return any("/cosmwasm.wasm.v1.MsgExecuteContract", MsgExecuteContract.newBuilder().setSender(sender).setContract(contract)
                .setMsg(ByteString.copyFrom(json, StandardCharsets.UTF_8)).addAllFunds(funds).build());
    }

    static Any transfer(String sender, String channel, Coin token, String receiver, long timeoutNanos, String memo) {
        return any("/ibc.applications.transfer.v1.MsgTransfer", MsgTransfer.newBuilder().setSourcePort("transfer")
                .setSourceChannel(channel).setToken(token).setSender(sender).setReceiver(receiver)
                .setTimeoutTimestamp(timeoutNanos).setMemo(memo).build());
    }

    static Any transferWithHeightTimeout(String sender, String channel, Coin token, String receiver, long revision, long height) {
        return any("/ibc.applications.transfer.v1.MsgTransfer", MsgTransfer.newBuilder().setSourcePort("transfer")
                .setSourceChannel(channel).setToken(token).setSender(sender).setReceiver(receiver)
                .setTimeoutHeight(io.evmore.proto.ibc.core.client.v1.Height.newBuilder().setRevisionNumber(revision).setRevisionHeight(height))
                .build());
    }

    static Any any(String typeUrl, Message m) {
        return Any.newBuilder().setTypeUrl(typeUrl).setValue(m.toByteString()).build();
    }

    /** A signed TxRaw. */
    static byte[] sign(DevnetKey key, String chainId, long accountNumber, long sequence, List<Any> msgs, Coin fee, long gas, String memo) {
        TxBody body = TxBody.newBuilder().addAllMessages(msgs).setMemo(memo).build();
        Fee.Builder f = Fee.newBuilder().setGasLimit(gas);
        if (fee != null) {
            f.addAmount(fee);
        }
        AuthInfo auth = AuthInfo.newBuilder().addSignerInfos(SignerInfo.newBuilder()
                        .setPublicKey(ChainState.pubKeyAny(key.publicKey()))
                        .setModeInfo(ModeInfo.newBuilder().setSingle(ModeInfo.Single.newBuilder().setMode(SignMode.SIGN_MODE_DIRECT)))
                        .setSequence(sequence))
                .setFee(f).build();
        byte[] signDoc = SignDoc.newBuilder().setBodyBytes(body.toByteString()).setAuthInfoBytes(auth.toByteString())
                .setChainId(chainId).setAccountNumber(accountNumber).build().toByteArray();
        return TxRaw.newBuilder().setBodyBytes(body.toByteString()).setAuthInfoBytes(auth.toByteString())
                .addSignatures(ByteString.copyFrom(key.sign(signDoc))).build().toByteArray();
    }

    /** Like cosmjs's simulate: empty fee, one empty signature. */
    static byte[] unsignedForSimulation(DevnetKey key, long sequence, List<Any> msgs) {
        TxBody body = TxBody.newBuilder().addAllMessages(msgs).build();
        AuthInfo auth = AuthInfo.newBuilder().addSignerInfos(SignerInfo.newBuilder()
                        .setPublicKey(ChainState.pubKeyAny(key.publicKey()))
                        .setModeInfo(ModeInfo.newBuilder().setSingle(ModeInfo.Single.newBuilder().setMode(SignMode.SIGN_MODE_UNSPECIFIED)))
                        .setSequence(sequence))
                .setFee(Fee.newBuilder()).build();
        return TxRaw.newBuilder().setBodyBytes(body.toByteString()).setAuthInfoBytes(auth.toByteString())
                .addSignatures(ByteString.EMPTY).build().toByteArray();
    }
}
