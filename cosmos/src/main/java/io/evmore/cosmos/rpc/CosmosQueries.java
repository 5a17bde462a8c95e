package io.evmore.cosmos.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.cosmos.ChainText;
import io.evmore.cosmos.tx.AccountSequencer.AccountState;
import io.evmore.cosmos.tx.CosmosErrors;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountRequest;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountResponse;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceResponse;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateRequest;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateResponse;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateResponse;
import io.evmore.proto.ibc.applications.transfer.v1.DenomTrace;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceRequest;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** gRPC-over-ABCI queries (COSMOS_WIRE §2): account, balance, simulate, smart contract state, denom trace. */
public final class CosmosQueries {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE_ACCOUNT = "/cosmos.auth.v1beta1.BaseAccount";
    private final CometRpcClient rpc;

    public CosmosQueries(CometRpcClient rpc) {
        this.rpc = rpc;
    }

    public CometRpcClient rpc() {
        return rpc;
    }

    /** Thrown when a smart query fails in the contract (e.g. "htlc htlc_9 not found"). */
    public static final class ContractQueryException extends PermanentException {
        private final String log;

        public ContractQueryException(String message, String log) {
            super(message);
            this.log = log;
        }

        public String log() {
            return log;
        }
    }

    public Optional<AccountState> account(String address) {
        return account(address, 0);
    }

    /** The account as committed at {@code height} (0 = latest). */
    public Optional<AccountState> account(String address, long height) {
        var r = rpc.abciQuery("/cosmos.auth.v1beta1.Query/Account",
                QueryAccountRequest.newBuilder().setAddress(address).build().toByteArray(), height);
        if (r.code() == 22 || (!r.ok() && r.log().contains("not found"))) return Optional.empty();
        if (!r.ok()) {
            throw new TransientException("account query for " + address + " failed: code " + r.code() + " "
                    + ChainText.bounded(r.log(), 500));
        }
        try {
            Any any = QueryAccountResponse.parseFrom(r.value()).getAccount();
            if (!any.getTypeUrl().equals(BASE_ACCOUNT)) {
                throw new PermanentException("account " + address + " has unsupported type " + any.getTypeUrl());
            }
            BaseAccount acc = BaseAccount.parseFrom(any.getValue());
            if (!acc.getAddress().equals(address)) {
                throw new TransientException("account query for " + address + " answered for " + acc.getAddress());
            }
            return Optional.of(new AccountState(acc.getAccountNumber(), acc.getSequence()));
        } catch (InvalidProtocolBufferException e) {
            throw new TransientException("malformed account answer for " + address + ": " + e.getMessage());
        }
    }

    public AccountState requireAccount(String address) {
        return account(address).orElseThrow(() -> new PermanentException(
                "account " + address + " does not exist on chain (fund it first)"));
    }

    public BigInteger balance(String address, String denom) {
        var r = rpc.abciQuery("/cosmos.bank.v1beta1.Query/Balance",
                QueryBalanceRequest.newBuilder().setAddress(address).setDenom(denom).build().toByteArray(), 0);
        if (!r.ok()) {
            throw new TransientException("balance query failed: code " + r.code() + " " + ChainText.bounded(r.log(), 500));
        }
        try {
            String amount = QueryBalanceResponse.parseFrom(r.value()).getBalance().getAmount();
            return amount.isEmpty() ? BigInteger.ZERO : parseAmount(amount, "balance");
        } catch (InvalidProtocolBufferException e) {
            throw new TransientException("malformed balance answer: " + e.getMessage());
        }
    }

    /** Simulates a transaction; returns gas used. Failures are classified like broadcast failures. */
    public long simulate(byte[] txBytes) {
        var r = rpc.abciQuery("/cosmos.tx.v1beta1.Service/Simulate",
                SimulateRequest.newBuilder().setTxBytes(ByteString.copyFrom(txBytes)).build().toByteArray(), 0);
        // A real node answers every failed simulation as code 6 sdk with the error inside: classified by that.
        if (!r.ok()) throw CosmosErrors.simulationFailure(r.code(), r.codespace(), r.log());
        try {
            long used = SimulateResponse.parseFrom(r.value()).getGasInfo().getGasUsed();
            if (used <= 0) throw new TransientException("simulation reported no gas used");
            return used;
        } catch (InvalidProtocolBufferException e) {
            throw new TransientException("malformed simulation answer: " + e.getMessage());
        }
    }

    /** Smart query; returns the contract's JSON answer. */
    public JsonNode smartQuery(String contract, String queryJson) {
        var r = rpc.abciQuery("/cosmwasm.wasm.v1.Query/SmartContractState",
                QuerySmartContractStateRequest.newBuilder().setAddress(contract)
                        .setQueryData(ByteString.copyFrom(queryJson, StandardCharsets.UTF_8)).build().toByteArray(), 0);
        if (!r.ok()) {
            throw new ContractQueryException("smart query on " + contract + " failed: code " + r.code() + " "
                    + ChainText.bounded(r.log(), 500), r.log());
        }
        try {
            byte[] data = QuerySmartContractStateResponse.parseFrom(r.value()).getData().toByteArray();
            return JSON.readTree(data);
        } catch (IOException e) {
            throw new TransientException("malformed smart query answer from " + contract + ": " + e.getMessage());
        }
    }

    /** ibc-go v8 denom trace of {@code ibc/<HASH>} (pass the hash only). */
    public Optional<DenomTrace> denomTrace(String hash) {
        var r = rpc.abciQuery("/ibc.applications.transfer.v1.Query/DenomTrace",
                QueryDenomTraceRequest.newBuilder().setHash(hash).build().toByteArray(), 0);
        if (!r.ok()) {
            if (r.log().contains("not found")) return Optional.empty();
            throw new TransientException("denom trace query failed: code " + r.code() + " " + ChainText.bounded(r.log(), 500));
        }
        try {
            return Optional.of(QueryDenomTraceResponse.parseFrom(r.value()).getDenomTrace());
        } catch (InvalidProtocolBufferException e) {
            throw new TransientException("malformed denom trace answer: " + e.getMessage());
        }
    }

    /**
     * ibc-go's channel end {@code port}/{@code channelId} at the latest height; empty when the chain has no such
     * channel (gRPC NotFound, answered by the SDK as code 22).
     */
    public Optional<io.evmore.proto.ibc.core.channel.v1.Channel> channel(String port, String channelId) {
        var r = rpc.abciQuery("/ibc.core.channel.v1.Query/Channel",
                io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest.newBuilder().setPortId(port)
                        .setChannelId(channelId).build().toByteArray(), 0);
        if (!r.ok()) {
            if (r.code() == 22 || r.log().contains("channel not found")) return Optional.empty();
            throw new TransientException("channel query for " + port + "/" + channelId + " failed: code " + r.code()
                    + " " + ChainText.bounded(r.log(), 500));
        }
        try {
            var resp = io.evmore.proto.ibc.core.channel.v1.QueryChannelResponse.parseFrom(r.value());
            return resp.hasChannel() ? Optional.of(resp.getChannel()) : Optional.empty();
        } catch (InvalidProtocolBufferException e) {
            throw new TransientException("malformed channel answer for " + port + "/" + channelId + ": " + e.getMessage());
        }
    }

    static BigInteger parseAmount(String s, String what) {
        if (s.isEmpty() || s.length() > 78 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new TransientException("malformed " + what + " amount: " + s);
        }
        return new BigInteger(s);
    }
}
