package io.evmore.devnet.chain;

import static io.evmore.devnet.chain.CosmosChain.MAX_MEMO_CHARS;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.evmore.devnet.chain.TxRunner.Mode;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.crypto.Secp256k1;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.devnet.wasm.WasmModule;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.bank.v1beta1.MsgSend;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmos.crypto.secp256k1.PubKey;
import io.evmore.proto.cosmos.tx.signing.v1beta1.SignMode;
import io.evmore.proto.cosmos.tx.v1beta1.SignDoc;
import io.evmore.proto.cosmos.tx.v1beta1.SignerInfo;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContract;
import io.evmore.proto.ibc.applications.transfer.v1.MsgTransfer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The SDK's ante sequence for one tx, in its order: ValidateBasic (each message's own checks too), timeout height,
 * memo, tx-size gas, fee deduction (with the minimum gas price in CheckTx), public keys, signature gas and
 * verification (SIGN_MODE_DIRECT), sequence increment. Its errors are the SDK's codes and texts. Holds no state;
 * runs inside the chain's monitor on the ante's cache.
 */
final class AnteHandler {
    static final long TX_SIZE_COST_PER_BYTE = 10;
    static final long SIG_VERIFY_COST_SECP256K1 = 1000;

    private final ChainSpec spec;
    private final TransferModule transfer;

    AnteHandler(ChainSpec spec, TransferModule transfer) {
        this.spec = spec;
        this.transfer = transfer;
    }

    void run(DecodedTx tx, Mode mode, CacheKv anteCache, GasMeter meter, long height, List<Event> events) {
        ChainState st = new ChainState(new GasKv(anteCache, meter), spec.prefix());
        var fee = tx.authInfo().getFee();
        // ValidateBasic
        if (mode != Mode.SIMULATE && fee.getGasLimit() == 0) {
            throw SdkException.sdk(41, "must provide positive gas: invalid gas limit");
        }
        if (tx.msgs().isEmpty()) {
            throw SdkException.sdk(18, "must contain at least one message: invalid request");
        }
        for (Message m : tx.msgs()) {
            validateBasic(m);
        }
        Coins.validate(fee.getAmountList(), true);
        if (tx.raw().getSignaturesCount() == 0) {
            throw SdkException.sdk(15, "no signatures supplied");
        }
        if (tx.raw().getSignaturesCount() != tx.signers().size()) {
            throw SdkException.sdk(4, "wrong number of signatures; expected " + tx.signers().size() + ", got "
                    + tx.raw().getSignaturesCount() + ": unauthorized");
        }
        if (tx.authInfo().getSignerInfosCount() != tx.signers().size()) {
            throw SdkException.sdk(4, "wrong number of signers; expected " + tx.signers().size() + ", got "
                    + tx.authInfo().getSignerInfosCount() + ": unauthorized");
        }
        // TxTimeoutHeight
        long timeoutHeight = tx.body().getTimeoutHeight();
        if (timeoutHeight > 0 && height > timeoutHeight) {
            throw SdkException.sdk(30, "block height: " + height + ", timeout height: " + timeoutHeight + ": tx timeout height");
        }
        // ValidateMemo
        int memoChars = tx.body().getMemo().codePointCount(0, tx.body().getMemo().length());
        if (memoChars > MAX_MEMO_CHARS) {
            throw SdkException.sdk(12, "maximum number of characters is " + MAX_MEMO_CHARS + " but received "
                    + memoChars + " characters: memo too large");
        }
        // ConsumeGasForTxSize (simulation adds what the missing signatures would cost)
        meter.consume(TX_SIZE_COST_PER_BYTE * tx.bytes().length, "txSize");
        if (mode == Mode.SIMULATE) {
            for (var sig : tx.raw().getSignaturesList()) {
                if (sig.isEmpty()) {
                    // a 64-byte signature plus the fee coin and gas limit the signed tx will carry
                    meter.consume(TX_SIZE_COST_PER_BYTE * 100, "txSize");
                }
            }
        }
        // DeductFee
        String payer = fee.getPayer().isEmpty() ? tx.signers().getFirst() : fee.getPayer();
        if (st.account(payer) == null) {
            throw SdkException.sdk(9, "fee payer address: " + payer + " does not exist: unknown address");
        }
        if (mode == Mode.CHECK && spec.minGasPrice().signum() > 0) {
            BigInteger required = spec.minGasPrice().multiply(BigDecimal.valueOf(fee.getGasLimit()))
                    .setScale(0, RoundingMode.CEILING).toBigIntegerExact();
            BigInteger got = BigInteger.ZERO;
            for (Coin c : fee.getAmountList()) {
                if (c.getDenom().equals(spec.denom())) {
                    got = Coins.amount(c);
                }
            }
            if (got.compareTo(required) < 0) {
                throw SdkException.sdk(13, "insufficient fees; got: " + Coins.format(fee.getAmountList())
                        + " required: " + required + spec.denom() + ": insufficient fee");
            }
        }
        if (mode == Mode.SIMULATE && fee.getAmountList().isEmpty()) {
            // cosmjs simulates with an empty fee; charge the gas of the fee transfer the real tx will make
            ChainState scratch = new ChainState(new GasKv(new CacheKv(anteCache), meter), spec.prefix());
            try {
                scratch.send(payer, scratch.moduleAddress("fee_collector"), List.of(Coins.coin(spec.denom(), BigInteger.ONE)), new ArrayList<>());
            } catch (SdkException ignored) {
                // payer cannot pay even 1: the real tx will fail in CheckTx anyway
            }
        }
        if (!fee.getAmountList().isEmpty()) {
            try {
                st.send(payer, st.moduleAddress("fee_collector"), fee.getAmountList(), events);
            } catch (SdkException e) {
                throw SdkException.sdk(5, e.log() + ": insufficient funds");
            }
        }
        events.add(Event.of("tx", "fee", Coins.format(fee.getAmountList()), "fee_payer", payer));
        // SetPubKey
        List<BaseAccount> accounts = new ArrayList<>();
        List<byte[]> pubKeys = new ArrayList<>();
        for (int i = 0; i < tx.signers().size(); i++) {
            String signer = tx.signers().get(i);
            SignerInfo si = tx.authInfo().getSignerInfos(i);
            BaseAccount acc = st.account(signer);
            if (acc == null) {
                throw SdkException.sdk(9, "account " + signer + " does not exist: unknown address");
            }
            byte[] pk = null;
            if (si.hasPublicKey()) {
                pk = decodePubKey(si.getPublicKey());
                byte[] addr = AddressDerivation.accountAddress(pk);
                if (!Arrays.equals(addr, Bech32Address.decode(signer, spec.prefix()))) {
                    throw SdkException.sdk(8, "pubKey does not match signer address " + signer + " with signer index: "
                            + i + ": invalid pubkey");
                }
                if (!acc.hasPubKey()) {
                    acc = acc.toBuilder().setPubKey(ChainState.pubKeyAny(pk)).build();
                    st.setAccount(acc);
                }
            } else if (acc.hasPubKey()) {
                pk = decodePubKey(acc.getPubKey());
            } else if (mode != Mode.SIMULATE) {
                throw SdkException.sdk(8, "pubkey on account is not set: invalid pubkey");
            }
            accounts.add(acc);
            pubKeys.add(pk);
        }
        for (int i = 0; i < accounts.size(); i++) {
            events.add(Event.of("tx", "acc_seq", tx.signers().get(i) + "/" + tx.authInfo().getSignerInfos(i).getSequence()));
        }
        for (var sig : tx.raw().getSignaturesList()) {
            events.add(Event.of("tx", "signature", java.util.Base64.getEncoder().encodeToString(sig.toByteArray())));
        }
        // SigGasConsume
        for (int i = 0; i < accounts.size(); i++) {
            meter.consume(SIG_VERIFY_COST_SECP256K1, "ante verify: secp256k1");
        }
        // SigVerification
        for (int i = 0; i < accounts.size(); i++) {
            BaseAccount acc = accounts.get(i);
            SignerInfo si = tx.authInfo().getSignerInfos(i);
            if (si.getSequence() != acc.getSequence()) {
                throw SdkException.sdk(32, "account sequence mismatch, expected " + acc.getSequence() + ", got "
                        + si.getSequence() + ": incorrect account sequence");
            }
            if (mode == Mode.SIMULATE) {
                continue;
            }
            boolean direct = si.getModeInfo().hasSingle() && si.getModeInfo().getSingle().getMode() == SignMode.SIGN_MODE_DIRECT;
            byte[] signBytes = SignDoc.newBuilder().setBodyBytes(tx.raw().getBodyBytes())
                    .setAuthInfoBytes(tx.raw().getAuthInfoBytes()).setChainId(spec.chainId())
                    .setAccountNumber(acc.getAccountNumber()).build().toByteArray();
            if (!direct || !Secp256k1.verify(pubKeys.get(i), signBytes, tx.raw().getSignatures(i).toByteArray())) {
                throw SdkException.sdk(4, "signature verification failed; please verify account number ("
                        + acc.getAccountNumber() + ") and chain-id (" + spec.chainId()
                        + "): (unable to verify single signer signature): unauthorized");
            }
        }
        // IncrementSequence
        for (BaseAccount acc : accounts) {
            BaseAccount fresh = st.account(acc.getAddress());
            st.setAccount(fresh.toBuilder().setSequence(fresh.getSequence() + 1).build());
        }
    }

    private static byte[] decodePubKey(Any any) {
        if (!any.getTypeUrl().equals("/cosmos.crypto.secp256k1.PubKey")) {
            throw SdkException.sdk(8, "unsupported public key type " + any.getTypeUrl() + ": invalid pubkey");
        }
        try {
            byte[] key = PubKey.parseFrom(any.getValue()).getKey().toByteArray();
            if (key.length != 33) {
                throw SdkException.sdk(8, "secp256k1 public key must be 33 bytes, got " + key.length + ": invalid pubkey");
            }
            return key;
        } catch (InvalidProtocolBufferException e) {
            throw SdkException.sdk(8, "malformed secp256k1 public key: invalid pubkey");
        }
    }

    private void requireAddress(String address, String what) {
        try {
            Bech32Address.decode(address, spec.prefix());
        } catch (IllegalArgumentException e) {
            throw SdkException.sdk(7, "invalid " + what + " address: " + e.getMessage() + ": invalid address");
        }
    }

    private void validateBasic(Message m) {
        if (m instanceof MsgSend s) {
            requireAddress(s.getFromAddress(), "from");
            requireAddress(s.getToAddress(), "to");
            Coins.validate(s.getAmountList(), false);
        } else if (m instanceof MsgExecuteContract e) {
            requireAddress(e.getSender(), "sender");
            requireAddress(e.getContract(), "contract");
            Coins.validate(e.getFundsList(), true);
            try {
                var node = WasmModule.JSON.readTree(e.getMsg().toByteArray());
                if (node == null || !node.isObject()) {
                    throw new IllegalArgumentException();
                }
            } catch (Exception ex) {
                throw new SdkException(2, "wasm", "msg must be json: invalid");
            }
        } else if (m instanceof MsgTransfer t) {
            requireAddress(t.getSender(), "sender");
            transfer.validateBasic(t);
        }
    }
}
