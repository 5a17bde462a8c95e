package io.evmore.cosmos;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import io.evmore.core.chain.ChainId;
import io.evmore.core.chain.FeeBid;
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
import io.evmore.cosmos.rpc.CosmosQueries;
import io.evmore.cosmos.tx.CosmosMessages;
import io.evmore.cosmos.tx.CosmosTxSubmitter;
import io.evmore.cosmos.tx.TxOutcome;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CosmWasm HTLC contract on one chain: create_htlc / withdraw / refund / get_htlc / list_htlcs, intent-first
 * (every signed tx goes to the {@link TxJournal} before its broadcast, with a {@code timeout_height}) and
 * reconciled from the chain after a crash or a lost answer ({@link #reconcile}).
 *
 * <p><b>Fees.</b> {@link #lock(LockRequest, TxJournal, FeeBid)}, {@link #claim(String, Secret, TxJournal, FeeBid)} and
 * {@link #refund(String, TxJournal, FeeBid)} pay the gas price of the bid's level:
 * {@code min(gasPrice × 1.5^level, CosmosSettings.maxGasPrice)} (level 0 = the configured gas price; the cap defaults
 * to 10 × it). A Cosmos mempool cannot replace a pending transaction (no replace-by-fee, a sequence is taken until the
 * transaction is included or expires), so {@link #speedUp} keeps the port's default ({@code false}): the engine waits
 * until the chain passes the pending transaction's {@code timeout_height}, {@link #reconcile} then proves it
 * {@code NeverLanded}, and the action is sent anew at a higher level.
 *
 * <p><b>Finality.</b> CometBFT is final at one block: {@link #queryConfirmed} and {@link #confirmedBlockTime} keep the
 * port's defaults (the latest state, the latest block's time), which are the confirmed ones here.
 *
 * <p><b>Secrets.</b> {@link #query} carries a withdrawn HTLC's revealed secret; {@link #revealedSecret} also searches
 * the tx index for any withdraw with the hashlock.
 */
public final class CosmWasmHtlcChain implements HtlcChain {
    private static final Pattern HTLC_ID = Pattern.compile("htlc_[1-9][0-9]{0,18}");
    private static final Pattern SECRET = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Logger log = LoggerFactory.getLogger(CosmWasmHtlcChain.class);
    /** At most this many pages of 100 withdraws are read when searching a hashlock's secret. */
    static final int SECRET_SEARCH_PAGES = 10;
    private final CosmosSettings settings;
    private final CosmosTxSubmitter submitter;
    private final CosmosQueries queries;
    private final IntentReconciler reconciler;

    public CosmWasmHtlcChain(CosmosSettings settings, CosmosTxSubmitter submitter, CosmosQueries queries) {
        this.settings = settings;
        this.submitter = submitter;
        this.queries = queries;
        this.reconciler = new IntentReconciler(settings.chainId(), submitter, queries, settings.timeoutBlocks());
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
        return lock(r, journal, FeeBid.NORMAL);
    }

    /** {@link #lock(LockRequest, TxJournal)} at the gas price of {@code fee}'s level (see the class comment). */
    @Override
    public TxResult lock(LockRequest r, TxJournal journal, FeeBid fee) {
        requireAddress(r.receiver(), "receiver");
        if (!r.asset().matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
            throw new PermanentException("invalid denom '" + r.asset() + "' for a lock on " + chain());
        }
        String msg = HtlcMessages.write(HtlcMessages.createHtlc(r.receiver(), r.hashlock(), r.timelock(),
                r.targetChain(), r.targetAddress(), null));
        TxOutcome out = submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(),
                msg, CosmosMessages.coin(r.asset(), r.amount()))), "", journal, level(fee));
        return new TxResult(chain(), out.hash(), out.height(), createdHtlcId(out));
    }

    /** {@code withdraw} (anyone may call; pays the receiver). */
    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal) {
        return claim(htlcId, secret, journal, FeeBid.NORMAL);
    }

    /** {@link #claim(String, Secret, TxJournal)} at the gas price of {@code fee}'s level. */
    @Override
    public TxResult claim(String htlcId, Secret secret, TxJournal journal, FeeBid fee) {
        requireId(htlcId);
        if (secret == null) throw new PermanentException("claim of " + htlcId + " without a secret");
        TxOutcome out = execute(HtlcMessages.withdraw(htlcId, secret), journal, fee);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    /** {@code refund} (after the timelock; pays the refund address). */
    @Override
    public TxResult refund(String htlcId, TxJournal journal) {
        return refund(htlcId, journal, FeeBid.NORMAL);
    }

    /** {@link #refund(String, TxJournal)} at the gas price of {@code fee}'s level. */
    @Override
    public TxResult refund(String htlcId, TxJournal journal, FeeBid fee) {
        requireId(htlcId);
        TxOutcome out = execute(HtlcMessages.refund(htlcId), journal, fee);
        return new TxResult(chain(), out.hash(), out.height(), htlcId);
    }

    private static int level(FeeBid fee) {
        return fee == null ? 0 : fee.level();
    }

    /**
     * What became of the intent's transactions, from the chain alone: the decisions of {@link IntentReconciler}
     * (by hash, account sequence and timeout height; journaled bytes re-broadcast while undecided), a landed one
     * carrying the created HTLC id for a create.
     */
    @Override
    public Reconciliation reconcile(TxIntent intent) {
        return reconciler.reconcile(intent, out -> new TxResult(chain(), out.hash(), out.height(), htlcIdOf(out)));
    }

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

    /**
     * A preimage of {@code hashlock} this chain made public. With {@code htlcId}: {@code get_htlc}'s {@code secret} of
     * that HTLC (once withdrawn). Without one, or when that gives none: the tx index, for any {@code withdraw} on the
     * configured contract with this hashlock —
     * {@code tx_search "wasm._contract_address='<contract>' AND wasm.method='withdraw' AND wasm.hashlock='<hex>'"}
     * (and {@code tx.height>=fromHeight} when known), its {@code wasm} event's {@code secret} attribute — which also
     * finds an HTLC the relayer did not create itself (a multi-hop HTLC made over IBC, a look-alike the user claimed).
     * Every answer is checked: sha256(secret) must be the hashlock. Empty when none is visible or the node cannot be
     * asked (never throws for an unreachable node). Secrets are never logged.
     */
    @Override
    public Optional<Secret> revealedSecret(Hashlock hashlock, String htlcId, long fromHeight) {
        if (hashlock == null) return Optional.empty();
        if (htlcId != null) {
            try {
                Optional<Secret> s = query(htlcId).map(HtlcRecord::secret).filter(x -> x.opens(hashlock));
                if (s.isPresent()) return s;
            } catch (RuntimeException e) {
                log.debug("{}: get_htlc {} for its secret failed: {}", chain(), htlcId, e.getMessage());
            }
        }
        try {
            return withdrawnSecret(hashlock, Math.max(0, fromHeight));
        } catch (RuntimeException e) {
            log.debug("{}: searching the withdraws of hashlock {} failed: {}", chain(), hashlock.hex(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Every HTLC of the configured contract created with {@code hashlock} (by a transaction of anyone's, or by a packet
     * arriving over IBC whose hooks memo ran {@code create_htlc}), found through the tx index of its {@code create_htlc}
     * event and read again with {@code get_htlc}. Empty when the node cannot say (never throws).
     */
    @Override
    public List<HtlcRecord> htlcsWithHashlock(Hashlock hashlock) {
        if (hashlock == null) return List.of();
        try {
            return searchHashlock(hashlock);
        } catch (RuntimeException e) {
            log.debug("{}: searching the HTLCs of hashlock {} failed: {}", chain(), hashlock.hex(), e.getMessage());
            return List.of();
        }
    }

    /**
     * The relayer's own HTLCs with {@code hashlock} ({@link #htlcsWithHashlock}'s search, by the tx index of
     * {@code create_htlc}, kept where the sender is the relayer). Throws when the node cannot be searched now. A node
     * whose index leaves out the {@code wasm} event keys answers none: this is the engine's last look, not its only one.
     */
    @Override
    public List<HtlcRecord> relayerLocksWithHashlock(Hashlock hashlock, long fromHeight, long toAtLeast) {
        java.util.Objects.requireNonNull(hashlock, "hashlock");
        return searchHashlock(hashlock).stream().filter(h -> h.sender().equals(relayerAddress())).toList();
    }

    private List<HtlcRecord> searchHashlock(Hashlock hashlock) {
        java.util.Set<String> ids = new java.util.LinkedHashSet<>();
        String q = createQuery(hashlock);
        for (int page = 1; page <= SECRET_SEARCH_PAGES; page++) {
            var p = queries.rpc().txSearch(q, page, 100, true);
            for (var t : p.txs()) {
                if (!t.result().ok()) continue;
                for (AbciEvent e : t.result().events()) {
                    if (!e.type().equals("wasm") || !e.attr("_contract_address").orElse("").equals(settings.contract())
                            || !e.attr("method").orElse("").equals("create_htlc")) {
                        continue;
                    }
                    String id = e.attr("htlc_id").orElse("");
                    String lock = e.attr("hashlock").orElse("");
                    if (HTLC_ID.matcher(id).matches() && SECRET.matcher(lock).matches() && Hashlock.fromHex(lock).equals(hashlock)) {
                        ids.add(id);
                    }
                }
            }
            if ((long) page * 100 >= p.totalCount() || p.txs().isEmpty()) break;
        }
        List<HtlcRecord> out = new ArrayList<>();
        for (String id : ids) query(id).filter(h -> h.hashlock().equals(hashlock)).ifPresent(out::add);
        return out;
    }

    /** The tx_search query for HTLCs created with {@code hashlock} on the configured contract. */
    String createQuery(Hashlock hashlock) {
        return "wasm._contract_address='" + settings.contract() + "' AND wasm.method='create_htlc' AND wasm.hashlock='"
                + hashlock.hex() + "'";
    }

    /** The tx_search query for successful withdraws with {@code hashlock} on the configured contract. */
    String withdrawQuery(Hashlock hashlock, long fromHeight) {
        return "wasm._contract_address='" + settings.contract() + "' AND wasm.method='withdraw' AND wasm.hashlock='"
                + hashlock.hex() + "'" + (fromHeight > 0 ? " AND tx.height>=" + fromHeight : "");
    }

    private Optional<Secret> withdrawnSecret(Hashlock hashlock, long fromHeight) {
        String q = withdrawQuery(hashlock, fromHeight);
        for (int page = 1; page <= SECRET_SEARCH_PAGES; page++) {
            var p = queries.rpc().txSearch(q, page, 100, true);
            for (var t : p.txs()) {
                if (!t.result().ok()) continue;
                for (AbciEvent e : t.result().events()) {
                    Optional<Secret> s = secretIn(e, hashlock);
                    if (s.isPresent()) return s;
                }
            }
            if ((long) page * 100 >= p.totalCount() || p.txs().isEmpty()) break;
        }
        return Optional.empty();
    }

    /** The secret of a {@code withdraw} event of the configured contract for {@code hashlock}, if it opens it. */
    private Optional<Secret> secretIn(AbciEvent e, Hashlock hashlock) {
        if (!e.type().equals("wasm") || !e.attr("_contract_address").orElse("").equals(settings.contract())
                || !e.attr("method").orElse("").equals("withdraw")) {
            return Optional.empty();
        }
        String lock = e.attr("hashlock").orElse("");
        String secret = e.attr("secret").orElse("");
        if (!SECRET.matcher(lock).matches() || !Hashlock.fromHex(lock).equals(hashlock) || !SECRET.matcher(secret).matches()) {
            return Optional.empty();
        }
        Secret s = Secret.fromHex(secret);
        return s.opens(hashlock) ? Optional.of(s) : Optional.empty();
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

    private TxOutcome execute(String msg, TxJournal journal, FeeBid fee) {
        return submitter.submit(List.of(CosmosMessages.executeContract(relayerAddress(), settings.contract(), msg)), "",
                journal, level(fee));
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
            String refund = n.path("refund_address").asText("");
            if (!refund.isEmpty() && !Bech32Address.isValid(refund, settings.prefix())) {
                throw new IllegalArgumentException("refund_address is not a " + settings.prefix() + " address");
            }
            for (String key : new String[] {"sender", "receiver"}) {
                if (!Bech32Address.isValid(field(n, key), settings.prefix())) {
                    throw new IllegalArgumentException(key + " is not a " + settings.prefix() + " address");
                }
            }
            if (!field(n, "denom").matches("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}")) {
                throw new IllegalArgumentException("denom is not a valid denom");
            }
            Hashlock hashlock = Hashlock.fromHex(field(n, "hashlock"));
            Secret secret = secretOf(n, status, hashlock);
            return new HtlcRecord(chain(), id, field(n, "sender"), field(n, "receiver"), field(n, "denom"),
                    new BigInteger(amount), hashlock, tl.asLong(),
                    n.path("target_chain").asText(""), n.path("target_address").asText(""), status, refund, secret);
        } catch (IllegalArgumentException e) {
            throw new TransientException("malformed HTLC from contract " + settings.contract() + ": " + e.getMessage());
        }
    }

    /**
     * The contract's {@code secret}: null (or absent) until the HTLC is withdrawn, then 64 lowercase hex characters that
     * open the hashlock. Anything else is malformed chain input; the message never echoes the value.
     */
    private static Secret secretOf(JsonNode n, HtlcRecord.Status status, Hashlock hashlock) {
        JsonNode v = n.get("secret");
        if (v == null || v.isNull()) return null;
        if (!v.isTextual() || !SECRET.matcher(v.asText()).matches()) {
            throw new IllegalArgumentException("secret is not 64 hex characters");
        }
        if (status != HtlcRecord.Status.CLAIMED) throw new IllegalArgumentException("secret on an HTLC that is not withdrawn");
        Secret secret = Secret.fromHex(v.asText());
        if (!secret.opens(hashlock)) throw new IllegalArgumentException("secret does not open its hashlock");
        return secret;
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
