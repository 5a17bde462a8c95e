package io.evmore.devnet.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;

/** The SDK's address derivations (COSMOS_WIRE §6–§9): accounts, modules, contracts, escrows, PFM and hooks. */
public final class AddressDerivation {
    private AddressDerivation() {}

    public static byte[] sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** RIPEMD160(SHA256(compressed secp256k1 public key)). */
    public static byte[] accountAddress(byte[] compressedPubKey) {
        if (compressedPubKey.length != 33) {
            throw new IllegalArgumentException("secp256k1 public key must be 33 bytes, got " + compressedPubKey.length);
        }
        byte[] sha = sha256(compressedPubKey);
        RIPEMD160Digest d = new RIPEMD160Digest();
        d.update(sha, 0, sha.length);
        byte[] out = new byte[20];
        d.doFinal(out, 0);
        return out;
    }

    /** Plain module account (fee_collector, transfer): sha256(name)[:20]. */
    public static byte[] moduleAccount(String name) {
        return Arrays.copyOf(sha256(utf8(name)), 20);
    }

    /** ADR-028 Module(name, key) = sha256(sha256("module") ‖ name ‖ 0x00 ‖ key). */
    public static byte[] module(String name, byte[] key) {
        return sha256(sha256(utf8("module")), utf8(name), new byte[] {0}, key);
    }

    /** Classic wasmd contract address for (codeId, instanceId). */
    public static byte[] contract(long codeId, long instanceId) {
        return module("wasm", ByteBuffer.allocate(16).putLong(codeId).putLong(instanceId).array());
    }

    /** ICS-20 escrow: sha256("ics20-1" ‖ 0x00 ‖ "port/channel")[:20]. */
    public static byte[] escrow(String port, String channel) {
        return Arrays.copyOf(sha256(utf8("ics20-1"), new byte[] {0}, utf8(port + "/" + channel)), 20);
    }

    /** ADR-028 basic address: sha256(sha256(typ) ‖ key). */
    public static byte[] hash(String typ, byte[] key) {
        return sha256(sha256(utf8(typ)), key);
    }

    /** PFM's intermediate receiver (module name misspelled as in ibc-apps). */
    public static byte[] pfmReceiver(String destChannel, String originalSender) {
        return Arrays.copyOf(hash("packetfowardmiddleware", utf8(destChannel + "/" + originalSender)), 20);
    }

    /** ibc-hooks intermediary sender: full 32 bytes. */
    public static byte[] hooksSender(String localChannel, String originalSender) {
        return hash("ibc-wasm-hook-intermediary", utf8(localChannel + "/" + originalSender));
    }
}
