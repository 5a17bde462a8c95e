package io.evmore.devnet;

import static io.evmore.devnet.TestTxs.coin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.evmore.devnet.chain.Block;
import io.evmore.devnet.chain.Event;
import io.evmore.devnet.chain.ExecResult;
import io.evmore.devnet.chain.QueryResult;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.crypto.DevnetKey;
import io.evmore.devnet.ibc.TransferModule;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateResponse;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceRequest;
import io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceResponse;
import io.evmore.proto.ibc.core.channel.v1.Order;
import io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest;
import io.evmore.proto.ibc.core.channel.v1.QueryChannelResponse;
import io.evmore.proto.ibc.core.channel.v1.State;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ICS-20 between devnet chains A ↔ B ↔ C (A channel-0 ↔ B channel-0, B channel-1 ↔ C channel-0), with
 * packet-forward and ibc-hooks memos, error acks and timeouts; checks that funds end where IBC says.
 */
class IbcTransferIT {
    static final BigInteger FEE = BigInteger.valueOf(5000);
    Devnet devnet;
    DevnetChain a;
    DevnetChain b;
    DevnetChain c;

    @BeforeEach
    void start() {
        devnet = Devnet.defaultTopology().manualBlocks().start();
        a = devnet.chain("devnet-a");
        b = devnet.chain("devnet-b");
        c = devnet.chain("devnet-c");
    }

    @AfterEach
    void stop() {
        devnet.close();
    }

    /** Signs and broadcasts through CheckTx; asserts CheckTx accepted it. Returns the tx hash. */
    static byte[] submit(DevnetChain chain, DevnetKey key, Any msg) {
        String addr = key.address(chain.prefix());
        BaseAccount acc = chain.state().account(addr);
        // sequence from the check state would include earlier mempool txs; tests settle between txs
        byte[] tx = TestTxs.sign(key, chain.chainId(), acc.getAccountNumber(), acc.getSequence(), List.of(msg),
                coin(FEE.toString(), chain.denom()), 200_000, "");
        var r = chain.state().broadcast(tx);
        assertThat(r.code()).as(r.log()).isZero();
        return r.hash();
    }

    static ExecResult result(DevnetChain chain, byte[] hash) {
        return chain.state().tx(hash).result();
    }

    static String voucher(String path) {
        return TransferModule.voucherDenom(path);
    }

    static String escrow(DevnetChain chain, String channel) {
        return Bech32Address.encode(chain.prefix(), AddressDerivation.escrow("transfer", channel));
    }

    static long nanos(DevnetChain chain, Duration ahead) {
        var t = chain.state().now().plus(ahead);
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    static List<Event> events(DevnetChain chain, String type) {
        List<Event> out = new ArrayList<>();
        for (var t : chain.state().indexedTxs()) {
            for (Event e : t.result().events()) {
                if (e.type().equals(type)) {
                    out.add(e);
                }
            }
        }
        return out;
    }

    static List<String> pending(DevnetChain chain) {
        return chain.state().read(st -> chain.state().transfer().pendingCommitments(st));
    }

    static JsonNode smartQuery(DevnetChain chain, String json) throws Exception {
        QueryResult q = chain.state().query("/cosmwasm.wasm.v1.Query/SmartContractState", QuerySmartContractStateRequest.newBuilder()
                .setAddress(chain.htlcContractAddress()).setQueryData(ByteString.copyFromUtf8(json)).build().toByteArray(), 0);
        assertThat(q.code()).as(q.log()).isZero();
        return RpcClient.JSON.readTree(QuerySmartContractStateResponse.parseFrom(q.value()).getData().toByteArray());
    }

    @Test
    void singleHopMintsVoucherWithTraceAndUnwindsBack() throws Exception {
        DevnetKey alice = devnet.account("alice").key();
        DevnetKey bob = devnet.account("bob").key();
        String aliceA = alice.address("cosmos");
        String bobB = bob.address("osmo");
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        byte[] send = submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("1000", "stake"), bobB, nanos(a, Duration.ofMinutes(10)), ""));
        devnet.settle();

        ExecResult sendResult = result(a, send);
        assertThat(sendResult.code()).as(sendResult.log()).isZero();
        Event sendPacket = sendResult.events().stream().filter(e -> e.type().equals("send_packet")).findFirst().orElseThrow();
        assertThat(sendPacket.attr("packet_data")).isEqualTo(
                "{\"amount\":\"1000\",\"denom\":\"stake\",\"receiver\":\"" + bobB + "\",\"sender\":\"" + aliceA + "\"}");
        assertThat(sendPacket.attr("packet_src_channel")).isEqualTo("channel-0");
        assertThat(sendPacket.attr("packet_sequence")).isEqualTo("1");

        String v = voucher("transfer/channel-0/stake");
        assertThat(b.balance(bobB, v)).isEqualTo(BigInteger.valueOf(1000));
        assertThat(a.balance(escrow(a, "channel-0"), "stake")).isEqualTo(BigInteger.valueOf(1000));
        assertThat(a.balance(aliceA, "stake")).isEqualTo(aliceBefore.subtract(FEE).subtract(BigInteger.valueOf(1000)));
        QueryResult trace = b.state().query("/ibc.applications.transfer.v1.Query/DenomTrace",
                QueryDenomTraceRequest.newBuilder().setHash(v.substring(4)).build().toByteArray(), 0);
        assertThat(trace.code()).isZero();
        var dt = QueryDenomTraceResponse.parseFrom(trace.value()).getDenomTrace();
        assertThat(dt.getPath()).isEqualTo("transfer/channel-0");
        assertThat(dt.getBaseDenom()).isEqualTo("stake");
        assertThat(events(b, "denomination_trace")).singleElement().satisfies(e -> assertThat(e.attr("denom")).isEqualTo(v));
        assertThat(events(a, "fungible_token_packet")).anySatisfy(e -> assertThat(e.attr("success")).isEqualTo("\u0001"));
        assertThat(pending(a)).isEmpty();

        // back to A: the voucher is burned on B and the escrow released on A
        submit(b, bob, TestTxs.transfer(bobB, "channel-0", coin("400", v), aliceA, nanos(b, Duration.ofMinutes(10)), ""));
        devnet.settle();
        assertThat(b.balance(bobB, v)).isEqualTo(BigInteger.valueOf(600));
        assertThat(a.balance(escrow(a, "channel-0"), "stake")).isEqualTo(BigInteger.valueOf(600));
        assertThat(a.balance(aliceA, "stake")).isEqualTo(aliceBefore.subtract(FEE).subtract(BigInteger.valueOf(600)));
        assertThat(events(b, "burn")).isNotEmpty();
    }

    @Test
    void twoHopTransferEndsInHtlcCreatedThroughHooksMemo() throws Exception {
        assertThat(c.htlcContractAddress()).as("HTLC contract hosted on devnet-c").isNotNull();
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String carolC = devnet.account("carol").address("juno");
        String relayerC = devnet.account("relayer").address("juno");
        String contract = c.htlcContractAddress();
        long timelock = c.state().now().getEpochSecond() + 3600;
        String hashlock = "AB".repeat(32);
        String createMsg = "{\"create_htlc\":{\"receiver\":\"" + carolC + "\",\"hashlock\":\"" + hashlock + "\",\"timelock\":" + timelock
                + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\",\"refund_address\":\"" + relayerC + "\"}}";
        String memo = "{\"forward\":{\"receiver\":\"" + contract + "\",\"port\":\"transfer\",\"channel\":\"channel-1\",\"timeout\":\"10m\","
                + "\"retries\":2,\"next\":{\"wasm\":{\"contract\":\"" + contract + "\",\"msg\":" + createMsg + "}}}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("500", "stake"), "pfm", nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        String onB = voucher("transfer/channel-0/stake");
        String onC = voucher("transfer/channel-0/transfer/channel-0/stake");
        assertThat(c.balance(contract, onC)).isEqualTo(BigInteger.valueOf(500));
        JsonNode htlc = smartQuery(c, "{\"get_htlc\":{\"htlc_id\":\"htlc_1\"}}");
        String intermediaryB = Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-0", aliceA));
        String hooksSender = Bech32Address.encode("juno", AddressDerivation.hooksSender("channel-0", intermediaryB));
        assertThat(htlc.get("amount").asText()).isEqualTo("500");
        assertThat(htlc.get("denom").asText()).isEqualTo(onC);
        assertThat(htlc.get("receiver").asText()).isEqualTo(carolC);
        assertThat(htlc.get("sender").asText()).isEqualTo(hooksSender);
        assertThat(htlc.get("refund_address").asText()).isEqualTo(relayerC);
        assertThat(htlc.get("hashlock").asText()).isEqualTo(hashlock.toLowerCase());
        assertThat(htlc.get("state").asText()).isEqualTo("open");

        // A escrowed, B holds its voucher in the channel-1 escrow, nothing stuck at the intermediaries
        assertThat(a.balance(aliceA, "stake")).isEqualTo(aliceBefore.subtract(FEE).subtract(BigInteger.valueOf(500)));
        assertThat(a.balance(escrow(a, "channel-0"), "stake")).isEqualTo(BigInteger.valueOf(500));
        assertThat(b.balance(escrow(b, "channel-1"), onB)).isEqualTo(BigInteger.valueOf(500));
        assertThat(b.balance(intermediaryB, onB)).isZero();
        assertThat(c.balance(hooksSender, onC)).isZero();
        // the wasm event of the create is indexed on C, in a relayed MsgRecvPacket tx
        var search = events(c, "wasm");
        assertThat(search).anySatisfy(e -> {
            assertThat(e.attr("method")).isEqualTo("create_htlc");
            assertThat(e.attr("_contract_address")).isEqualTo(contract);
        });
        // the success ack travelled back: hooks ack shape on C, passed through B to A
        Event ackC = events(c, "write_acknowledgement").getFirst();
        JsonNode hookAck = RpcClient.JSON.readTree(ackC.attr("packet_ack"));
        JsonNode inner = RpcClient.JSON.readTree(Base64.getDecoder().decode(hookAck.get("result").asText()));
        assertThat(new String(Base64.getDecoder().decode(inner.get("ibc_ack").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{\"result\":\"AQ==\"}");
        assertThat(RpcClient.JSON.readTree(Base64.getDecoder().decode(inner.get("contract_result").asText())).get("htlc_id").asText())
                .isEqualTo("htlc_1");
        assertThat(events(b, "write_acknowledgement")).singleElement()
                .satisfies(e -> assertThat(e.attr("packet_ack")).isEqualTo(ackC.attr("packet_ack")));
        assertThat(pending(a)).isEmpty();
        assertThat(pending(b)).isEmpty();
    }

    @Test
    void failingFinalHopRefundsTheOriginalSender() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String memo = "{\"forward\":{\"receiver\":\"cosmos1notajunoaddress\",\"port\":\"transfer\",\"channel\":\"channel-1\"}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("700", "stake"), "pfm", nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        String onB = voucher("transfer/channel-0/stake");
        String intermediaryB = Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-0", aliceA));
        Event ackC = events(c, "write_acknowledgement").getFirst();
        assertThat(ackC.attr("packet_ack")).isEqualTo("{\"error\":\"ABCI code: 7: error handling packet: see events for details\"}");
        assertThat(events(c, "ibccallbackerror-fungible_token_packet")).isNotEmpty();
        List<io.evmore.proto.cosmos.base.v1beta1.Coin> moduleC = c.state().balances(Bech32Address.encode("juno", AddressDerivation.moduleAccount("transfer")));
        assertThat(moduleC).isEmpty();
        // B: the forwarded voucher came back from escrow and was burned again
        assertThat(b.balance(escrow(b, "channel-1"), onB)).isZero();
        assertThat(b.balance(intermediaryB, onB)).isZero();
        // A: error ack passed through unchanged, alice refunded, escrow empty
        assertThat(events(a, "fungible_token_packet")).anySatisfy(e -> assertThat(e.attr("error"))
                .isEqualTo("ABCI code: 7: error handling packet: see events for details"));
        assertAliceRefundedOnA(aliceA, aliceBefore);
    }

    @Test
    void timedOutPacketRefundsTheSender() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String bobB = devnet.account("bob").address("osmo");
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        devnet.relayer().pause();
        byte[] send = submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("300", "stake"), bobB, nanos(a, Duration.ofSeconds(30)), ""));
        a.produceBlock();
        assertThat(result(a, send).code()).isZero();
        assertThat(a.balance(escrow(a, "channel-0"), "stake")).isEqualTo(BigInteger.valueOf(300));
        b.advanceTime(Duration.ofMinutes(5));
        b.produceBlock();
        devnet.relayer().resume();
        devnet.settle();

        assertTimedOutAndRefunded(aliceA, bobB, aliceBefore);
        assertThat(events(a, "timeout_packet")).singleElement().satisfies(e -> assertThat(e.attr("packet_sequence")).isEqualTo("1"));
        assertThat(events(a, "timeout")).singleElement().satisfies(e -> {
            assertThat(e.attr("refund_receiver")).isEqualTo(aliceA);
            assertThat(e.attr("refund_amount")).isEqualTo("300");
        });
    }

    /** Alice's transfer from A came back: she has what she had less her fee, and A's escrow holds nothing. */
    private void assertAliceRefundedOnA(String aliceA, BigInteger aliceBefore) {
        assertThat(a.balance(aliceA, "stake")).isEqualTo(aliceBefore.subtract(FEE));
        assertThat(a.balance(escrow(a, "channel-0"), "stake")).isZero();
    }

    /** A packet from alice on A to bob on B timed out: B received and minted nothing, alice got it back less her fee. */
    private void assertTimedOutAndRefunded(String aliceA, String bobB, BigInteger aliceBefore) {
        assertThat(events(b, "recv_packet")).isEmpty();
        assertThat(b.balance(bobB, voucher("transfer/channel-0/stake"))).isZero();
        assertAliceRefundedOnA(aliceA, aliceBefore);
    }

    @Test
    void forwardThatKeepsTimingOutIsRetriedThenRefunded() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String carolC = devnet.account("carol").address("juno");
        String memo = "{\"forward\":{\"receiver\":\"" + carolC + "\",\"port\":\"transfer\",\"channel\":\"channel-1\",\"timeout\":\"30s\",\"retries\":1}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        c.advanceTime(Duration.ofHours(1)); // C is far ahead: every forward to it arrives expired
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("250", "stake"), "pfm", nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        assertThat(events(b, "timeout_packet")).hasSize(2);
        assertThat(events(b, "write_acknowledgement")).singleElement().satisfies(e -> assertThat(e.attr("packet_ack")).isEqualTo(
                "{\"error\":\"packet-forward-middleware error: giving up on packet on channel (channel-0) port (transfer) after max retries\"}"));
        assertThat(c.balance(carolC, voucher("transfer/channel-0/transfer/channel-0/stake"))).isZero();
        assertAliceRefundedOnA(aliceA, aliceBefore);
        assertThat(b.balance(escrow(b, "channel-1"), voucher("transfer/channel-0/stake"))).isZero();
        // nothing stuck in the middle: the PFM intermediary on B holds none of the voucher it briefly received
        String intermediaryB = Bech32Address.encode("osmo", AddressDerivation.pfmReceiver("channel-0", aliceA));
        assertThat(b.balance(intermediaryB, voucher("transfer/channel-0/stake"))).isZero();
        assertThat(events(a, "fungible_token_packet")).anySatisfy(e -> assertThat(e.attr("error"))
                .contains("giving up on packet on channel (channel-0) port (transfer) after max retries"));
        assertThat(pending(a)).isEmpty();
        assertThat(pending(b)).isEmpty();
    }

    @Test
    void hooksContractErrorGivesErrorAckAndDiscardsTheMint() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String contract = b.htlcContractAddress();
        String badCreate = "{\"create_htlc\":{\"receiver\":\"" + devnet.account("bob").address("osmo") + "\",\"hashlock\":\"" + "ab".repeat(32)
                + "\",\"timelock\":1,\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}";
        String memo = "{\"wasm\":{\"contract\":\"" + contract + "\",\"msg\":" + badCreate + "}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("100", "stake"), contract, nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        Event ack = events(b, "write_acknowledgement").getFirst();
        assertThat(ack.attr("packet_ack")).isEqualTo("{\"error\":\"ABCI code: 6: error handling packet: see events for details\"}");
        assertThat(events(b, "ibc-acknowledgement-error")).singleElement()
                .satisfies(e -> assertThat(e.attr("error")).contains("timelock must be in the future"));
        assertThat(b.balance(contract, voucher("transfer/channel-0/stake"))).isZero();
        assertThat(events(b, "denomination_trace")).isEmpty();
        assertAliceRefundedOnA(aliceA, aliceBefore);
    }

    @Test
    void theHooksFaultSwitchFailsAValidCreateUntilCleared() throws Exception {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String contract = b.htlcContractAddress();
        String create = "{\"create_htlc\":{\"receiver\":\"" + devnet.account("bob").address("osmo") + "\",\"hashlock\":\""
                + "ab".repeat(32) + "\",\"timelock\":" + (b.state().now().getEpochSecond() + 3600)
                + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}";
        String memo = "{\"wasm\":{\"contract\":\"" + contract + "\",\"msg\":" + create + "}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        b.failIbcHooks("switched off by the test");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("100", "stake"), contract, nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        assertThat(events(b, "write_acknowledgement").getFirst().attr("packet_ack"))
                .isEqualTo("{\"error\":\"ABCI code: 6: error handling packet: see events for details\"}");
        assertThat(events(b, "ibc-acknowledgement-error")).singleElement()
                .satisfies(e -> assertThat(e.attr("error")).contains("switched off by the test"));
        assertThat(b.balance(contract, voucher("transfer/channel-0/stake"))).isZero();
        assertThat(a.balance(aliceA, "stake")).isEqualTo(aliceBefore.subtract(FEE));
        assertThat(smartQuery(b, "{\"list_htlcs\":{\"start_after\":null,\"limit\":null}}").get("htlcs")).isEmpty();

        b.clearIbcHooksFault();
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("100", "stake"), contract, nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();
        assertThat(b.balance(contract, voucher("transfer/channel-0/stake"))).isEqualTo(BigInteger.valueOf(100));
        assertThat(smartQuery(b, "{\"list_htlcs\":{\"start_after\":null,\"limit\":null}}").get("htlcs")).hasSize(1);
    }

    @Test
    void theChannelQueryAnswersEachEndAndNotFoundAsTheSdkWrapsIt() throws Exception {
        QueryResult q = b.state().query("/ibc.core.channel.v1.Query/Channel", QueryChannelRequest.newBuilder()
                .setPortId("transfer").setChannelId("channel-1").build().toByteArray(), 0);
        assertThat(q.code()).as(q.log()).isZero();
        QueryChannelResponse r = QueryChannelResponse.parseFrom(q.value());
        assertThat(r.getChannel().getState()).isEqualTo(State.STATE_OPEN);
        assertThat(r.getChannel().getOrdering()).isEqualTo(Order.ORDER_UNORDERED);
        assertThat(r.getChannel().getCounterparty().getPortId()).isEqualTo("transfer");
        assertThat(r.getChannel().getCounterparty().getChannelId()).isEqualTo("channel-0"); // C's end of B ↔ C
        assertThat(r.getChannel().getConnectionHopsList()).containsExactly("connection-1");
        assertThat(r.getChannel().getVersion()).isEqualTo("ics20-1");
        assertThat(r.getProofHeight().getRevisionHeight()).isEqualTo(q.height());

        QueryResult missing = b.state().query("/ibc.core.channel.v1.Query/Channel", QueryChannelRequest.newBuilder()
                .setPortId("transfer").setChannelId("channel-9").build().toByteArray(), 0);
        assertThat(missing.code()).isEqualTo(22);
        assertThat(missing.log()).isEqualTo(
                "rpc error: code = NotFound desc = port-id: transfer, channel-id channel-9: channel not found: key not found");
        QueryResult blank = b.state().query("/ibc.core.channel.v1.Query/Channel", QueryChannelRequest.newBuilder()
                .setPortId("transfer").build().toByteArray(), 0);
        assertThat(blank.code()).isEqualTo(18);
    }

    @Test
    void relayedPacketsAreIndexedTxsInBlocks() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("5", "stake"), devnet.account("bob").address("osmo"),
                nanos(a, Duration.ofMinutes(10)), ""));
        devnet.settle();
        Block withRecv = null;
        for (long h = 1; h <= b.height(); h++) {
            Block blk = b.state().block(h);
            if (!blk.txs().isEmpty()) {
                withRecv = blk;
            }
        }
        assertThat(withRecv).isNotNull();
        assertThat(withRecv.results().getFirst().events()).extracting(Event::type).contains("recv_packet", "fungible_token_packet", "write_acknowledgement");
        assertThat(b.state().tx(AddressDerivation.sha256(withRecv.txs().getFirst()))).isNotNull();
    }

    @Test
    void nextAsEscapedStringAndHooksReceiverMismatchGiveErrorAckCode2AndRefund() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String contract = c.htlcContractAddress();
        String carolC = devnet.account("carol").address("juno");
        // the hooks memo targets the contract but the packet's receiver is carol: ibc-hooks refuses it
        String next = "{\"wasm\":{\"contract\":\"" + contract + "\",\"msg\":{\"refund\":{\"htlc_id\":\"htlc_1\"}}}}";
        String memo = "{\"forward\":{\"receiver\":\"" + carolC + "\",\"port\":\"transfer\",\"channel\":\"channel-1\",\"next\":"
                + RpcClient.JSON.getNodeFactory().textNode(next) + "}}";
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        submit(a, alice, TestTxs.transfer(aliceA, "channel-0", coin("90", "stake"), "pfm", nanos(a, Duration.ofMinutes(10)), memo));
        devnet.settle();

        Event recvC = events(c, "recv_packet").getFirst();
        assertThat(recvC.attr("packet_data")).contains("\"memo\":" + RpcClient.JSON.getNodeFactory().textNode(next));
        assertThat(events(c, "write_acknowledgement").getFirst().attr("packet_ack"))
                .isEqualTo("{\"error\":\"ABCI code: 2: error handling packet: see events for details\"}");
        assertThat(c.balance(carolC, voucher("transfer/channel-0/transfer/channel-0/stake"))).isZero();
        assertAliceRefundedOnA(aliceA, aliceBefore);
    }

    @Test
    void heightTimeoutOnTheDestinationRefundsTheSender() {
        DevnetKey alice = devnet.account("alice").key();
        String aliceA = alice.address("cosmos");
        String bobB = devnet.account("bob").address("osmo");
        BigInteger aliceBefore = a.balance(aliceA, "stake");
        devnet.relayer().pause();
        long timeoutHeight = b.height() + 2;
        submit(a, alice, TestTxs.transferWithHeightTimeout(aliceA, "channel-0", coin("42", "stake"), bobB, 0, timeoutHeight));
        a.produceBlock();
        b.produceBlock();
        b.produceBlock(); // B is now at the timeout height: the next block cannot receive the packet
        devnet.relayer().resume();
        devnet.settle();
        assertTimedOutAndRefunded(aliceA, bobB, aliceBefore);
        assertThat(events(a, "timeout_packet")).singleElement()
                .satisfies(e -> assertThat(e.attr("packet_timeout_height")).isEqualTo("0-" + timeoutHeight));
    }
}
