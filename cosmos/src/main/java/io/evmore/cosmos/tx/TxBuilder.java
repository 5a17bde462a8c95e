package io.evmore.cosmos.tx;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmos.crypto.secp256k1.PubKey;
import io.evmore.proto.cosmos.tx.signing.v1beta1.SignMode;
import io.evmore.proto.cosmos.tx.v1beta1.AuthInfo;
import io.evmore.proto.cosmos.tx.v1beta1.Fee;
import io.evmore.proto.cosmos.tx.v1beta1.ModeInfo;
import io.evmore.proto.cosmos.tx.v1beta1.SignDoc;
import io.evmore.proto.cosmos.tx.v1beta1.SignerInfo;
import io.evmore.proto.cosmos.tx.v1beta1.TxBody;
import io.evmore.proto.cosmos.tx.v1beta1.TxRaw;
import java.util.List;

/**
 * Builds and signs SIGN_MODE_DIRECT transactions for one signer. The SignDoc is made from exactly the body and
 * auth-info bytes that go into the TxRaw, so the node verifies what was signed.
 */
public final class TxBuilder {
    public static final String SECP256K1_PUBKEY = "/cosmos.crypto.secp256k1.PubKey";

    private TxBuilder() {}

    public static byte[] bodyBytes(List<Any> messages, String memo, long timeoutHeight) {
        if (messages == null || messages.isEmpty()) throw new IllegalArgumentException("a tx needs at least one message");
        return TxBody.newBuilder().addAllMessages(messages).setMemo(memo == null ? "" : memo)
                .setTimeoutHeight(timeoutHeight).build().toByteArray();
    }

    public static byte[] authInfoBytes(byte[] publicKey, long sequence, TxFee fee) {
        return authInfoBytes(publicKey, sequence, fee, SignMode.SIGN_MODE_DIRECT);
    }

    static byte[] authInfoBytes(byte[] publicKey, long sequence, TxFee fee, SignMode mode) {
        Any pk = Any.newBuilder().setTypeUrl(SECP256K1_PUBKEY)
                .setValue(PubKey.newBuilder().setKey(ByteString.copyFrom(publicKey)).build().toByteString()).build();
        SignerInfo si = SignerInfo.newBuilder().setPublicKey(pk)
                .setModeInfo(ModeInfo.newBuilder().setSingle(ModeInfo.Single.newBuilder().setMode(mode)))
                .setSequence(sequence).build();
        Fee.Builder f = Fee.newBuilder().setGasLimit(fee.gasLimit());
        if (fee.amount().signum() > 0) {
            f.addAmount(Coin.newBuilder().setDenom(fee.denom()).setAmount(fee.amount().toString()));
        }
        return AuthInfo.newBuilder().addSignerInfos(si).setFee(f).build().toByteArray();
    }

    public static byte[] signDocBytes(byte[] bodyBytes, byte[] authInfoBytes, String chainId, long accountNumber) {
        return SignDoc.newBuilder().setBodyBytes(ByteString.copyFrom(bodyBytes))
                .setAuthInfoBytes(ByteString.copyFrom(authInfoBytes)).setChainId(chainId)
                .setAccountNumber(accountNumber).build().toByteArray();
    }

    public static byte[] txRawBytes(byte[] bodyBytes, byte[] authInfoBytes, byte[] signature) {
        return TxRaw.newBuilder().setBodyBytes(ByteString.copyFrom(bodyBytes))
                .setAuthInfoBytes(ByteString.copyFrom(authInfoBytes)).addSignatures(ByteString.copyFrom(signature))
                .build().toByteArray();
    }

    /** Builds, signs and encodes a transaction without a timeout height. */
    public static SignedTx sign(CosmosSigner signer, String chainId, long accountNumber, long sequence,
            List<Any> messages, String memo, TxFee fee) {
        return sign(signer, chainId, accountNumber, sequence, messages, memo, fee, 0);
    }

    /**
     * Builds, signs and encodes a transaction that no block above {@code timeoutHeight} may include (0 = none):
     * once the chain is past it, "not found" means "never".
     */
    public static SignedTx sign(CosmosSigner signer, String chainId, long accountNumber, long sequence,
            List<Any> messages, String memo, TxFee fee, long timeoutHeight) {
        if (chainId == null || chainId.isEmpty()) throw new IllegalArgumentException("chain id is missing");
        if (accountNumber < 0 || sequence < 0) throw new IllegalArgumentException("account number/sequence must be >= 0");
        if (timeoutHeight < 0) throw new IllegalArgumentException("timeout height must be >= 0");
        byte[] body = bodyBytes(messages, memo, timeoutHeight);
        byte[] auth = authInfoBytes(signer.publicKey(), sequence, fee);
        byte[] doc = signDocBytes(body, auth, chainId, accountNumber);
        return new SignedTx(txRawBytes(body, auth, signer.sign(doc)), doc, sequence);
    }

    /**
     * The transaction to simulate: the real body, the real signer info and a placeholder 64-byte signature, and
     * a token fee of one unit of the fee denom. cosmjs simulates with an empty fee and no signature, which leaves
     * the fee deduction and the signature bytes out of the estimate; with them in, the simulated gas covers what
     * the signed tx will use. Simulation skips signature verification but checks the sequence.
     */
    public static byte[] simulationTx(byte[] publicKey, long sequence, List<Any> messages, String memo, String feeDenom) {
        return simulationTx(publicKey, sequence, messages, memo, feeDenom, 0);
    }

    /**
     * As {@link #simulationTx(byte[], long, List, String, String)} with a timeout height in the body: at least as many
     * bytes as the signed transaction's, so the simulation meters no fewer bytes than will be sent.
     */
    public static byte[] simulationTx(byte[] publicKey, long sequence, List<Any> messages, String memo, String feeDenom,
            long timeoutHeight) {
        byte[] body = bodyBytes(messages, memo, timeoutHeight);
        byte[] auth = authInfoBytes(publicKey, sequence, new TxFee(feeDenom, java.math.BigInteger.ONE, SIMULATION_GAS_LIMIT));
        return txRawBytes(body, auth, new byte[64]);
    }

    /** Gas limit written into the simulated tx (the node meters simulation without a limit). */
    static final long SIMULATION_GAS_LIMIT = 10_000_000L;
}
