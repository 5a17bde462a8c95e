package io.evmore.devnet.chain;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.devnet.chain.TxRunner.Mode;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.devnet.ibc.Channel;
import io.evmore.devnet.wasm.WasmModule;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountRequest;
import io.evmore.proto.cosmos.auth.v1beta1.QueryAccountResponse;
import io.evmore.proto.cosmos.bank.v1beta1.QueryAllBalancesRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryAllBalancesResponse;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceRequest;
import io.evmore.proto.cosmos.bank.v1beta1.QueryBalanceResponse;
import io.evmore.proto.cosmos.base.abci.v1beta1.GasInfo;
import io.evmore.proto.cosmos.base.abci.v1beta1.Result;
import io.evmore.proto.cosmos.base.abci.v1beta1.TxMsgData;
import io.evmore.proto.cosmos.base.query.v1beta1.PageResponse;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateRequest;
import io.evmore.proto.cosmos.tx.v1beta1.SimulateResponse;
import java.util.List;

/**
 * A chain's ABCI query router: auth, bank, tx simulation, wasm, IBC transfer and channel queries, against the
 * committed state at the asked height, with the SDK's error codes and texts. Runs inside the chain's monitor
 * ({@link CosmosChain#query}).
 */
final class QueryRouter {
    private final CosmosChain chain;
    private final TxRunner txs;

    QueryRouter(CosmosChain chain, TxRunner txs) {
        this.chain = chain;
        this.txs = txs;
    }

    /** ABCI query at {@code height} (0 = latest). */
    QueryResult query(String path, byte[] data, long height) {
        long latest = chain.latestHeight();
        long h = height <= 0 ? latest : height;
        if (h > latest) {
            return new QueryResult(26, "cannot query with height in the future; please provide a valid height: invalid height",
                    null, h, "sdk");
        }
        MemKv kv = chain.committedAt(h);
        if (kv == null) {
            return new QueryResult(26, "failed to load state at height " + h + "; version does not exist: invalid height",
                    null, h, "sdk");
        }
        ChainState st = new ChainState(kv, chain.spec().prefix());
        try {
            byte[] value = switch (path) {
                case "/cosmos.auth.v1beta1.Query/Account" -> {
                    String addr = QueryAccountRequest.parseFrom(data).getAddress();
                    queryAddress(addr);
                    BaseAccount acc = st.account(addr);
                    if (acc == null) {
                        throw SdkException.sdk(22, "rpc error: code = NotFound desc = account " + addr + " not found: key not found");
                    }
                    yield QueryAccountResponse.newBuilder().setAccount(Any.pack(acc, "")
                            .toBuilder().setTypeUrl("/cosmos.auth.v1beta1.BaseAccount").build()).build().toByteArray();
                }
                case "/cosmos.bank.v1beta1.Query/Balance" -> {
                    QueryBalanceRequest req = QueryBalanceRequest.parseFrom(data);
                    queryAddress(req.getAddress());
                    if (!Coins.validDenom(req.getDenom())) {
                        throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = invalid denom " + req.getDenom() + ": invalid request");
                    }
                    yield QueryBalanceResponse.newBuilder().setBalance(Coins.coin(req.getDenom(),
                            st.balance(req.getAddress(), req.getDenom()))).build().toByteArray();
                }
                case "/cosmos.bank.v1beta1.Query/AllBalances" -> {
                    QueryAllBalancesRequest req = QueryAllBalancesRequest.parseFrom(data);
                    queryAddress(req.getAddress());
                    List<Coin> all = st.allBalances(req.getAddress());
                    yield QueryAllBalancesResponse.newBuilder().addAllBalances(all)
                            .setPagination(PageResponse.newBuilder().setTotal(all.size())).build().toByteArray();
                }
                case "/cosmos.tx.v1beta1.Service/Simulate" -> simulate(SimulateRequest.parseFrom(data).getTxBytes().toByteArray());
                case "/cosmwasm.wasm.v1.Query/SmartContractState" -> WasmModule.smartQuery(chain, st, h,
                        io.evmore.proto.cosmwasm.wasm.v1.QuerySmartContractStateRequest.parseFrom(data));
                case "/cosmwasm.wasm.v1.Query/ContractInfo" -> WasmModule.contractInfo(chain,
                        io.evmore.proto.cosmwasm.wasm.v1.QueryContractInfoRequest.parseFrom(data));
                case "/ibc.applications.transfer.v1.Query/DenomTrace" -> chain.transfer().queryDenomTrace(st,
                        io.evmore.proto.ibc.applications.transfer.v1.QueryDenomTraceRequest.parseFrom(data));
                case "/ibc.core.channel.v1.Query/Channel" -> queryChannel(
                        io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest.parseFrom(data), h);
                default -> throw SdkException.sdk(6, "unknown query path: unknown request");
            };
            return QueryResult.ok(value, h);
        } catch (SdkException e) {
            return QueryResult.error(e, h);
        } catch (InvalidProtocolBufferException e) {
            return QueryResult.error(SdkException.sdk(18, "rpc error: code = InvalidArgument desc = " + e.getMessage() + ": invalid request"), h);
        }
    }

    /**
     * ibc-go's Query/Channel: the channel end (every devnet channel is an OPEN, unordered ICS-20 channel), no
     * proof, proof height = the queried height. A missing channel is gRPC NotFound, which the SDK answers as
     * code 22 with the wrapped text.
     */
    private byte[] queryChannel(io.evmore.proto.ibc.core.channel.v1.QueryChannelRequest req, long h) {
        for (String id : new String[] {req.getPortId(), req.getChannelId()}) {
            if (id.isBlank()) {
                throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = identifier cannot be blank: invalid identifier: invalid request");
            }
        }
        Channel ch = chain.channel(req.getChannelId());
        if (ch == null || !req.getPortId().equals(Channel.PORT)) {
            throw SdkException.sdk(22, "rpc error: code = NotFound desc = port-id: " + req.getPortId() + ", channel-id "
                    + req.getChannelId() + ": channel not found: key not found");
        }
        var channel = io.evmore.proto.ibc.core.channel.v1.Channel.newBuilder()
                .setState(io.evmore.proto.ibc.core.channel.v1.State.STATE_OPEN)
                .setOrdering(io.evmore.proto.ibc.core.channel.v1.Order.ORDER_UNORDERED)
                .setCounterparty(io.evmore.proto.ibc.core.channel.v1.Counterparty.newBuilder()
                        .setPortId(Channel.PORT).setChannelId(ch.counterpartyChannelId()))
                .addConnectionHops(ch.connectionId()).setVersion("ics20-1");
        return io.evmore.proto.ibc.core.channel.v1.QueryChannelResponse.newBuilder().setChannel(channel)
                .setProofHeight(io.evmore.proto.ibc.core.client.v1.Height.newBuilder()
                        .setRevisionNumber(chain.spec().revisionNumber()).setRevisionHeight(h))
                .build().toByteArray();
    }

    private void queryAddress(String addr) {
        try {
            Bech32Address.decode(addr, chain.spec().prefix());
        } catch (IllegalArgumentException e) {
            throw SdkException.sdk(18, "rpc error: code = InvalidArgument desc = invalid address " + addr + ": invalid request");
        }
    }

    /** Simulate: the full tx in a throwaway cache, signatures unchecked, sequence checked, infinite gas. */
    private byte[] simulate(byte[] txBytes) {
        CacheKv scratch = new CacheKv(chain.checkState());
        ExecResult r = txs.run(txBytes, Mode.SIMULATE, scratch, chain.latestHeight() + 1, chain.now(), new MsgContext[1]);
        if (!r.ok()) {
            if (chain.simulatesErrorsAsSdk6()) {
                String source = "wasm".equals(r.codespace())
                        ? "github.com/CosmWasm/wasmd@v0.54.9/x/wasm/keeper/keeper.go:411"
                        : "github.com/cosmos/cosmos-sdk@v0.50.15/baseapp/baseapp.go:1003";
                throw SdkException.sdk(6, "rpc error: code = Unknown desc = " + r.log() + " [" + source
                        + "] with gas used: '" + r.gasUsed() + "': unknown request");
            }
            throw new SdkException(r.code(), r.codespace(), r.log());
        }
        Result.Builder result = Result.newBuilder().setLog("");
        try {
            TxMsgData md = TxMsgData.parseFrom(r.data());
            result.setData(ByteString.copyFrom(r.data())).addAllMsgResponses(md.getMsgResponsesList());
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
        for (Event e : r.events()) {
            var pe = io.evmore.proto.tendermint.abci.Event.newBuilder().setType(e.type());
            for (var a : e.attributes()) {
                pe.addAttributes(io.evmore.proto.tendermint.abci.EventAttribute.newBuilder()
                        .setKey(a.key()).setValue(a.value()).setIndex(a.index()));
            }
            result.addEvents(pe);
        }
        return SimulateResponse.newBuilder()
                .setGasInfo(GasInfo.newBuilder().setGasWanted(-1L).setGasUsed(r.gasUsed()))
                .setResult(result).build().toByteArray();
    }
}
