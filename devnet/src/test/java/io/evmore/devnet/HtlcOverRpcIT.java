package io.evmore.devnet;

import static io.evmore.devnet.TestTxs.coin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.evmore.devnet.chain.ChainSpec;
import io.evmore.devnet.chain.ExecResult;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.DevnetKey;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmwasm.wasm.v1.MsgExecuteContractResponse;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateResponse;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The hosted HTLC contract driven through signed MsgExecuteContract txs and smart queries over RPC. */
class HtlcOverRpcIT {
    static final String CHAIN = "devnet-htlc-1";
    static Devnet devnet;
    static DevnetChain chain;
    static RpcClient rpc;
    static String contract;

    @BeforeAll
    static void start() {
        devnet = Devnet.builder().chain(new ChainSpec(CHAIN, "cosmos", "stake")).manualBlocks().start();
        chain = devnet.chain(CHAIN);
        rpc = new RpcClient(chain.rpcUrl());
        contract = chain.htlcContractAddress();
    }

    @AfterAll
    static void stop() {
        devnet.close();
    }

    static ExecResult exec(DevnetKey key, String json, List<io.evmore.proto.cosmos.base.v1beta1.Coin> funds) throws Exception {
        String addr = key.address("cosmos");
        BaseAccount acc = chain.state().account(addr);
        byte[] tx = TestTxs.sign(key, CHAIN, acc.getAccountNumber(), acc.getSequence(),
                List.of(TestTxs.execute(addr, contract, json, funds)), coin("10000", "stake"), 400_000, "");
        JsonNode r = rpc.broadcast(tx);
        assertThat(r.get("code").asInt()).as(r.toString()).isZero();
        chain.produceBlock();
        return chain.state().tx(AddressDerivation.sha256(tx)).result();
    }

    static JsonNode query(String json) throws Exception {
        JsonNode r = rpc.abciQuery("/cosmwasm.wasm.v1.Query/SmartContractState", QuerySmartContractStateRequest.newBuilder()
                .setAddress(contract).setQueryData(ByteString.copyFromUtf8(json)).build().toByteArray());
        if (r.get("code").asInt() != 0) {
            return r;
        }
        return RpcClient.JSON.readTree(QuerySmartContractStateResponse.parseFrom(Base64.getDecoder().decode(r.get("value").asText()))
                .getData().toByteArray());
    }

    static String create(String receiver, String hashlock, long timelock, String amount) {
        return "{\"create_htlc\":{\"receiver\":\"" + receiver + "\",\"hashlock\":\"" + hashlock + "\",\"timelock\":" + timelock
                + ",\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}";
    }

    @Test
    void createThenWithdrawWithTheSecretPaysTheReceiverWithWasmdEvents() throws Exception {
        DevnetKey alice = devnet.account("alice").key();
        String aliceAddr = alice.address("cosmos");
        String bobAddr = devnet.account("bob").address("cosmos");
        byte[] secret = AddressDerivation.sha256("the secret".getBytes());
        String hashlock = HexFormat.of().withUpperCase().formatHex(AddressDerivation.sha256(secret));
        long timelock = chain.state().now().getEpochSecond() + 3600;
        BigInteger bobBefore = chain.balance(bobAddr, "stake");

        ExecResult created = exec(alice, create(bobAddr, hashlock, timelock, "1000"), List.of(coin("1000", "stake")));
        assertThat(created.code()).as(created.log()).isZero();
        assertThat(created.events()).extracting(e -> e.type()).containsExactly(
                "coin_spent", "coin_received", "transfer", "message", "tx", "tx", "tx",
                // no message{sender} after the funds transfer: wasmd drops it (checked on a real node: DevnetConformanceIT)
                "message", "coin_spent", "coin_received", "transfer", "execute", "wasm");
        var msgEvent = created.events().get(7);
        assertThat(msgEvent.attr("action")).isEqualTo("/cosmwasm.wasm.v1.MsgExecuteContract");
        assertThat(msgEvent.attr("module")).isEqualTo("wasm");
        var wasm = created.events().get(12);
        assertThat(wasm.attributes().get(0).key()).isEqualTo("_contract_address");
        assertThat(wasm.attributes().get(0).value()).isEqualTo(contract);
        assertThat(wasm.attr("method")).isEqualTo("create_htlc");
        assertThat(wasm.attr("hashlock")).isEqualTo(hashlock.toLowerCase());
        assertThat(wasm.attr("msg_index")).isEqualTo("0");
        TxMsgData data = TxMsgData.parseFrom(created.data());
        assertThat(data.getMsgResponses(0).getTypeUrl()).isEqualTo("/cosmwasm.wasm.v1.MsgExecuteContractResponse");
        String htlcId = RpcClient.JSON.readTree(MsgExecuteContractResponse.parseFrom(data.getMsgResponses(0).getValue())
                .getData().toByteArray()).get("htlc_id").asText();
        assertThat(chain.balance(contract, "stake")).isEqualTo(BigInteger.valueOf(1000));

        JsonNode htlc = query("{\"get_htlc\":{\"htlc_id\":\"" + htlcId + "\"}}");
        assertThat(htlc.get("sender").asText()).isEqualTo(aliceAddr);
        assertThat(htlc.get("state").asText()).isEqualTo("open");
        JsonNode search = rpc.result("tx_search", RpcClient.JSON.createObjectNode()
                .put("query", "wasm._contract_address='" + contract + "' AND wasm.htlc_id='" + htlcId + "'"));
        assertThat(search.get("total_count").asText()).isEqualTo("1");

        // a third party withdraws with the wrong secret: DeliverTx fails with wasmd's code and text
        DevnetKey carol = devnet.account("carol").key();
        ExecResult wrong = exec(carol, "{\"withdraw\":{\"htlc_id\":\"" + htlcId + "\",\"secret\":\"" + "00".repeat(32) + "\"}}", List.of());
        assertThat(wrong.code()).isEqualTo(5);
        assertThat(wrong.codespace()).isEqualTo("wasm");
        assertThat(wrong.log()).isEqualTo("failed to execute message; message index: 0: secret does not match hashlock: execute wasm contract failed");

        ExecResult withdrawn = exec(carol, "{\"withdraw\":{\"htlc_id\":\"" + htlcId + "\",\"secret\":\"" + HexFormat.of().formatHex(secret) + "\"}}", List.of());
        assertThat(withdrawn.code()).as(withdrawn.log()).isZero();
        assertThat(withdrawn.events()).extracting(e -> e.type()).endsWith("execute", "wasm", "coin_spent", "coin_received", "transfer");
        assertThat(withdrawn.events().getLast().attr("sender")).isEqualTo(contract);
        assertThat(chain.balance(bobAddr, "stake")).isEqualTo(bobBefore.add(BigInteger.valueOf(1000)));
        assertThat(chain.balance(contract, "stake")).isZero();
        assertThat(query("{\"get_htlc\":{\"htlc_id\":\"" + htlcId + "\"}}").get("secret").asText()).isEqualTo(HexFormat.of().formatHex(secret));
    }

    @Test
    void refundOnlyAfterTheTimelockAndQueryErrorsUseCode6() throws Exception {
        DevnetKey alice = devnet.account("alice").key();
        String aliceAddr = alice.address("cosmos");
        long timelock = chain.state().now().getEpochSecond() + 600;
        ExecResult created = exec(alice, create(devnet.account("bob").address("cosmos"), "ab".repeat(32), timelock, "50"), List.of(coin("50", "stake")));
        String htlcId = created.events().getLast().attr("htlc_id");
        ExecResult early = exec(alice, "{\"refund\":{\"htlc_id\":\"" + htlcId + "\"}}", List.of());
        assertThat(early.log()).isEqualTo("failed to execute message; message index: 0: htlc " + htlcId
                + " has not expired yet: execute wasm contract failed");
        BigInteger before = chain.balance(aliceAddr, "stake");
        chain.advanceTime(Duration.ofMinutes(11));
        ExecResult refunded = exec(devnet.account("carol").key(), "{\"refund\":{\"htlc_id\":\"" + htlcId + "\"}}", List.of());
        assertThat(refunded.code()).as(refunded.log()).isZero();
        assertThat(chain.balance(aliceAddr, "stake")).isEqualTo(before.add(BigInteger.valueOf(50)));

        JsonNode missing = query("{\"get_htlc\":{\"htlc_id\":\"htlc_999\"}}");
        assertThat(missing.get("code").asInt()).isEqualTo(6);
        assertThat(missing.get("log").asText()).isEqualTo("htlc htlc_999 not found: query wasm contract failed: unknown request");
    }
}
