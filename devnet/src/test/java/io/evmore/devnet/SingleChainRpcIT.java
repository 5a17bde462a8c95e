package io.evmore.devnet;

import static io.evmore.devnet.TestTxs.coin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.crypto.DevnetKey;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountRequest;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountResponse;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceResponse;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateRequest;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateResponse;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** One devnet chain over its real RPC: shapes, ante errors with the SDK's codes and texts, simulate, websocket, faults. */
class SingleChainRpcIT {
    static final String CHAIN = "devnet-1";
    static Devnet devnet;
    static DevnetChain chain;
    static RpcClient rpc;
    static DevnetKey alice;
    static DevnetKey bob;
    static String aliceAddr;
    static String bobAddr;

    @BeforeAll
    static void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).manualBlocks().rpcEndpointsPerChain(2).start();
        chain = devnet.chain(CHAIN);
        rpc = new RpcClient(chain.rpcUrl(0));
        alice = devnet.account("alice").key();
        bob = devnet.account("bob").key();
        aliceAddr = alice.address("cosmos");
        bobAddr = bob.address("cosmos");
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    static BaseAccount account(String addr) throws Exception {
        JsonNode r = rpc.abciQuery("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.newBuilder().setAddress(addr).build().toByteArray());
        assertThat(r.get("code").asInt()).as(r.toString()).isZero();
        return QueryAccountResponse.parseFrom(Base64.getDecoder().decode(r.get("value").asText())).getAccount().unpack(BaseAccount.class);
    }

    static byte[] sendTx(DevnetKey from, String to, String amount, long seqDelta, String chainId, long gas, String fee) throws Exception {
        BaseAccount acc = account(from.address("cosmos"));
        return TestTxs.sign(from, chainId, acc.getAccountNumber(), acc.getSequence() + seqDelta,
                List.of(TestTxs.send(from.address("cosmos"), to, coin(amount, "stake"))), fee == null ? null : coin(fee, "stake"), gas, "");
    }

    @Test
    void statusHasTheShapeCosmjsNeeds() throws Exception {
        JsonNode s = rpc.result("status", null);
        assertThat(s.at("/node_info/version").asText()).startsWith("0.38.");
        assertThat(s.at("/node_info/network").asText()).isEqualTo(CHAIN);
        assertThat(s.at("/node_info/id").asText()).isNotEmpty();
        assertThat(s.at("/node_info/listen_addr").asText()).isNotEmpty();
        assertThat(s.at("/node_info/moniker").asText()).isNotEmpty();
        assertThat(s.at("/node_info/protocol_version/block").asText()).isEqualTo("11");
        assertThat(s.at("/sync_info/latest_block_height").isTextual()).isTrue();
        assertThat(Long.parseLong(s.at("/sync_info/latest_block_height").asText())).isGreaterThanOrEqualTo(1);
        assertThat(s.at("/sync_info/latest_block_hash").asText()).matches("[0-9A-F]{64}");
        assertThat(s.at("/sync_info/latest_block_time").asText()).endsWith("Z");
        assertThat(s.at("/validator_info/voting_power").isTextual()).isTrue();
    }

    @Test
    void sendIsCheckedDeliveredIndexedAndQueryable() throws Exception {
        BigInteger bobBefore = chain.balance(bobAddr, "stake");
        BigInteger aliceBefore = chain.balance(aliceAddr, "stake");
        long seqBefore = account(aliceAddr).getSequence();
        byte[] tx = sendTx(alice, bobAddr, "1234", 0, CHAIN, 200_000, "5000");
        JsonNode r = rpc.broadcast(tx);
        assertThat(r.get("code").asInt()).as(r.toString()).isZero();
        assertThat(r.get("log").asText()).isEmpty();
        String hash = r.get("hash").asText();
        assertThat(hash).matches("[0-9A-F]{64}");
        // same bytes again: mempool cache error (JSON-RPC error, not a CheckTx code)
        JsonNode dup = rpc.call("broadcast_tx_sync", RpcClient.JSON.createObjectNode().put("tx", Base64.getEncoder().encodeToString(tx)));
        assertThat(dup.at("/error/data").asText()).isEqualTo("tx already exists in cache");

        chain.produceBlock();
        JsonNode t = rpc.result("tx", RpcClient.JSON.createObjectNode().put("hash",
                Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hash))).put("prove", false));
        assertThat(t.get("hash").asText()).isEqualTo(hash);
        assertThat(t.get("height").isTextual()).isTrue();
        assertThat(t.get("index").isInt()).isTrue();
        JsonNode res = t.get("tx_result");
        assertThat(res.get("code").asInt()).isZero();
        assertThat(res.get("log").asText()).isEmpty();
        assertThat(res.get("gas_wanted").asText()).isEqualTo("200000");
        assertThat(Long.parseLong(res.get("gas_used").asText())).isBetween(10_000L, 200_000L);
        TxMsgData data = TxMsgData.parseFrom(Base64.getDecoder().decode(res.get("data").asText()));
        assertThat(data.getMsgResponses(0).getTypeUrl()).isEqualTo("/cosmos.bank.v1beta1.MsgSendResponse");
        List<String> types = new ArrayList<>();
        res.get("events").forEach(e -> types.add(e.get("type").asText()));
        assertThat(types).containsExactly("coin_spent", "coin_received", "transfer", "message", "tx", "tx", "tx",
                "message", "coin_spent", "coin_received", "transfer", "message");
        JsonNode action = res.get("events").get(7);
        assertThat(action.at("/attributes/0/key").asText()).isEqualTo("action");
        assertThat(action.at("/attributes/0/value").asText()).isEqualTo("/cosmos.bank.v1beta1.MsgSend");
        assertThat(action.at("/attributes/3/key").asText()).isEqualTo("msg_index");
        assertThat(res.at("/events/4/attributes/0/value").asText()).isEqualTo("5000stake");
        assertThat(res.at("/events/5/attributes/0/value").asText()).isEqualTo(aliceAddr + "/" + seqBefore);
        assertThat(res.at("/events/0/attributes/0/index").asBoolean()).isTrue();

        assertThat(chain.balance(bobAddr, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(1234)));
        assertThat(chain.balance(aliceAddr, "stake")).isEqualTo(aliceBefore.subtract(BigInteger.valueOf(1234 + 5000)));
        assertThat(account(aliceAddr).getSequence()).isEqualTo(seqBefore + 1);
        JsonNode bal = rpc.abciQuery("/cosmos.bank.v1beta1.Query/Balance",
                QueryBalanceRequest.newBuilder().setAddress(bobAddr).setDenom("stake").build().toByteArray());
        assertThat(QueryBalanceResponse.parseFrom(Base64.getDecoder().decode(bal.get("value").asText())).getBalance().getAmount())
                .isEqualTo(bobBefore.add(BigInteger.valueOf(1234)).toString());

        JsonNode search = rpc.result("tx_search", RpcClient.JSON.createObjectNode().put("query", "tx.hash='" + hash + "'"));
        assertThat(search.get("total_count").asText()).isEqualTo("1");
        JsonNode byEvent = rpc.result("tx_search", RpcClient.JSON.createObjectNode()
                .put("query", "transfer.recipient='" + bobAddr + "' AND transfer.amount='1234stake'").put("order_by", "desc"));
        assertThat(byEvent.at("/txs/0/hash").asText()).isEqualTo(hash);
        JsonNode none = rpc.result("tx_search", RpcClient.JSON.createObjectNode()
                .put("query", "transfer.recipient='" + bobAddr + "' AND transfer.amount='999999stake'"));
        assertThat(none.get("total_count").asText()).isEqualTo("0");

        long h = t.get("height").asLong();
        JsonNode block = rpc.result("block", RpcClient.JSON.createObjectNode().put("height", Long.toString(h)));
        assertThat(block.at("/block/header/chain_id").asText()).isEqualTo(CHAIN);
        assertThat(block.at("/block/header/height").asText()).isEqualTo(Long.toString(h));
        assertThat(block.at("/block_id/parts/total").asInt()).isEqualTo(1);
        assertThat(block.at("/block/header/proposer_address").asText()).matches("[0-9A-F]{40}");
        assertThat(block.at("/block/data/txs/0").asText()).isEqualTo(Base64.getEncoder().encodeToString(tx));
        JsonNode results = rpc.result("block_results", RpcClient.JSON.createObjectNode().put("height", Long.toString(h)));
        assertThat(results.at("/txs_results/0/code").asInt()).isZero();
        assertThat(results.get("height").asText()).isEqualTo(Long.toString(h));
    }

    @Test
    void anteErrorsCarryTheSdkCodesAndTexts() throws Exception {
        assertThat(rpc.broadcast(sendTx(alice, bobAddr, "1", 0, CHAIN, 200_000, "5000")).get("code").asInt()).isZero();
        chain.produceBlock();
        long seq = account(aliceAddr).getSequence();
        long accNum = account(aliceAddr).getAccountNumber();
        JsonNode stale = rpc.broadcast(sendTx(alice, bobAddr, "2", -1, CHAIN, 200_000, "5000"));
        assertThat(stale.get("code").asInt()).isEqualTo(32);
        assertThat(stale.get("log").asText()).isEqualTo("account sequence mismatch, expected " + seq + ", got " + (seq - 1)
                + ": incorrect account sequence");

        JsonNode wrongChain = rpc.broadcast(sendTx(alice, bobAddr, "1", 0, "other-chain", 200_000, "5000"));
        assertThat(wrongChain.get("code").asInt()).isEqualTo(4);
        assertThat(wrongChain.get("log").asText()).isEqualTo("signature verification failed; please verify account number (" + accNum
                + ") and chain-id (" + CHAIN + "): (unable to verify single signer signature): unauthorized");

        byte[] tampered = sendTx(alice, bobAddr, "1", 0, CHAIN, 200_000, "5000");
        tampered[tampered.length - 5] ^= 0x01;
        assertThat(rpc.broadcast(tampered).get("code").asInt()).isEqualTo(4);

        JsonNode lowFee = rpc.broadcast(sendTx(alice, bobAddr, "1", 0, CHAIN, 200_000, "100"));
        assertThat(lowFee.get("code").asInt()).isEqualTo(13);
        assertThat(lowFee.get("log").asText()).isEqualTo("insufficient fees; got: 100stake required: 5000stake: insufficient fee");

        JsonNode zeroGas = rpc.broadcast(sendTx(alice, bobAddr, "1", 0, CHAIN, 0, null));
        assertThat(zeroGas.get("code").asInt()).isEqualTo(41);
        assertThat(zeroGas.get("log").asText()).isEqualTo("must provide positive gas: invalid gas limit");

        JsonNode outOfGas = rpc.broadcast(sendTx(alice, bobAddr, "1", 0, CHAIN, 1000, "25"));
        assertThat(outOfGas.get("code").asInt()).isEqualTo(11);
        assertThat(outOfGas.get("log").asText()).startsWith("out of gas in location: txSize; gasWanted: 1000, gasUsed: ").endsWith(": out of gas");

        JsonNode parse = rpc.broadcast(new byte[] {0x0a, 0x02, 0x01});
        assertThat(parse.get("code").asInt()).isEqualTo(2);
        assertThat(parse.get("log").asText()).endsWith("tx parse error");

        DevnetKey stranger = DevnetKey.random();
        byte[] unknown = TestTxs.sign(stranger, CHAIN, 0, 0, List.of(TestTxs.send(stranger.address("cosmos"), bobAddr, coin("1", "stake"))),
                coin("5000", "stake"), 200_000, "");
        JsonNode unknownR = rpc.broadcast(unknown);
        assertThat(unknownR.get("code").asInt()).isEqualTo(9);
        assertThat(unknownR.get("log").asText()).isEqualTo("fee payer address: " + stranger.address("cosmos") + " does not exist: unknown address");

        chain.fund(stranger.address("cosmos"), "stake", BigInteger.valueOf(10));
        BaseAccount sAcc = account(stranger.address("cosmos"));
        byte[] poor = TestTxs.sign(stranger, CHAIN, sAcc.getAccountNumber(), 0,
                List.of(TestTxs.send(stranger.address("cosmos"), bobAddr, coin("1", "stake"))), coin("5000", "stake"), 200_000, "");
        JsonNode poorR = rpc.broadcast(poor);
        assertThat(poorR.get("code").asInt()).isEqualTo(5);
        assertThat(poorR.get("log").asText()).isEqualTo("spendable balance 10stake is smaller than 5000stake: insufficient funds: insufficient funds");

        byte[] memo = TestTxs.sign(alice, CHAIN, accNum, seq, List.of(TestTxs.send(aliceAddr, bobAddr, coin("1", "stake"))),
                coin("5000", "stake"), 200_000, "x".repeat(257));
        JsonNode memoR = rpc.broadcast(memo);
        assertThat(memoR.get("code").asInt()).isEqualTo(12);
        assertThat(memoR.get("log").asText()).isEqualTo("maximum number of characters is 256 but received 257 characters: memo too large");
        // nothing above was charged or bumped
        assertThat(account(aliceAddr).getSequence()).isEqualTo(seq);
    }

    @Test
    void messageFailureInDeliverTxKeepsFeeAndSequence() throws Exception {
        DevnetKey k = DevnetKey.random();
        String addr = k.address("cosmos");
        chain.fund(addr, "stake", BigInteger.valueOf(10_000));
        BaseAccount acc = account(addr);
        byte[] tx = TestTxs.sign(k, CHAIN, acc.getAccountNumber(), 0, List.of(TestTxs.send(addr, bobAddr, coin("9000", "stake"))),
                coin("5000", "stake"), 200_000, "");
        assertThat(rpc.broadcast(tx).get("code").asInt()).isZero();
        chain.produceBlock();
        var itx = chain.state().tx(io.evmore.devnet.crypto.AddressDerivation.sha256(tx));
        assertThat(itx.result().code()).isEqualTo(5);
        assertThat(itx.result().log()).isEqualTo(
                "failed to execute message; message index: 0: spendable balance 5000stake is smaller than 9000stake: insufficient funds");
        assertThat(itx.result().data()).isNull();
        assertThat(itx.result().events()).extracting(e -> e.type()).containsExactly("coin_spent", "coin_received", "transfer", "message", "tx", "tx", "tx");
        assertThat(chain.balance(addr, "stake")).isEqualTo(BigInteger.valueOf(5000));
        assertThat(account(addr).getSequence()).isEqualTo(1);
    }

    @Test
    void simulationGivesGasThatIsEnoughAndALittleLessIsNot() throws Exception {
        DevnetKey k = DevnetKey.random();
        String addr = k.address("cosmos");
        chain.fund(addr, "stake", BigInteger.valueOf(1_000_000));
        BaseAccount acc = account(addr);
        var msgs = List.of(TestTxs.send(addr, bobAddr, coin("10", "stake")));
        byte[] sim = SimulateRequest.newBuilder().setTxBytes(com.google.protobuf.ByteString.copyFrom(
                TestTxs.unsignedForSimulation(k, 0, msgs))).build().toByteArray();
        JsonNode r = rpc.abciQuery("/cosmos.tx.v1beta1.Service/Simulate", sim);
        assertThat(r.get("code").asInt()).as(r.toString()).isZero();
        SimulateResponse resp = SimulateResponse.parseFrom(Base64.getDecoder().decode(r.get("value").asText()));
        long gas = resp.getGasInfo().getGasUsed();
        assertThat(gas).isGreaterThan(10_000);
        assertThat(resp.getResult().getEventsList()).isNotEmpty();

        byte[] tooLow = TestTxs.sign(k, CHAIN, acc.getAccountNumber(), 0, msgs, coin("25000", "stake"), gas - 2000, "");
        assertThat(rpc.broadcast(tooLow).get("code").asInt()).isZero(); // ante fits; the message runs out in DeliverTx
        chain.produceBlock();
        var failed = chain.state().tx(io.evmore.devnet.crypto.AddressDerivation.sha256(tooLow)).result();
        assertThat(failed.code()).isEqualTo(11);
        assertThat(failed.log()).startsWith("out of gas in location: ").endsWith(": out of gas");

        byte[] enough = TestTxs.sign(k, CHAIN, acc.getAccountNumber(), 1, msgs, coin("25000", "stake"), gas + gas / 10, "");
        assertThat(rpc.broadcast(enough).get("code").asInt()).isZero();
        chain.produceBlock();
        assertThat(chain.state().tx(io.evmore.devnet.crypto.AddressDerivation.sha256(enough)).result().code()).isZero();

        // stale sequence is still checked by simulate
        byte[] staleSim = SimulateRequest.newBuilder().setTxBytes(com.google.protobuf.ByteString.copyFrom(
                TestTxs.unsignedForSimulation(k, 0, msgs))).build().toByteArray();
        JsonNode stale = rpc.abciQuery("/cosmos.tx.v1beta1.Service/Simulate", staleSim);
        assertThat(stale.get("code").asInt()).isEqualTo(32);
        // ... and answered as a real SDK 0.50 node does when asked to: code 6 sdk, the original error inside
        chain.state().simulateErrorsAsSdk6(true);
        try {
            JsonNode wrapped = rpc.abciQuery("/cosmos.tx.v1beta1.Service/Simulate", staleSim);
            assertThat(wrapped.get("code").asInt()).isEqualTo(6);
            assertThat(wrapped.get("codespace").asText()).isEqualTo("sdk");
            assertThat(wrapped.get("log").asText()).matches("rpc error: code = Unknown desc = account sequence mismatch, expected [0-9]+, got 0: "
                            + "incorrect account sequence \\[[^\\]]+\\] with gas used: '[0-9]+': unknown request");
        } finally {
            chain.state().simulateErrorsAsSdk6(false);
        }
    }

    @Test
    void queriesAnswerWithTheSdkErrorsAndHeights() throws Exception {
        String missing = DevnetKey.random().address("cosmos");
        JsonNode r = rpc.abciQuery("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.newBuilder().setAddress(missing).build().toByteArray());
        assertThat(r.get("code").asInt()).isEqualTo(22);
        assertThat(r.get("log").asText()).isEqualTo("rpc error: code = NotFound desc = account " + missing + " not found: key not found");
        assertThat(r.get("value").isNull()).isTrue();
        assertThat(r.get("height").asText()).isNotEqualTo("0");
        assertThat(r.get("proofOps").isNull()).isTrue();
        JsonNode denom = rpc.abciQuery("/ibc.applications.transfer.v1.Query/Denom", new byte[0]);
        assertThat(denom.get("code").asInt()).isEqualTo(6);
        assertThat(denom.get("log").asText()).isEqualTo("unknown query path: unknown request");
    }

    @Test
    void jsonRpcTransportFollowsCometBft() throws Exception {
        JsonNode unknown = rpc.call("no_such_method", null);
        assertThat(unknown.at("/error/code").asInt()).isEqualTo(-32601);
        JsonNode bad = rpc.post("{not json");
        assertThat(bad.at("/error/code").asInt()).isEqualTo(-32700);
        JsonNode batch = rpc.post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"health\"},{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"status\"}]");
        assertThat(batch.isArray()).isTrue();
        assertThat(batch.get(1).get("id").asInt()).isEqualTo(2);
        long h = chain.height();
        JsonNode future = rpc.call("block", RpcClient.JSON.createObjectNode().put("height", Long.toString(h + 100)));
        assertThat(future.at("/error/code").asInt()).isEqualTo(-32603);
        assertThat(future.at("/error/data").asText()).isEqualTo("height " + (h + 100)
                + " must be less than or equal to the current blockchain height " + h);
        var uri = rpc.get("/abci_query?path=%22/cosmos.auth.v1beta1.Query/Account%22&data=0x"
                + java.util.HexFormat.of().formatHex(QueryAccountRequest.newBuilder().setAddress(aliceAddr).build().toByteArray()));
        assertThat(uri.statusCode()).isEqualTo(200);
        JsonNode uriBody = RpcClient.JSON.readTree(uri.body());
        assertThat(uriBody.get("id").asInt()).isEqualTo(-1);
        assertThat(uriBody.at("/result/response/code").asInt()).isZero();
        assertThat(rpc.get("/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void websocketDeliversTxAndNewBlockEvents() throws Exception {
        LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create(chain.endpoint(1).websocketUrl()), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            messages.add(buf.toString());
                            buf.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        try {
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"subscribe\",\"params\":{\"query\":\"tm.event='Tx'\"}}", true).get();
            assertThat(RpcClient.JSON.readTree(messages.poll(30, TimeUnit.SECONDS)).get("result").isEmpty()).isTrue();
            ws.sendText("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"subscribe\",\"params\":{\"query\":\"tm.event='NewBlock'\"}}", true).get();
            assertThat(RpcClient.JSON.readTree(messages.poll(30, TimeUnit.SECONDS)).get("id").asInt()).isEqualTo(12);
            byte[] tx = sendTx(alice, bobAddr, "7", 0, CHAIN, 200_000, "5000");
            String hash = rpc.broadcast(tx).get("hash").asText();
            chain.produceBlock();
            JsonNode txEvent = null;
            JsonNode blockEvent = null;
            for (int i = 0; i < 2; i++) {
                JsonNode m = RpcClient.JSON.readTree(messages.poll(30, TimeUnit.SECONDS));
                if (m.get("id").asInt() == 11) {
                    txEvent = m;
                } else {
                    blockEvent = m;
                }
            }
            assertThat(txEvent).isNotNull();
            assertThat(txEvent.at("/result/data/type").asText()).isEqualTo("tendermint/event/Tx");
            assertThat(txEvent.at("/result/events/tx.hash/0").asText()).isEqualTo(hash);
            assertThat(txEvent.at("/result/data/value/TxResult/result/code").asInt()).isZero();
            assertThat(blockEvent.at("/result/data/type").asText()).isEqualTo("tendermint/event/NewBlock");
            assertThat(blockEvent.at("/result/data/value/block/header/height").asText()).isEqualTo(Long.toString(chain.height()));
        } finally {
            ws.abort();
        }
    }

    @Test
    void endpointsCanBeStoppedRestartedDelayedAndDropAnswers() throws Exception {
        var ep = chain.endpoint(1);
        RpcClient second = new RpcClient(ep.url());
        String url = ep.url();
        ep.stop();
        assertThatThrownBy(() -> second.result("health", null)).isInstanceOf(IOException.class);
        ep.start();
        assertThat(ep.url()).isEqualTo(url);
        assertThat(second.result("health", null).isEmpty()).isTrue();
        ep.dropNext(1);
        assertThatThrownBy(() -> second.result("status", null)).isInstanceOf(IOException.class);
        assertThat(second.result("status", null).at("/node_info/network").asText()).isEqualTo(CHAIN);
        ep.delay(Duration.ofMillis(300));
        long t0 = System.nanoTime();
        second.result("health", null);
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        ep.delay(Duration.ZERO);
        chain.mempoolCapacity(0);
        try {
            JsonNode full = second.call("broadcast_tx_sync", RpcClient.JSON.createObjectNode().put("tx",
                    Base64.getEncoder().encodeToString(sendTx(alice, bobAddr, "1", 0, CHAIN, 200_000, "5000"))));
            assertThat(full.at("/error/code").asInt()).isEqualTo(-32603);
            assertThat(full.at("/error/data").asText()).startsWith("mempool is full: number of txs 0 (max: 0)");
        } finally {
            chain.mempoolCapacity(io.evmore.devnet.chain.CosmosChain.DEFAULT_MEMPOOL_CAPACITY);
        }
        chain.halt();
        assertThat(chain.state().halted()).isTrue();
        chain.resume();
    }

    static JsonNode txByHash(RpcClient c, String hash) throws Exception {
        return c.call("tx", RpcClient.JSON.createObjectNode().put("hash",
                Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(hash))).put("prove", false));
    }

    static List<String> blockTxHashes(RpcClient c, long height) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : c.result("block", RpcClient.JSON.createObjectNode().put("height", Long.toString(height)))
                .at("/block/data/txs")) {
            out.add(java.util.HexFormat.of().withUpperCase().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Base64.getDecoder().decode(t.asText()))));
        }
        return out;
    }

    @Test
    void aLaggingIndexerHidesACommittedTxFromTxAndTxSearchForNBlocksWhileItsBlockHasIt() throws Exception {
        chain.indexLag(3);
        String hash;
        long height;
        try {
            hash = rpc.broadcast(sendTx(alice, bobAddr, "7", 0, CHAIN, 200_000, "5000")).get("hash").asText();
            height = chain.produceBlock().height();
        } finally {
            chain.indexLag(0);
        }
        String search = "tm.event='Tx' AND tx.height=" + height;
        for (int lag = 0; lag < 3; lag++) {
            // In its block, with its result, and in no index.
            assertThat(blockTxHashes(rpc, height)).containsExactly(hash);
            assertThat(rpc.result("block_results", RpcClient.JSON.createObjectNode().put("height", Long.toString(height)))
                    .at("/txs_results/0/code").asInt()).isZero();
            assertThat(txByHash(rpc, hash).at("/error/data").asText()).isEqualTo("tx (" + hash + ") not found");
            assertThat(rpc.result("tx_search", RpcClient.JSON.createObjectNode().put("query", search))
                    .get("total_count").asText()).isEqualTo("0");
            assertThat(chain.state().notYetIndexed()).isEqualTo(1);
            chain.produceBlock();
        }
        // height + 3 committed: indexed, at its own height.
        assertThat(txByHash(rpc, hash).at("/result/height").asText()).isEqualTo(Long.toString(height));
        assertThat(rpc.result("tx_search", RpcClient.JSON.createObjectNode().put("query", search)).get("total_count").asText())
                .isEqualTo("1");
        assertThat(chain.state().notYetIndexed()).isZero();
    }

    @Test
    void aDroppedBroadcastIsAnsweredAsAcceptedButNeverIncludedAndCanBeBroadcastAgain() throws Exception {
        long seq = account(aliceAddr).getSequence();
        byte[] tx = sendTx(alice, bobAddr, "8", 0, CHAIN, 200_000, "5000");
        chain.dropNextBroadcasts(1);
        JsonNode r = rpc.broadcast(tx);
        assertThat(r.get("code").asInt()).isZero();
        String hash = r.get("hash").asText();
        assertThat(chain.state().mempoolSize()).isZero();
        long h = chain.produceBlock().height();
        assertThat(blockTxHashes(rpc, h)).doesNotContain(hash);
        assertThat(account(aliceAddr).getSequence()).isEqualTo(seq);
        // Control: the switch took exactly one; the same bytes are accepted again (no cache entry) and included.
        assertThat(rpc.broadcast(tx).get("code").asInt()).isZero();
        long h2 = chain.produceBlock().height();
        assertThat(blockTxHashes(rpc, h2)).containsExactly(hash);
        // A node restart drops what is pending.
        rpc.broadcast(sendTx(alice, bobAddr, "9", 0, CHAIN, 200_000, "5000"));
        assertThat(chain.dropMempool()).isEqualTo(1);
        assertThat(blockTxHashes(rpc, chain.produceBlock().height())).isEmpty();
    }

    @Test
    void aPrunedEndpointRefusesBlocksBelowItsBaseAsCometBftDoesWhileAnotherServesThem() throws Exception {
        while (chain.height() < 4) chain.produceBlock();
        var ep = chain.endpoint(1);
        RpcClient pruned = new RpcClient(ep.url());
        ep.pruneBlocksBelow(3);
        try {
            for (String m : List.of("block", "block_results")) {
                JsonNode e = pruned.call(m, RpcClient.JSON.createObjectNode().put("height", "2"));
                assertThat(e.at("/error/code").asInt()).isEqualTo(-32603);
                assertThat(e.at("/error/data").asText()).isEqualTo("height 2 is not available, lowest height is 3");
                assertThat(pruned.result(m, RpcClient.JSON.createObjectNode().put("height", "3")).isObject()).isTrue();
                assertThat(rpc.result(m, RpcClient.JSON.createObjectNode().put("height", "2")).isObject()).isTrue();
            }
            assertThat(pruned.result("status", null).at("/sync_info/earliest_block_height").asText()).isEqualTo("3");
            assertThat(rpc.result("status", null).at("/sync_info/earliest_block_height").asText()).isEqualTo("1");
        } finally {
            ep.pruneBlocksBelow(1);
        }
        assertThat(pruned.result("block", RpcClient.JSON.createObjectNode().put("height", "2")).isObject()).isTrue();
    }

    static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void goldenJsonStructures() throws Exception {
        byte[] tx = sendTx(alice, bobAddr, "3", 0, CHAIN, 200_000, "5000");
        JsonNode b = rpc.broadcast(tx);
        assertThat(keys(b)).containsExactly("code", "data", "log", "codespace", "hash");
        assertThat(b.get("code").isInt()).isTrue();
        chain.produceBlock();
        JsonNode t = rpc.result("tx", RpcClient.JSON.createObjectNode().put("hash",
                Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(b.get("hash").asText()))));
        assertThat(keys(t)).containsExactly("hash", "height", "index", "tx_result", "tx");
        assertThat(keys(t.get("tx_result"))).containsExactly("code", "data", "log", "info", "gas_wanted", "gas_used", "events", "codespace");
        assertThat(keys(t.at("/tx_result/events/0"))).containsExactly("type", "attributes");
        assertThat(keys(t.at("/tx_result/events/0/attributes/0"))).containsExactly("key", "value", "index");
        JsonNode q = rpc.abciQuery("/cosmos.auth.v1beta1.Query/Account", QueryAccountRequest.newBuilder().setAddress(aliceAddr).build().toByteArray());
        assertThat(keys(q)).containsExactly("code", "log", "info", "index", "key", "value", "proofOps", "height", "codespace");
        assertThat(q.get("index").asText()).isEqualTo("0");
        JsonNode br = rpc.result("block_results", RpcClient.JSON.createObjectNode().put("height", t.get("height").asText()));
        assertThat(keys(br)).containsExactly("height", "txs_results", "finalize_block_events", "validator_updates",
                "consensus_param_updates", "app_hash");
        JsonNode blk = rpc.result("block", RpcClient.JSON.createObjectNode().put("height", t.get("height").asText()));
        assertThat(keys(blk)).containsExactly("block_id", "block");
        assertThat(keys(blk.get("block"))).containsExactly("header", "data", "evidence", "last_commit");
        assertThat(keys(blk.at("/block/header"))).containsExactly("version", "chain_id", "height", "time", "last_block_id",
                "last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "consensus_hash", "app_hash",
                "last_results_hash", "evidence_hash", "proposer_address");
        assertThat(blk.at("/block/last_commit/round").isInt()).isTrue();
        JsonNode first = rpc.result("block", RpcClient.JSON.createObjectNode().put("height", "1"));
        assertThat(first.at("/block/header/last_block_id/hash").asText()).isEmpty();
        JsonNode st = rpc.result("status", null);
        assertThat(keys(st)).containsExactly("node_info", "sync_info", "validator_info");
        assertThat(keys(st.get("sync_info"))).containsExactly("latest_block_hash", "latest_app_hash", "latest_block_height",
                "latest_block_time", "earliest_block_hash", "earliest_app_hash", "earliest_block_height", "earliest_block_time", "catching_up");
        JsonNode search = rpc.result("tx_search", RpcClient.JSON.createObjectNode().put("query", "tm.event='Tx' AND tx.height=" + t.get("height").asText()));
        assertThat(keys(search)).containsExactly("txs", "total_count");
        assertThat(search.get("total_count").asText()).isEqualTo("1");
        JsonNode badPage = rpc.call("tx_search", RpcClient.JSON.createObjectNode().put("query", "tx.height=1").put("page", "3"));
        assertThat(badPage.at("/error/data").asText()).isEqualTo("page should be within [1, 1] range, given 3");
    }
}
