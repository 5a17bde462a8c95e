package io.evmore.cosmos;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.HtlcChain;
import io.evmore.core.chain.HtlcRecord;
import io.evmore.core.chain.LockRequest;
import io.evmore.core.chain.Reconciliation;
import io.evmore.core.chain.TxJournal;
import io.evmore.core.chain.TxResult;
import io.evmore.core.error.PermanentException;
import io.evmore.core.error.TransientException;
import io.evmore.core.swap.Hashlock;
import io.evmore.core.swap.Secret;
import io.evmore.core.swap.TxIntent;
import io.evmore.cosmos.key.Bech32Address;
import io.evmore.cosmos.rpc.AbciEvent;
import io.evmore.cosmos.rpc.CometRpcClient;
import io.evmore.cosmos.rpc.CometTypes.IndexedTx;
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.rpc.PooledCometTransport;
import io.evmore.cosmos.tx.AccountSequencer.AccountState;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The CosmWasm HTLC contract on one chain: create_htlc / withdraw / refund / get_htlc / list_htlcs, intent-first
 * (every signed tx goes to the {@link TxJournal} before its broadcast, with a {@code timeout_height}) and
 * reconciled from the chain after a crash or a lost answer ({@link #reconcile}).
 */
public final class CosmWasmHtlcChain implements HtlcChain {
    private static final Pattern HTLC_ID = Pattern.compile("htlc_[1-9][0-9]{0,18}");
    private static final Pattern TX_HASH = Pattern.compile("[0-9A-Fa-f]{64}");
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
    public String contract() {
        return settings.contract();
    }

    /** {@code create_htlc} with the amount as funds; {@code journal} sees every signed tx before its broadcast. */
    @Override
    public TxResult lock(LockRequest r, TxJournal journal) {
        requireAddress(r.receiver(), "receiver");
        if (!r.asset().matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new PermanentException("invalid denom '" + r.asset() + "' for a lock on " + chain());
        }
        String msg = HtlcMessages.write(HtlcMessages.createHtlc(r.receiver(), r.hashlock(), r.timelock(),
                r.targetChain(), r.targetAddress(), null));
        TxOutcome out = submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(),
                msg, CosmosMessages.coin(r.asset(), r.amount()))), "", journal);
        return new TxResult(chain(), out.hash(), out.height(), createdHtlcId(out));
    }

    /** {@code withdraw} (anyone may call; pays the receiver). */
    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
        requireId(htlcId);
        if (secret == null) throw new PermanentException("claim of " + htlcId + " without a secret");
        TxOutcome out = execute(HtlcMessages.withdraw(htlcId, secret), journal);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    /** {@code refund} (after the timelock; pays the refund address). */
    @Override
    public TxResult refund(String htlcId, TxJournal journal) {
        requireId(htlcId);
        TxOutcome out = execute(HtlcMessages.refund(htlcId), journal);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    /**
     * What became of the intent's transactions, from the chain alone (one endpoint answers all lookups, so height,
     * account and tx index are one node's view):
     * <ol>
     * <li>one of its hashes is included: {@code Landed} (with the created HTLC id for a create) or {@code Reverted};
     * <li>no hashes: {@code NeverLanded} (never signed);
     * <li>none found and the chain is past the timeout height, or the account's sequence is past the intent's:
     *     {@code NeverLanded} — no block can include them any more;
     * <li>otherwise the journaled bytes (if any) are re-broadcast unchanged and the answer is {@code Undecided}.
     * </ol>
     * "Past" is judged one block behind the latest ({@value #INDEX_MARGIN_BLOCKS}): CometBFT indexes a block's
     * transactions just after committing it, so a tx in the very latest block may not be findable by hash yet.
     */
    @Override
    public Reconciliation reconcile(TxIntent intent) {
        if (!intent.chain().equals(chain())) {
            throw new PermanentException("intent " + intent.id() + " is for " + intent.chain() + ", not " + chain());
        }
        List<String> hashes = intent.hashes();
        if (hashes.isEmpty()) return new Reconciliation.NeverLanded("never signed");
        for (String h : hashes) {
            if (h == null || !TX_HASH.matcher(h).matches()) {
                throw new PermanentException("intent " + intent.id() + " has a malformed Cosmos tx hash");
            }
        }
        String relayer = relayerAddress();
        Seen seen = queries.rpc().transport().execute(c -> {
            CometRpcClient one = new CometRpcClient(PooledCometTransport.direct(c));
            long latest = one.status().latestHeight();
            long settled = latest - INDEX_MARGIN_BLOCKS;
            long sequence = -1;
            if (intent.nonce() >= 0 && settled >= 1) {
                sequence = new CosmosQueries(one).account(relayer, settled).map(AccountState::sequence).orElse(-1L);
            }
            for (String h : hashes) {
                Optional<IndexedTx> t = one.tx(h);
                if (t.isPresent()) return new Seen(latest, settled, sequence, t.get());
            }
            return new Seen(latest, settled, sequence, null);
        });
        if (seen.tx() != null) {
            IndexedTx t = seen.tx();
            if (!t.result().ok()) {
                return new Reconciliation.Reverted(t.hash(), CosmosTxSubmitter.reverted(t.hash(), t.result()).getMessage());
            }
            TxOutcome out = new TxOutcome(t.hash(), t.height(), t.result());
            return new Reconciliation.Landed(new TxResult(chain(), t.hash(), t.height(), htlcIdOf(out)));
        }
        if (intent.timeoutHeight() > 0 && seen.settled() > intent.timeoutHeight()) {
            return new Reconciliation.NeverLanded("not included and the chain is past its timeout height "
                    + intent.timeoutHeight() + " (latest " + seen.latest() + ")");
        }
        if (intent.nonce() >= 0 && seen.sequence() > intent.nonce()) {
            return new Reconciliation.NeverLanded("sequence " + intent.nonce()
                    + " used by another transaction (account sequence " + seen.sequence() + " at height "
                    + seen.settled() + ")");
        }
        if (intent.rawTx() == null || intent.rawTx().isEmpty()) {
            return new Reconciliation.Undecided("not found at height " + seen.latest() + " and no signed bytes to re-broadcast");
        }
        byte[] raw;
        try {
            raw = HexFormat.of().parseHex(intent.rawTx());
        } catch (IllegalArgumentException e) {
            throw new PermanentException("intent " + intent.id() + " has a malformed raw tx (not hex)");
        }
        // Only bytes whose hash the intent tracks may go out again, or a landing could go unnoticed.
        String rawHash = sha256Hex(raw);
        if (hashes.stream().noneMatch(rawHash::equalsIgnoreCase)) {
            throw new PermanentException("intent " + intent.id() + ": its raw tx hashes to none of its tx hashes");
        }
        CosmosTxSubmitter.Rebroadcast r = submitter.rebroadcast(raw);
        return new Reconciliation.Undecided("not found at height " + seen.latest() + "; " + r.detail());
    }

    private static String sha256Hex(byte[] b) {
        try {
            return HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One endpoint's view for {@link #reconcile}: latest and settled height, account sequence at settled, the tx. */
    private record Seen(long latest, long settled, long sequence, IndexedTx tx) {}

    /** Blocks behind the latest at which "not found" is trusted (the node's tx indexer trails its commits). */
    static final long INDEX_MARGIN_BLOCKS = 1;

    /** The HTLC a landed tx created (create_htlc response data) or touched (its wasm event), else null. */
    private String htlcIdOf(TxOutcome out) {
        try {
            return createdHtlcId(out);
        } catch (TransientException e) {
            for (AbciEvent e2 : out.result().events()) {
                if (e2.type().equals("wasm") && e2.attr("_contract_address").orElse("").equals(settings.contract())) {
                    String id = e2.attr("htlc_id").orElse("");
                    if (HTLC_ID.matcher(id).matches()) return id;
                }
            }
            return null;
        }
    }

    /** The relayer's bank balance of {@code denom}, base units. */
    @Override
    public BigInteger balance(String denom) {
        if (denom == null || !denom.matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new PermanentException("invalid denom '" + denom + "' for a balance on " + chain());
        }
        return queries.balance(relayerAddress(), denom);
    }

    /** The latest block's header time, unix seconds (what the contract compares timelocks with). */
    @Override
    public long latestBlockTime() {
        return queries.rpc().status().latestBlockTime().getEpochSecond();
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

    private TxOutcome execute(String msg, TxJournal journal) {
        return submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(), msg)), "",
                journal);
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
