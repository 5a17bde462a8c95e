package io.evmore.devnet.chain;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.tx.v1beta1.AuthInfo;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/** A strictly decoded transaction (the SDK's default TxDecoder with unknown-field rejection). */
public record DecodedTx(byte[] bytes, TxRaw raw, TxBody body, AuthInfo authInfo, List<Message> msgs, List<String> signers) {
    public static final String MSG_SEND = "/cosmos.bank.v1beta1.MsgSend";
    public static final String MSG_EXECUTE = "/cosmwasm.wasm.v1.MsgExecuteContract";
    public static final String MSG_TRANSFER = "/ibc.applications.transfer.v1.MsgTransfer";

    public static DecodedTx decode(byte[] bytes) {
        try {
            TxRaw raw = TxRaw.parseFrom(bytes);
            if (!Arrays.equals(raw.toByteArray(), bytes)) {
                throw parseError("non-canonical TxRaw encoding");
            }
            TxBody body = TxBody.parseFrom(raw.getBodyBytes());
            rejectUnknown(body, "TxBody");
            AuthInfo authInfo = AuthInfo.parseFrom(raw.getAuthInfoBytes());
            rejectUnknown(authInfo, "AuthInfo");
            if (!body.getExtensionOptionsList().isEmpty()) {
                throw SdkException.sdk(31, "unknown extension options: unknown extension options");
            }
            List<Message> msgs = new ArrayList<>();
            LinkedHashSet<String> signers = new LinkedHashSet<>();
            for (Any any : body.getMessagesList()) {
                Message m = switch (any.getTypeUrl()) {
                    case MSG_SEND -> MsgSend.parseFrom(any.getValue());
                    case MSG_EXECUTE -> MsgExecuteContract.parseFrom(any.getValue());
                    case MSG_TRANSFER -> MsgTransfer.parseFrom(any.getValue());
                    default -> throw parseError("unable to resolve type URL " + any.getTypeUrl());
                };
                rejectUnknown(m, any.getTypeUrl());
                msgs.add(m);
                signers.add(signer(m));
            }
            return new DecodedTx(bytes, raw, body, authInfo, List.copyOf(msgs), List.copyOf(signers));
        } catch (InvalidProtocolBufferException e) {
            throw parseError(e.getMessage());
        }
    }

    public static String typeUrl(Message m) {
        if (m instanceof MsgSend) return MSG_SEND;
        if (m instanceof MsgExecuteContract) return MSG_EXECUTE;
        if (m instanceof MsgTransfer) return MSG_TRANSFER;
        throw new IllegalArgumentException("unsupported message " + m.getClass().getSimpleName());
    }

    static String signer(Message m) {
        if (m instanceof MsgSend s) return s.getFromAddress();
        if (m instanceof MsgExecuteContract e) return e.getSender();
        if (m instanceof MsgTransfer t) return t.getSender();
        throw new IllegalArgumentException("unsupported message " + m.getClass().getSimpleName());
    }

    private static void rejectUnknown(Message m, String what) {
        for (int field : m.getUnknownFields().asMap().keySet()) {
            // Field numbers with bit 11 set are non-critical extensions the SDK tolerates.
            if ((field & 1024) == 0) {
                throw parseError("errUnknownField \"*" + what + "\": {TagNum: " + field + "}");
            }
        }
    }

    private static SdkException parseError(String detail) {
        return SdkException.sdk(2, detail + ": tx parse error");
    }

    public byte[] hash() {
        return io.evmore.devnet.crypto.AddressDerivation.sha256(bytes);
    }
}
