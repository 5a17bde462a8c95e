package io.evmore.devnet.chain;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.evmore.devnet.crypto.AddressDerivation;
import io.evmore.devnet.crypto.Bech32Address;
import io.evmore.proto.cosmos.auth.v1beta1.BaseAccount;
import io.evmore.proto.cosmos.base.v1beta1.Coin;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed access to a chain's state (accounts, bank balances) over a {@link Kv}: the auth and bank keepers.
 * Events of bank transfers are appended to the given list in the SDK's order.
 */
public final class ChainState {
    private static final String ACC = "acc/", BAL = "bal/", META_ACC_NUM = "meta/next_account_number";

    private final Kv kv;
    private final String prefix;

    public ChainState(Kv kv, String prefix) {
        this.kv = kv;
        this.prefix = prefix;
    }

    public Kv kv() {
        return kv;
    }

    public String prefix() {
        return prefix;
    }

    public String moduleAddress(String module) {
        return Bech32Address.encode(prefix, AddressDerivation.moduleAccount(module));
    }

    // ---- auth

    public BaseAccount account(String address) {
        ByteString v = kv.get(Kv.key(ACC + address));
        if (v == null) {
            return null;
        }
        try {
            return BaseAccount.parseFrom(v);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("corrupt account " + address, e);
        }
    }

    public void setAccount(BaseAccount account) {
        kv.set(Kv.key(ACC + account.getAddress()), account.toByteString());
    }

    /** Creates the account with the next account number if it does not exist yet (as bank sends do). */
    public BaseAccount ensureAccount(String address) {
        BaseAccount acc = account(address);
        if (acc != null) {
            return acc;
        }
        ByteString n = kv.get(Kv.key(META_ACC_NUM));
        long next = n == null ? 0 : Long.parseLong(n.toStringUtf8());
        kv.set(Kv.key(META_ACC_NUM), ByteString.copyFromUtf8(Long.toString(next + 1)));
        acc = BaseAccount.newBuilder().setAddress(address).setAccountNumber(next).setSequence(0).build();
        setAccount(acc);
        return acc;
    }

    public static Any pubKeyAny(byte[] compressed) {
        return Any.newBuilder().setTypeUrl("/cosmos.crypto.secp256k1.PubKey")
                .setValue(io.evmore.proto.cosmos.crypto.secp256k1.PubKey.newBuilder()
                        .setKey(ByteString.copyFrom(compressed)).build().toByteString())
                .build();
    }

    // ---- bank

    public BigInteger balance(String address, String denom) {
        ByteString v = kv.get(Kv.key(BAL + address + "/" + denom));
        return v == null ? BigInteger.ZERO : new BigInteger(v.toStringUtf8());
    }

    public List<Coin> allBalances(String address) {
        List<Coin> out = new ArrayList<>();
        String p = BAL + address + "/";
        for (var e : kv.scan(Kv.key(p), null)) {
            out.add(Coin.newBuilder().setDenom(e.getKey().toStringUtf8().substring(p.length()))
                    .setAmount(e.getValue().toStringUtf8()).build());
        }
        return out;
    }

    private void setBalance(String address, String denom, BigInteger amount) {
        if (amount.signum() < 0) {
            throw new IllegalStateException("negative balance");
        }
        var k = Kv.key(BAL + address + "/" + denom);
        if (amount.signum() == 0) {
            kv.delete(k);
        } else {
            kv.set(k, ByteString.copyFromUtf8(amount.toString()));
        }
    }

    private void subtract(String address, List<Coin> coins) {
        for (Coin c : coins) {
            BigInteger have = balance(address, c.getDenom());
            BigInteger want = Coins.amount(c);
            if (have.compareTo(want) < 0) {
                throw SdkException.sdk(5, "spendable balance " + have + c.getDenom() + " is smaller than "
                        + want + c.getDenom() + ": insufficient funds");
            }
            setBalance(address, c.getDenom(), have.subtract(want));
        }
    }

    private void add(String address, List<Coin> coins) {
        ensureAccount(address);
        for (Coin c : coins) {
            setBalance(address, c.getDenom(), balance(address, c.getDenom()).add(Coins.amount(c)));
        }
    }

    /** bank SendCoins: coin_spent, coin_received, transfer, message{sender}. */
    public void send(String from, String to, List<Coin> coins, List<Event> events) {
        if (coins.isEmpty()) {
            return;
        }
        subtract(from, coins);
        add(to, coins);
        String amt = Coins.format(coins);
        events.add(Event.of("coin_spent", "spender", from, "amount", amt));
        events.add(Event.of("coin_received", "receiver", to, "amount", amt));
        events.add(Event.of("transfer", "recipient", to, "sender", from, "amount", amt));
        events.add(Event.of("message", "sender", from));
    }

    /** bank MintCoins to a module, then (if {@code to} differs) a send to {@code to}. */
    public void mint(String module, String to, List<Coin> coins, List<Event> events) {
        String moduleAddr = moduleAddress(module);
        add(moduleAddr, coins);
        String amt = Coins.format(coins);
        events.add(Event.of("coin_received", "receiver", moduleAddr, "amount", amt));
        events.add(Event.of("coinbase", "minter", moduleAddr, "amount", amt));
        if (!to.equals(moduleAddr)) {
            send(moduleAddr, to, coins, events);
        }
    }

    /** Sends {@code coins} from {@code from} to a module and burns them there. */
    public void burn(String module, String from, List<Coin> coins, List<Event> events) {
        String moduleAddr = moduleAddress(module);
        send(from, moduleAddr, coins, events);
        subtract(moduleAddr, coins);
        String amt = Coins.format(coins);
        events.add(Event.of("coin_spent", "spender", moduleAddr, "amount", amt));
        events.add(Event.of("burn", "burner", moduleAddr, "amount", amt));
    }

    /** Credits coins out of thin air (genesis funding / devnet faucet); not a bank message. */
    public void credit(String address, List<Coin> coins) {
        add(address, coins);
    }
}
