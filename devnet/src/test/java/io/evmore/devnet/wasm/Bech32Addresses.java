package io.evmore.devnet.wasm;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * BIP-173 bech32 for test addresses: encoding, and the strict check a Cosmos chain applies to an account or
 * contract address (lowercase, this chain's prefix, valid checksum, 20- or 32-byte payload). Test code only:
 * the devnet's main code has its own address handling.
 */
public final class Bech32Addresses {
    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    private static final int MAX_LENGTH = 90;

    private Bech32Addresses() {}

    /** A deterministic 20-byte account address for a test account name: bech32(prefix, sha256(name)[:20]). */
    public static String forName(String prefix, String name) {
        return encode(prefix, Arrays.copyOf(sha256(name.getBytes(StandardCharsets.UTF_8)), 20));
    }

    /** A deterministic 32-byte (contract-style) address: bech32(prefix, sha256(label)). */
    public static String contractForLabel(String prefix, String label) {
        return encode(prefix, sha256(label.getBytes(StandardCharsets.UTF_8)));
    }

    public static String encode(String prefix, byte[] payload) {
        int[] data = convertBits(payload, 8, 5, true);
        int[] checksum = checksum(prefix, data);
        StringBuilder sb = new StringBuilder(prefix).append('1');
        for (int d : data) {
            sb.append(CHARSET.charAt(d));
        }
        for (int d : checksum) {
            sb.append(CHARSET.charAt(d));
        }
        return sb.toString();
    }

    /** True if {@code address} is lowercase bech32 (not bech32m) with this prefix and a 20- or 32-byte payload. */
    public static boolean isValid(String address, String prefix) {
        if (address == null || address.length() > MAX_LENGTH || !address.equals(address.toLowerCase(java.util.Locale.ROOT))) {
            return false;
        }
        int separator = address.lastIndexOf('1');
        if (separator < 1 || !address.substring(0, separator).equals(prefix) || address.length() - separator - 1 < 6) {
            return false;
        }
        String dataPart = address.substring(separator + 1);
        int[] values = new int[dataPart.length()];
        for (int i = 0; i < values.length; i++) {
            int v = CHARSET.indexOf(dataPart.charAt(i));
            if (v < 0) {
                return false;
            }
            values[i] = v;
        }
        if (polymod(concat(hrpExpand(prefix), values)) != 1) {
            return false;
        }
        byte[] payload = fromFiveBits(Arrays.copyOf(values, values.length - 6));
        return payload != null && (payload.length == 20 || payload.length == 32);
    }

    private static int[] checksum(String hrp, int[] data) {
        int[] values = concat(concat(hrpExpand(hrp), data), new int[6]);
        int mod = polymod(values) ^ 1;
        int[] out = new int[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (mod >>> (5 * (5 - i))) & 31;
        }
        return out;
    }

    private static int polymod(int[] values) {
        int chk = 1;
        for (int v : values) {
            int top = chk >>> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (int i = 0; i < 5; i++) {
                if (((top >>> i) & 1) != 0) {
                    chk ^= GENERATOR[i];
                }
            }
        }
        return chk;
    }

    private static int[] hrpExpand(String hrp) {
        int[] out = new int[hrp.length() * 2 + 1];
        for (int i = 0; i < hrp.length(); i++) {
            out[i] = hrp.charAt(i) >> 5;
            out[hrp.length() + 1 + i] = hrp.charAt(i) & 31;
        }
        return out;
    }

    private static int[] convertBits(byte[] in, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int maxv = (1 << to) - 1;
        int[] out = new int[(in.length * from + to - 1) / to];
        int n = 0;
        for (byte b : in) {
            acc = (acc << from) | (b & 0xff);
            bits += from;
            while (bits >= to) {
                bits -= to;
                out[n++] = (acc >>> bits) & maxv;
            }
        }
        if (pad && bits > 0) {
            out[n++] = (acc << (to - bits)) & maxv;
        }
        return Arrays.copyOf(out, n);
    }

    /** 5-bit groups to bytes; null if the padding is longer than 4 bits or not zero (BIP-173). */
    private static byte[] fromFiveBits(int[] in) {
        int acc = 0;
        int bits = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int v : in) {
            acc = ((acc << 5) | v) & 0xfff;
            bits += 5;
            if (bits >= 8) {
                bits -= 8;
                out.write((acc >>> bits) & 0xff);
            }
        }
        if (bits >= 5 || ((acc << (8 - bits)) & 0xff) != 0) {
            return null;
        }
        return out.toByteArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
