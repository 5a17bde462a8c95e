package io.evmore.devnet.ibc;

import static io.evmore.devnet.ibc.TransferModule.SUCCESS_ACK;
import static io.evmore.devnet.ibc.TransferModule.json;
import static io.evmore.devnet.ibc.TransferModule.receive;
import static io.evmore.devnet.ibc.TransferModule.tokenEvent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.evmore.devnet.chain.Coins;
import io.evmore.devnet.chain.MsgContext;
import io.evmore.devnet.chain.SdkException;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.TransferModule.PacketData;
import io.evmore.devnet.ibc.TransferModule.Received;
import io.evmore.devnet.wasm.WasmModule;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * ibc-hooks (v8) on one chain's transfer receive: a packet whose memo carries {@code wasm} is credited to the
 * sender's intermediary address, which then executes the contract with the funds; the ack carries the contract's
 * result. With the devnet's fault switch to make every execution fail.
 */
final class IbcHooks {
    /** Fault switch: while set, every IBC-hooks execution on this chain fails as a contract error with this text. */
    private volatile String hooksFault;

    /** See {@link TransferModule#failHooks(String)}. */
    void fail(String reason) {
        if (reason == null || reason.isBlank()) {
            throw new IllegalArgumentException("a hooks fault needs a reason");
        }
        hooksFault = reason;
    }

    void clearFault() {
        hooksFault = null;
    }

    /** A receive whose memo has a {@code wasm} key: credit the intermediary, then execute the contract with the funds. */
    byte[] execute(MsgContext ctx, Packet p, PacketData d, JsonNode wasm) {
        String contract = wasm.path("contract").asText("");
        JsonNode msg = wasm.get("msg");
        if (contract.isEmpty() || msg == null || !msg.isObject()) {
            throw new SdkException(2, "hooks", "error in wasmhook message validation: wasm metadata is not a valid JSON map object: bad message");
        }
        if (!contract.equals(d.receiver())) {
            throw new SdkException(2, "hooks", "receiver is not properly set: the receiver should be the contract: bad message");
        }
        String intermediary = Bech32Address.encode(ctx.state.prefix(), AddressDerivation.hooksSender(p.destChannel(), d.sender()));
        Received r = receive(ctx, p, d, intermediary);
        ctx.events.add(tokenEvent(d, true, null));
        String fault = hooksFault;
        if (fault != null) {
            throw new SdkException(6, "hooks", "Generic error: " + fault + ": error executing wasm contract");
        }
        byte[] data;
        try {
            data = WasmModule.execute(ctx, intermediary, contract, json(msg), List.of(Coins.coin(r.localDenom(), r.amount())));
        } catch (SdkException e) {
            throw new SdkException(6, "hooks", e.log().replace(": execute wasm contract failed", "") + ": error executing wasm contract");
        }
        ObjectNode hookAck = WasmModule.JSON.createObjectNode();
        if (data == null) {
            hookAck.putNull("contract_result");
        } else {
            hookAck.put("contract_result", Base64.getEncoder().encodeToString(data));
        }
        hookAck.put("ibc_ack", Base64.getEncoder().encodeToString(SUCCESS_ACK.getBytes(StandardCharsets.UTF_8)));
        ObjectNode ack = WasmModule.JSON.createObjectNode();
        ack.put("result", Base64.getEncoder().encodeToString(json(hookAck)));
        return json(ack);
    }
}
