package io.evmore.cosmos.tx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import io.evmore.cosmos.NodeTools;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.cosmos.key.HdPath;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java keys and encoders against cosmjs 0.39 (pinned in tools/node) as an independent implementation. */
class CosmjsCrossCheckIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HexFormat HEX = HexFormat.of();
    /** A fixed 24-word mnemonic (fixed entropy, so the checksum word is right). */
    static final String MNEMONIC = org.web3j.crypto.MnemonicUtils.generateMnemonic(
            HEX.parseHex("7f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"));
    static final String CONTRACT = "cosmos14hj2tavq8fpesdwxxcu44rty3hh90vhujrvcmstl4zr3txmfvw9s4hmalr";

    @Test
    void sameAddressesSignDocTxRawAndCosmjsVerifiesTheJavaSignature() throws Exception {
        check(MNEMONIC, "m/44'/118'/0'/0/0", 7, 3, "devnet-1", "swap 42");
        check(MNEMONIC, "m/44'/118'/0'/0/3", 0, 0, "osmosis-1", ""); // account 0 / sequence 0 are omitted on the wire
    }

    void check(String mnemonic, String hdPath, long accountNumber, long sequence, String chainId, String memo)
            throws Exception {
        CosmosSigner signer = CosmosSigner.fromMnemonic(mnemonic, HdPath.parse(hdPath));
        String from = signer.address("cosmos").toString();
        String to = "cosmos19rl4cm2hmr8afy4kldpxz3fka4jguq0auqdal4";
        String executeJson = "{\"create_htlc\":{\"receiver\":\"" + to + "\",\"hashlock\":\"" + "ab".repeat(32)
                + "\",\"timelock\":1700000100,\"target_chain\":\"eip155:1\",\"target_address\":\"0xabc\"}}";
        String forwardMemo = "{\"forward\":{\"receiver\":\"pfm\",\"port\":\"transfer\",\"channel\":\"channel-1\"}}";
        List<Any> msgs = List.of(
                CosmosMessages.send(from, to, CosmosMessages.coin("stake", BigInteger.valueOf(12345))),
                CosmosMessages.executeContract(from, CONTRACT, executeJson,
                        CosmosMessages.coin("stake", BigInteger.valueOf(100))),
                CosmosMessages.transfer("transfer", "channel-0", CosmosMessages.coin("stake", BigInteger.TEN), from,
                        "osmo1receiver", 0, 0, 1_700_000_600_000_000_000L, forwardMemo));
        TxFee fee = new TxFee("stake", BigInteger.valueOf(5000), 200_000);
        SignedTx tx = TxBuilder.sign(signer, chainId, accountNumber, sequence, msgs, memo, fee);

        ObjectNode in = JSON.createObjectNode();
        in.put("mnemonic", mnemonic).put("hdPath", hdPath);
        in.putArray("prefixes").add("cosmos").add("osmo");
        ObjectNode t = in.putObject("tx");
        t.put("chainId", chainId).put("accountNumber", accountNumber).put("sequence", sequence).put("memo", memo)
                .put("feeDenom", "stake").put("feeAmount", "5000").put("gasLimit", 200_000);
        ArrayNode m = t.putArray("messages");
        m.addObject().put("type", "send").put("from", from).put("to", to).putArray("amount").addObject()
                .put("denom", "stake").put("amount", "12345");
        ObjectNode ex = m.addObject().put("type", "execute").put("sender", from).put("contract", CONTRACT)
                .put("msg", executeJson);
        ex.putArray("funds").addObject().put("denom", "stake").put("amount", "100");
        ObjectNode tr = m.addObject().put("type", "transfer").put("sourcePort", "transfer")
                .put("sourceChannel", "channel-0").put("sender", from).put("receiver", "osmo1receiver")
                .put("timeoutRevisionNumber", 0).put("timeoutRevisionHeight", 0)
                .put("timeoutTimestamp", "1700000600000000000").put("memo", forwardMemo);
        tr.putObject("token").put("denom", "stake").put("amount", "10");
        byte[] signature = java.util.Arrays.copyOfRange(tx.txRaw(), tx.txRaw().length - 64, tx.txRaw().length);
        in.put("javaSignatureHex", HEX.formatHex(signature)).put("javaSignDocHex", HEX.formatHex(tx.signDoc()))
                .put("javaPubkeyHex", HEX.formatHex(signer.publicKey()));

        JsonNode out = JSON.readTree(NodeTools.runScript("crosscheck.mjs", JSON.writeValueAsString(in)));

        assertThat(out.get("addresses").get("cosmos").asText()).isEqualTo(signer.address("cosmos").toString());
        assertThat(out.get("addresses").get("osmo").asText()).isEqualTo(signer.address("osmo").toString());
        assertThat(out.get("pubkey").asText()).isEqualTo(HEX.formatHex(signer.publicKey()));
        assertThat(HEX.formatHex(tx.signDoc())).isEqualTo(out.get("signDocHex").asText());
        assertThat(HEX.formatHex(tx.txRaw())).isEqualTo(out.get("txRawHex").asText());
        assertThat(HEX.formatHex(signature)).isEqualTo(out.get("signatureHex").asText()); // both RFC 6979
        assertThat(out.get("javaSignatureValid").asBoolean()).isTrue();
        assertThat(out.get("tamperedSignatureValid").asBoolean()).isFalse();
    }
}
