package io.evmore.devnet.wasm;

import java.math.BigInteger;
import java.util.List;

/** The caller and the funds sent with the call (already credited to the contract before execute). */
public record MessageInfo(String sender, List<Coin> funds) {
    public record Coin(String denom, BigInteger amount) {}

    public MessageInfo {
        funds = List.copyOf(funds);
    }
}
