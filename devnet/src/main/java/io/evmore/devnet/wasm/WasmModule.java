package io.evmore.devnet.wasm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.evmore.devnet.chain.ChainContext;
import io.evmore.devnet.chain.ChainState;
import io.evmore.devnet.chain.Coins;
import io.evmore.devnet.chain.Event;
import io.evmore.devnet.chain.MsgContext;
import io.evmore.devnet.chain.SdkException;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmwasm.wasm.v1.AbsoluteTxPosition;
import io.evmore.proto.cosmwasm.wasm.v1.ContractInfo;
import io.evmore.proto.cosmwasm.wasm.v1.QueryContractInfoRequest;
import io.evmore.proto.cosmwasm.wasm.v1.QueryContractInfoResponse;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest;
import io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateResponse;
import java.util.ArrayList;
import java.util.List;

/** The devnet's wasm module: runs hosted Java contracts with wasmd's events, errors and gas charges. */
public final class WasmModule {
    public static final ObjectMapper JSON = new ObjectMapper();
    /** Flat cost standing in for wasmd's VM instance and execution gas, so simulation stays realistic. */
    static final long EXECUTE_COST = 60_000;
    static final long QUERY_COST = 30_000;
    static final long COST_PER_MSG_BYTE = 5;

    private WasmModule() {}

    /**
     * MsgExecuteContract: funds to the contract, then execute; events {@code execute}, {@code wasm}, then
     * the contract's own bank sends. Returns the contract's response data (null for none).
     */
    public static byte[] execute(MsgContext ctx, String sender, String contractAddr, byte[] msg, List<Coin> funds) {
        WasmContract contract = ctx.chain.contract(contractAddr);
        if (contract == null) {
            throw new SdkException(8, "wasm", "no such contract: " + contractAddr + ": not found");
        }
        ctx.meter.consume(EXECUTE_COST, "Loading CosmWasm module: execute");
        ctx.meter.consume(COST_PER_MSG_BYTE * msg.length, "wasm contract execution");
        JsonNode json;
        try {
            json = JSON.readTree(msg);
        } catch (Exception e) {
            throw new SdkException(5, "wasm", "Error parsing into type evmore_htlc::msg::ExecuteMsg: Invalid type: execute wasm contract failed");
        }
        // wasmd moves the funds through the bank keeper directly and drops its `message` events (coinTransferrer);
        // it drops them from the contract's dispatched bank messages too (filterMessageEvents): no message{sender}
        // inside a wasm call, unlike a plain MsgSend.
        List<Event> transfer = new ArrayList<>();
        ctx.state.send(sender, contractAddr, funds, transfer);
        withoutMessageEvents(transfer).forEach(ctx.events::add);
        List<MessageInfo.Coin> infoFunds = new ArrayList<>();
        for (Coin c : funds) {
            infoFunds.add(new MessageInfo.Coin(c.getDenom(), Coins.amount(c)));
        }
        KvContractContext cc = new KvContractContext(ctx.state, ctx.chain.chainId(), ctx.height,
                ctx.time.getEpochSecond(), contractAddr);
        ExecuteResult result;
        try {
            result = contract.execute(cc, new MessageInfo(sender, infoFunds), json);
        } catch (ContractError e) {
            throw new SdkException(5, "wasm", e.getMessage() + ": execute wasm contract failed");
        } catch (SdkException e) {
            // A bank send inside the contract failed (wasmd reports dispatch errors through the wasm module too).
            throw new SdkException(5, "wasm", e.log() + ": execute wasm contract failed");
        } catch (RuntimeException e) {
            throw new SdkException(5, "wasm", "Generic error: " + e.getMessage() + ": execute wasm contract failed");
        }
        ctx.events.add(Event.of("execute", "_contract_address", contractAddr));
        if (!result.attributes().isEmpty()) {
            Event wasm = Event.of("wasm", "_contract_address", contractAddr);
            for (var a : result.attributes()) {
                if (a.key().isEmpty()) {
                    throw new SdkException(5, "wasm", "Generic error: empty attribute key: execute wasm contract failed");
                }
                wasm = wasm.with(a.key(), a.value());
            }
            ctx.events.add(wasm);
        }
        ctx.events.addAll(withoutMessageEvents(cc.bankEvents()));
        return result.data();
    }

    private static List<Event> withoutMessageEvents(List<Event> events) {
        return events.stream().filter(e -> !e.type().equals("message")).toList();
    }

    public static byte[] smartQuery(ChainContext chain, ChainState st, long height, QuerySmartContractStateRequest req) {
        WasmContract contract = chain.contract(req.getAddress());
        if (contract == null) {
            throw new SdkException(8, "wasm", "no such contract: " + req.getAddress() + ": not found");
        }
        JsonNode msg;
        try {
            msg = JSON.readTree(req.getQueryData().toByteArray());
            if (msg == null || !msg.isObject()) {
                throw new IllegalArgumentException("not an object");
            }
        } catch (Exception e) {
            throw new SdkException(2, "wasm", "query data must be json: invalid");
        }
        KvContractContext cc = new KvContractContext(st, chain.chainId(), height,
                chain.block(height) == null ? chain.now().getEpochSecond() : chain.block(height).time().getEpochSecond(),
                req.getAddress());
        try {
            JsonNode answer = contract.query(cc, msg);
            return QuerySmartContractStateResponse.newBuilder()
                    .setData(com.google.protobuf.ByteString.copyFrom(JSON.writeValueAsBytes(answer))).build().toByteArray();
        } catch (ContractError e) {
            throw SdkException.sdk(6, e.getMessage() + ": query wasm contract failed: unknown request");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            throw SdkException.sdk(6, "Generic error: " + e.getMessage() + ": query wasm contract failed: unknown request");
        }
    }

    public static byte[] contractInfo(ChainContext chain, QueryContractInfoRequest req) {
        if (chain.contract(req.getAddress()) == null) {
            throw SdkException.sdk(6, "address " + req.getAddress() + ": no such contract: unknown request");
        }
        return QueryContractInfoResponse.newBuilder().setAddress(req.getAddress())
                .setContractInfo(ContractInfo.newBuilder().setCodeId(1).setCreator(new ChainState(null, chain.spec().prefix()).moduleAddress("devnet-genesis"))
                        .setLabel("evmore-htlc").setCreated(AbsoluteTxPosition.newBuilder().setBlockHeight(0).setTxIndex(0)))
                .build().toByteArray();
    }
}
