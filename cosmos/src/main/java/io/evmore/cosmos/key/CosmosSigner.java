package io.evmore.cosmos.key;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.ECDSASignature;
import org.web3j.crypto.MnemonicUtils;

/**
 * A secp256k1 account key derived from a BIP39 mnemonic. The private key never leaves this object: it only
 * signs. {@link #toString()} shows the address bytes only; no method returns or logs key material.
 */
public final class CosmosSigner {
    private final Bip32ECKeyPair key;
    private final byte[] publicKey;
    private final byte[] addressBytes;

    private CosmosSigner(Bip32ECKeyPair key) {
        this.key = key;
        this.publicKey = key.getPublicKeyPoint().getEncoded(true);
        this.addressBytes = ripemd160(sha256(publicKey));
    }

    /**
     * Derives the key at {@code path} from a BIP39 mnemonic (empty passphrase). The mnemonic is checked (word
     * list and checksum); errors never echo it.
     */
    public static CosmosSigner fromMnemonic(String mnemonic, HdPath path) {
        if (mnemonic == null || mnemonic.isBlank()) {
            throw new IllegalArgumentException("mnemonic is missing");
        }
        String normalised = String.join(" ", mnemonic.trim().split("\\s+"));
        int words = normalised.split(" ").length;
        if (words % 3 != 0 || words < 12 || words > 24) {
            throw new IllegalArgumentException("mnemonic must have 12, 15, 18, 21 or 24 words, got " + words);
        }
        boolean valid;
        try {
            valid = MnemonicUtils.validateMnemonic(normalised);
        } catch (RuntimeException e) {
            valid = false;
        }
        if (!valid) {
            // Deliberately no cause: the library's message may quote a word of the mnemonic.
            throw new IllegalArgumentException("mnemonic is not a valid BIP39 mnemonic (unknown word or bad checksum)");
        }
        byte[] seed = MnemonicUtils.generateSeed(normalised, "");
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
        java.util.Arrays.fill(seed, (byte) 0);
        return new CosmosSigner(Bip32ECKeyPair.deriveKeyPair(master, path.indexes()));
    }

    public static CosmosSigner fromMnemonic(String mnemonic) {
        return fromMnemonic(mnemonic, HdPath.COSMOS_DEFAULT);
    }

    /** 33-byte compressed public key. */
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** RIPEMD160(SHA256(pubkey)), the 20 account bytes behind every prefix. */
    public byte[] addressBytes() {
        return addressBytes.clone();
    }

    public Bech32Address address(String prefix) {
        return Bech32Address.of(prefix, addressBytes);
    }

    /**
     * Signs sha256(signBytes): 64 bytes R‖S, deterministic (RFC 6979) and low-S, as Cosmos SDK requires.
     */
    public byte[] sign(byte[] signBytes) {
        ECDSASignature sig = key.sign(sha256(signBytes)); // web3j: RFC 6979 k and canonical (low) S
        if (!sig.isCanonical()) {
            throw new IllegalStateException("signature is not low-S");
        }
        byte[] out = new byte[64];
        copy32(sig.r, out, 0);
        copy32(sig.s, out, 32);
        return out;
    }

    private static void copy32(BigInteger v, byte[] out, int offset) {
        byte[] b = v.toByteArray();
        int start = b.length > 32 ? b.length - 32 : 0;
        int len = b.length - start;
        System.arraycopy(b, start, out, offset + 32 - len, len);
    }

    static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    static byte[] ripemd160(byte[] in) {
        RIPEMD160Digest d = new RIPEMD160Digest();
        d.update(in, 0, in.length);
        byte[] out = new byte[20];
        d.doFinal(out, 0);
        return out;
    }

    @Override
    public String toString() {
        return "CosmosSigner[account=" + HexFormat.of().formatHex(addressBytes) + "]";
    }
}
