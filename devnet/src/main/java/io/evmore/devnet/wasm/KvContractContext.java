package io.evmore.devnet.wasm;

import com.google.protobuf.ByteString;
import io.evmore.devnet.chain.ChainState;
import io.evmore.devnet.chain.Coins;
import io.evmore.devnet.chain.Event;
import io.evmore.devnet.chain.Kv;
import io.evmore.devnet.crypto.Bech32Address;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A contract's view of the chain: its own prefixed store inside the chain state (so a failed tx or packet
 * discards its writes with the rest) and bank sends whose events are collected to be emitted after the
 * {@code wasm} event, where wasmd puts the events of a contract's BankMsg::Send.
 */
public final class KvContractContext implements ContractContext {
    private final ChainState state;
    private final String chainId;
    private final long height;
    private final long timeSeconds;
    private final String contract;
    private final ByteString prefix;
    private final List<Event> bankEvents = new ArrayList<>();

    public KvContractContext(ChainState state, String chainId, long height, long timeSeconds, String contract) {
        this.state = state;
        this.chainId = chainId;
        this.height = height;
        this.timeSeconds = timeSeconds;
        this.contract = contract;
        this.prefix = Kv.key("wasm/" + contract + "/");
    }

    public List<Event> bankEvents() {
        return bankEvents;
    }

    @Override
    public String chainId() {
        return chainId;
    }

    @Override
    public long blockHeight() {
        return height;
    }

    @Override
    public long blockTimeSeconds() {
        return timeSeconds;
    }

    @Override
    public String contractAddress() {
        return contract;
    }

    @Override
    public boolean isValidAddress(String address) {
        return Bech32Address.isValid(address, state.prefix());
    }

    @Override
    public Optional<byte[]> get(byte[] key) {
        ByteString v = state.kv().get(prefix.concat(ByteString.copyFrom(key)));
        return Optional.ofNullable(v).map(ByteString::toByteArray);
    }

    @Override
    public void set(byte[] key, byte[] value) {
        state.kv().set(prefix.concat(ByteString.copyFrom(key)), ByteString.copyFrom(value));
    }

    @Override
    public void remove(byte[] key) {
        state.kv().delete(prefix.concat(ByteString.copyFrom(key)));
    }

    @Override
    public Iterable<byte[]> keys(byte[] keyPrefix, byte[] startAfter) {
        ByteString p = prefix.concat(ByteString.copyFrom(keyPrefix));
        ByteString after = startAfter == null ? null : prefix.concat(ByteString.copyFrom(startAfter));
        List<byte[]> out = new ArrayList<>();
        for (var e : state.kv().scan(p, after)) {
            out.add(e.getKey().substring(prefix.size()).toByteArray());
        }
        return out;
    }

    @Override
    public void bankSend(String to, String denom, BigInteger amount) {
        if (!isValidAddress(to)) {
            throw new IllegalArgumentException("invalid bank send recipient: " + to);
        }
        if (amount.signum() <= 0) {
            throw new IllegalArgumentException("bank send amount must be positive, got " + amount);
        }
        state.send(contract, to, List.of(Coins.coin(denom, amount)), bankEvents);
    }
}
