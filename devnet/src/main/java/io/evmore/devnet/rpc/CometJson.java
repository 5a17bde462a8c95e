package io.evmore.devnet.rpc;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.chain.Block;
import io.evmore.devnet.chain.CosmosChain;
import io.evmore.devnet.chain.Event;
import io.evmore.devnet.chain.ExecResult;
import io.evmore.devnet.chain.IndexedTx;
import io.evmore.devnet.chain.QueryResult;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** CometBFT 0.38 JSON shapes (libs/json + jsonpb), COSMOS_WIRE §1. */
public final class CometJson {
    static final JsonNodeFactory F = JsonNodeFactory.instance;
    public static final String COMET_VERSION = "0.38.17";
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private CometJson() {}

    static String hex(byte[] b) {
        return b == null ? "" : HEX.formatHex(b);
    }

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** RFC3339Nano, UTC, trailing zeros of the fraction trimmed. */
    public static String time(Instant t) {
        String s = DateTimeFormatter.ISO_INSTANT.format(t);
        if (s.contains(".")) {
            s = s.replaceAll("0+Z$", "Z").replace(".Z", "Z");
        }
        return s;
    }

    static ObjectNode status(CosmosChain chain, String rpcAddress, String nodeId, long lowestBlock) {
        ObjectNode r = F.objectNode();
        ObjectNode ni = r.putObject("node_info");
        ni.putObject("protocol_version").put("p2p", "8").put("block", "11").put("app", "0");
        ni.put("id", nodeId).put("listen_addr", "tcp://127.0.0.1:26656").put("network", chain.chainId())
                .put("version", COMET_VERSION).put("channels", "40202122233038606100").put("moniker", "evmore-devnet-" + chain.chainId());
        ni.putObject("other").put("tx_index", "on").put("rpc_address", rpcAddress);
        Block latest = chain.latestBlock();
        Block first = chain.block(Math.min(Math.max(1, lowestBlock), Math.max(1, chain.latestHeight())));
        ObjectNode si = r.putObject("sync_info");
        si.put("latest_block_hash", latest == null ? "" : hex(latest.hash()))
                .put("latest_app_hash", latest == null ? "" : hex(latest.resultAppHash()))
                .put("latest_block_height", Long.toString(chain.latestHeight()))
                .put("latest_block_time", time(latest == null ? chain.genesisTime() : latest.time()))
                .put("earliest_block_hash", first == null ? "" : hex(first.hash()))
                .put("earliest_app_hash", first == null ? "" : hex(first.appHash()))
                .put("earliest_block_height", first == null ? "0" : Long.toString(first.height()))
                .put("earliest_block_time", time(first == null ? chain.genesisTime() : first.time()))
                .put("catching_up", false);
        ObjectNode vi = r.putObject("validator_info");
        vi.put("address", hex(chain.proposerAddress()));
        vi.putObject("pub_key").put("type", "tendermint/PubKeyEd25519").put("value", b64(chain.validatorPubKey()));
        vi.put("voting_power", "10");
        return r;
    }

    static ObjectNode blockId(byte[] hash, byte[] partsHash) {
        ObjectNode id = F.objectNode();
        id.put("hash", hex(hash));
        id.putObject("parts").put("total", hash.length == 0 ? 0 : 1).put("hash", hex(partsHash));
        return id;
    }

    static ObjectNode blockResult(CosmosChain chain, Block b) {
        ObjectNode r = F.objectNode();
        r.set("block_id", blockId(b.hash(), b.partsHash()));
        r.set("block", block(chain, b));
        return r;
    }

    static ObjectNode block(CosmosChain chain, Block b) {
        ObjectNode block = F.objectNode();
        ObjectNode h = block.putObject("header");
        h.putObject("version").put("block", "11"); // a real node omits app when it is 0 (omitempty)
        h.put("chain_id", b.chainId()).put("height", Long.toString(b.height())).put("time", time(b.time()));
        h.set("last_block_id", blockId(b.lastBlockHash(), b.lastPartsHash()));
        byte[] valHash = io.evmore.devnet.crypto.AddressDerivation.sha256(chain.validatorPubKey());
        h.put("last_commit_hash", hex(io.evmore.devnet.crypto.AddressDerivation.sha256("commit".getBytes(), b.lastBlockHash())))
                .put("data_hash", hex(b.dataHash()))
                .put("validators_hash", hex(valHash)).put("next_validators_hash", hex(valHash))
                .put("consensus_hash", hex(io.evmore.devnet.crypto.AddressDerivation.sha256("consensus".getBytes())))
                .put("app_hash", hex(b.appHash()))
                .put("last_results_hash", hex(io.evmore.devnet.crypto.AddressDerivation.sha256("results".getBytes(), b.lastBlockHash())))
                .put("evidence_hash", hex(io.evmore.devnet.crypto.AddressDerivation.sha256(new byte[0])))
                .put("proposer_address", hex(b.proposer()));
        ObjectNode data = block.putObject("data");
        ArrayNode txs = data.putArray("txs"); // a real node sends [] for an empty block, never null
        b.txs().forEach(t -> txs.add(b64(t)));
        block.putObject("evidence").putArray("evidence");
        ObjectNode lc = block.putObject("last_commit");
        lc.put("height", Long.toString(b.height() - 1)).put("round", 0);
        lc.set("block_id", blockId(b.lastBlockHash(), b.lastPartsHash()));
        ArrayNode sigs = lc.putArray("signatures");
        if (b.height() > 1) {
            Block prev = chain.block(b.height() - 1);
            sigs.addObject().put("block_id_flag", 2).put("validator_address", hex(b.proposer()))
                    .put("timestamp", time(prev == null ? b.time() : prev.time()))
                    .put("signature", b64(io.evmore.devnet.crypto.AddressDerivation.sha256("sig".getBytes(), b.lastBlockHash(),
                            io.evmore.devnet.crypto.AddressDerivation.sha256("sig2".getBytes(), b.lastBlockHash()))));
        }
        return block;
    }

    static ArrayNode events(List<Event> events) {
        ArrayNode arr = F.arrayNode();
        for (Event e : events) {
            ObjectNode o = arr.addObject();
            o.put("type", e.type());
            ArrayNode attrs = o.putArray("attributes");
            for (Event.Attribute a : e.attributes()) {
                attrs.addObject().put("key", a.key()).put("value", a.value()).put("index", a.index());
            }
        }
        return arr;
    }

    /** ExecTxResult as jsonpb writes it (defaults emitted, gas_wanted/gas_used json names). */
    static ObjectNode execResult(ExecResult r) {
        ObjectNode o = F.objectNode();
        o.put("code", r.code());
        if (r.data() == null || r.data().length == 0) {
            o.putNull("data");
        } else {
            o.put("data", b64(r.data()));
        }
        o.put("log", r.log()).put("info", r.info())
                .put("gas_wanted", Long.toString(r.gasWanted())).put("gas_used", Long.toString(r.gasUsed()));
        o.set("events", events(r.events()));
        o.put("codespace", r.codespace());
        return o;
    }

    static ObjectNode blockResults(Block b) {
        ObjectNode r = F.objectNode();
        r.put("height", Long.toString(b.height()));
        if (b.results().isEmpty()) {
            r.putNull("txs_results");
        } else {
            ArrayNode a = r.putArray("txs_results");
            b.results().forEach(x -> a.add(execResult(x)));
        }
        r.set("finalize_block_events", events(b.finalizeEvents()));
        r.putNull("validator_updates");
        r.putObject("consensus_param_updates");
        r.put("app_hash", b64(b.resultAppHash()));
        return r;
    }

    static ObjectNode tx(IndexedTx t) {
        ObjectNode o = F.objectNode();
        o.put("hash", t.hashHex()).put("height", Long.toString(t.height())).put("index", t.index());
        o.set("tx_result", execResult(t.result()));
        o.put("tx", b64(t.tx()));
        return o;
    }

    static ObjectNode abciQuery(QueryResult q) {
        ObjectNode r = F.objectNode();
        ObjectNode resp = r.putObject("response");
        resp.put("code", q.code()).put("log", q.log()).put("info", "").put("index", "0").putNull("key");
        if (q.value() == null) {
            resp.putNull("value");
        } else {
            resp.put("value", b64(q.value()));
        }
        resp.putNull("proofOps");
        resp.put("height", Long.toString(q.height())).put("codespace", q.codespace());
        return r;
    }

    /** The indexer's view of a tx: "type.key" → values, plus tx.hash and tx.height. */
    public static Map<String, List<String>> eventMap(IndexedTx t, boolean withTmEvent) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (withTmEvent) {
            m.put("tm.event", new ArrayList<>(List.of("Tx")));
        }
        m.put("tx.hash", new ArrayList<>(List.of(t.hashHex())));
        m.put("tx.height", new ArrayList<>(List.of(Long.toString(t.height()))));
        for (Event e : t.result().events()) {
            for (Event.Attribute a : e.attributes()) {
                m.computeIfAbsent(e.type() + "." + a.key(), k -> new ArrayList<>()).add(a.value());
            }
        }
        return m;
    }

    static ObjectNode eventMapJson(Map<String, List<String>> m) {
        ObjectNode o = F.objectNode();
        m.forEach((k, v) -> {
            ArrayNode a = o.putArray(k);
            v.forEach(a::add);
        });
        return o;
    }

    static ObjectNode newBlockValue(CosmosChain chain, Block b) {
        ObjectNode v = F.objectNode();
        v.set("block", block(chain, b));
        v.set("block_id", blockId(b.hash(), b.partsHash()));
        ObjectNode rfb = v.putObject("result_finalize_block");
        rfb.set("events", events(b.finalizeEvents()));
        if (!b.results().isEmpty()) { // a real node omits an empty tx_results
            ArrayNode txs = rfb.putArray("tx_results");
            b.results().forEach(x -> txs.add(execResult(x)));
        }
        rfb.putArray("validator_updates");
        rfb.putObject("consensus_param_updates");
        rfb.put("app_hash", b64(b.resultAppHash()));
        return v;
    }
}
