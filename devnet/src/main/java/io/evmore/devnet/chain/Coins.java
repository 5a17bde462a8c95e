package io.evmore.devnet.chain;

import io.evmore.proto.cosmos.base.v1beta1.Coin;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/** sdk.Coins helpers: validation and the "100stake,5uatom" string form. */
public final class Coins {
    private static final Pattern DENOM = Pattern.compile("[a-zA-Z][a-zA-Z0-9/:._-]{2,127}");

    private Coins() {}

    public static boolean validDenom(String denom) {
        return denom != null && DENOM.matcher(denom).matches();
    }

    public static BigInteger amount(Coin c) {
        try {
            return new BigInteger(c.getAmount());
        } catch (NumberFormatException e) {
            throw SdkException.sdk(10, "invalid coin amount " + c.getAmount() + ": invalid coins");
        }
    }

    /** Validates a coin list as sdk.Coins.Validate: positive amounts, valid sorted unique denoms. */
    public static void validate(List<Coin> coins, boolean allowEmpty) {
        if (coins.isEmpty() && !allowEmpty) {
            throw SdkException.sdk(10, ": invalid coins");
        }
        String prev = null;
        for (Coin c : coins) {
            if (!validDenom(c.getDenom())) {
                throw SdkException.sdk(10, "invalid denom: " + c.getDenom() + ": invalid coins");
            }
            if (!c.getAmount().matches("[0-9]+") || amount(c).signum() <= 0) {
                throw SdkException.sdk(10, format(coins) + ": invalid coins");
            }
            if (prev != null && prev.compareTo(c.getDenom()) >= 0) {
                throw SdkException.sdk(10, format(coins) + ": invalid coins");
            }
            prev = c.getDenom();
        }
    }

    public static String format(List<Coin> coins) {
        List<Coin> sorted = new ArrayList<>(coins);
        sorted.sort(Comparator.comparing(Coin::getDenom));
        StringBuilder sb = new StringBuilder();
        for (Coin c : sorted) {
            if (!sb.isEmpty()) {
                sb.append(',');
            }
            sb.append(c.getAmount()).append(c.getDenom());
        }
        return sb.toString();
    }

    public static String format(BigInteger amount, String denom) {
        return amount + denom;
    }

    public static Coin coin(String denom, BigInteger amount) {
        return Coin.newBuilder().setDenom(denom).setAmount(amount.toString()).build();
    }
}
