package io.evmore.cosmos;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.rpc.AbciEvent;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxObserver;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/** The CosmWasm HTLC contract on one chain: create_htlc / withdraw / refund / get_htlc / list_htlcs. */
public final class CosmWasmHtlcChain implements HtlcChain {
    private static final Pattern HTLC_ID = Pattern.compile("htlc_[1-9][0-9]{0,18}");
    private final CosmosSettings settings;
    private final CosmosTxSubmitter submitter;
    private final CosmosQueries queries;

    public CosmWasmHtlcChain(CosmosSettings settings, CosmosTxSubmitter submitter, CosmosQueries queries) {
        this.settings = settings;
        this.submitter = submitter;
        this.queries = queries;
    }

    @Override
    public ChainId chain() {
        return settings.chainId();
    }

    @Override
    public String relayerAddress() {
        return submitter.address();
    }

    @Override
    public TxResult lock(LockRequest r) {
        return lock(r, TxObserver.NONE);
    }

    @Override
    public TxResult claim(String htlcId, Secret secret) {
        return claim(htlcId, secret, TxObserver.NONE);
    }

    @Override
    public TxResult refund(String htlcId) {
        return refund(htlcId, TxObserver.NONE);
    }

    /** {@code create_htlc} with the amount as funds; {@code observer} hears the hash before the broadcast. */
    public TxResult lock(LockRequest r, TxObserver observer) {
        requireAddress(r.receiver(), "receiver");
        if (!r.asset().matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new PermanentException("invalid denom '" + r.asset() + "' for a lock on " + chain());
        }
        String msg = HtlcMessages.write(HtlcMessages.createHtlc(r.receiver(), r.hashlock(), r.timelock(),
                r.targetChain(), r.targetAddress(), null));
        TxOutcome out = submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(),
                msg, CosmosMessages.coin(r.asset(), r.amount()))), "", observer);
        return new TxResult(chain(), out.hash(), out.height(), createdHtlcId(out));
    }

    /** {@code withdraw} (anyone may call; pays the receiver). */
    public TxResult claim(String htlcId, Secret secret, TxObserver observer) {
        requireId(htlcId);
        TxOutcome out = execute(HtlcMessages.withdraw(htlcId, secret), observer);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    /** {@code refund} (after the timelock; pays the refund address). */
    public TxResult refund(String htlcId, TxObserver observer) {
        requireId(htlcId);
        TxOutcome out = execute(HtlcMessages.refund(htlcId), observer);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    /**
     * After a crash: did the transaction with this hash land? Included → its result (with the created HTLC id
     * for a create); failed → its error; unknown to the node → empty (safe to send again).
     */
    public Optional<TxResult> reconcile(String txHash) {
        return submitter.find(txHash).map(out -> new TxResult(chain(), out.hash(), out.height(), htlcIdOf(out)));
    }

    private String htlcIdOf(TxOutcome out) {
        for (AbciEvent e : out.result().events()) {
            if (e.type().equals("wasm") && e.attr("_contract_address").orElse("").equals(settings.contract())) {
                String id = e.attr("htlc_id").orElse("");
                if (HTLC_ID.matcher(id).matches()) return id;
            }
        }
        return null;
    }

    @Override
    public Optional<HtlcRecord> query(String htlcId) {
        requireId(htlcId);
        try {
            return Optional.of(parse(queries.smartQuery(settings.contract(), HtlcMessages.getHtlc(htlcId))));
        } catch (CosmosQueries.ContractQueryException e) {
            if (e.log().contains("htlc " + htlcId + " not found")) return Optional.empty();
            throw e;
        }
    }

    /** One page of HTLCs after {@code startAfter} (null = from the start); the contract clamps limit to 30. */
    public List<HtlcRecord> list(String startAfter, Integer limit) {
        JsonNode r = queries.smartQuery(settings.contract(), HtlcMessages.listHtlcs(startAfter, limit));
        JsonNode arr = r.get("htlcs");
        if (arr == null || !arr.isArray()) throw new TransientException("list_htlcs answer has no htlcs array");
        List<HtlcRecord> out = new ArrayList<>();
        for (JsonNode n : arr) out.add(parse(n));
        return out;
    }

    private TxOutcome execute(String msg, TxObserver observer) {
        return submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(), msg)), "",
                observer);
    }

    /** The id from the contract's response data ({"htlc_id":..}), else from its wasm event. */
    String createdHtlcId(TxOutcome out) {
        try {
            TxMsgData data = TxMsgData.parseFrom(out.result().data());
            for (Any a : data.getMsgResponsesList()) {
                if (a.getTypeUrl().equals("/cosmwasm.wasm.v1.MsgExecuteContractResponse")) {
                    byte[] json = MsgExecuteContractResponse.parseFrom(a.getValue()).getData().toByteArray();
                    if (json.length > 0) {
                        String id = HtlcMessages.JSON.readTree(json).path("htlc_id").asText("");
                        if (HTLC_ID.matcher(id).matches()) return id;
                    }
                }
            }
        } catch (IOException e) {
            // fall back to the event below
        }
        for (AbciEvent e : out.result().events()) {
            if (e.type().equals("wasm") && e.attr("_contract_address").orElse("").equals(settings.contract())
                    && e.attr("method").orElse("").equals("create_htlc")) {
                String id = e.attr("htlc_id").orElse("");
                if (HTLC_ID.matcher(id).matches()) return id;
            }
        }
        throw new TransientException("tx " + out.hash() + " created an HTLC but its id was not found in data or events");
    }

    HtlcRecord parse(JsonNode n) {
        try {
            String id = field(n, "id");
            if (!HTLC_ID.matcher(id).matches()) throw new IllegalArgumentException("id " + id);
            String amount = field(n, "amount");
            if (!amount.matches("[0-9]{1,78}")) throw new IllegalArgumentException("amount " + amount);
            HtlcRecord.Status status = switch (field(n, "state")) {
                case "open" -> HtlcRecord.Status.OPEN;
                case "withdrawn" -> HtlcRecord.Status.CLAIMED;
                case "refunded" -> HtlcRecord.Status.REFUNDED;
                default -> throw new IllegalArgumentException("state " + n.get("state"));
            };
            JsonNode tl = n.get("timelock");
            if (tl == null || !tl.isIntegralNumber() || !tl.canConvertToLong()) {
                throw new IllegalArgumentException("timelock " + tl);
            }
            // What the chain answers is checked like any chain input: addresses of this chain and a sane denom.
            for (String key : new String[] {"sender", "receiver"}) {
                if (!Bech32Address.isValid(field(n, key), settings.prefix())) {
                    throw new IllegalArgumentException(key + " is not a " + settings.prefix() + " address");
                }
            }
            if (!field(n, "denom").matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
                throw new IllegalArgumentException("denom is not a valid denom");
            }
            return new HtlcRecord(chain(), id, field(n, "sender"), field(n, "receiver"), field(n, "denom"),
                    new BigInteger(amount), Hashlock.fromHex(field(n, "hashlock")), tl.asLong(),
                    n.path("target_chain").asText(""), n.path("target_address").asText(""), status);
        } catch (IllegalArgumentException e) {
            throw new TransientException("malformed HTLC from contract " + settings.contract() + ": " + e.getMessage());
        }
    }

    private static String field(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) throw new IllegalArgumentException(name + " missing or not a string");
        return v.asText();
    }

    private void requireAddress(String a, String what) {
        try {
            Bech32Address.parse(a, settings.prefix());
        } catch (IllegalArgumentException e) {
            throw new PermanentException("invalid " + what + " for " + chain() + ": " + e.getMessage());
        }
    }

    private static void requireId(String id) {
        if (id == null || !HTLC_ID.matcher(id).matches()) {
            throw new PermanentException("invalid CosmWasm HTLC id '" + id + "': expected htlc_<n>");
        }
    }
}
