package io.evmore.app.swap;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Whole-unit decimal amounts (what people type) ⇄ base units (what contracts hold). */
public final class Amounts {
    private Amounts() {}

    /** "0.1" with 18 decimals → 10^17. Refuses signs, exponents, too many decimal places and zero, naming {@code option}. */
    public static BigInteger parse(String option, String text, int decimals, String symbol) {
        if (text == null || !text.matches("[0-9]{1,60}(\\.[0-9]{1,60})?")) {
            throw new SwapInputException(option + ": '" + text + "' is not an amount; expected a decimal number of whole "
                    + symbol + " like 1 or 0.25");
        }
        BigDecimal d = new BigDecimal(text);
        if (d.stripTrailingZeros().scale() > decimals) {
            throw new SwapInputException(option + ": '" + text + "' has more than " + decimals + " decimal places (" + symbol
                    + " has " + decimals + " decimals)");
        }
        BigInteger base = d.movePointRight(decimals).toBigIntegerExact();
        if (base.signum() == 0) throw new SwapInputException(option + ": must be more than 0, got '" + text + "'");
        if (base.bitLength() > 256) throw new SwapInputException(option + ": '" + text + "' is too large");
        return base;
    }

    /** 10^17 with 18 decimals → "0.1". */
    public static String format(BigInteger base, int decimals) {
        if (base == null) return "-";
        BigDecimal d = new BigDecimal(base).movePointLeft(decimals).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }
}
