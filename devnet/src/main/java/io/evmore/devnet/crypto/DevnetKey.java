package io.evmore.devnet.crypto;

import java.math.BigInteger;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.MnemonicUtils;

/**
 * A test account key derived BIP39 → BIP32 m/44'/118'/0'/0/0 (the Cosmos default path). The mnemonic is
 * a devnet test secret by design (it is written to devnet.json) but still kept out of toString.
 */
public final class DevnetKey {
    private final String mnemonic;
    private final BigInteger privateKey;
    private final byte[] publicKey;

    private DevnetKey(String mnemonic, BigInteger privateKey) {
        this.mnemonic = mnemonic;
        this.privateKey = privateKey;
        this.publicKey = Secp256k1.publicKey(privateKey);
    }

    public static DevnetKey fromMnemonic(String mnemonic) {
        if (!MnemonicUtils.validateMnemonic(mnemonic)) {
            throw new IllegalArgumentException("invalid BIP39 mnemonic (checksum or word list)");
        }
        byte[] seed = MnemonicUtils.generateSeed(mnemonic, "");
        Bip32ECKeyPair master = Bip32ECKeyPair.generateKeyPair(seed);
        int h = Bip32ECKeyPair.HARDENED_BIT;
        Bip32ECKeyPair child = Bip32ECKeyPair.deriveKeyPair(master, new int[] {44 | h, 118 | h, h, 0, 0});
        return new DevnetKey(mnemonic, child.getPrivateKey());
    }

    /** A fresh random mnemonic (24 words). */
    public static DevnetKey random() {
        byte[] entropy = new byte[32];
        new java.security.SecureRandom().nextBytes(entropy);
        return fromMnemonic(MnemonicUtils.generateMnemonic(entropy));
    }

    public String mnemonic() {
        return mnemonic;
    }

    public byte[] publicKey() {
        return publicKey.clone();
    }

    public byte[] addressBytes() {
        return AddressDerivation.accountAddress(publicKey);
    }

    public String address(String prefix) {
        return Bech32Address.encode(prefix, addressBytes());
    }

    public byte[] sign(byte[] message) {
        return Secp256k1.sign(privateKey, message);
    }

    @Override
    public String toString() {
        return "DevnetKey[" + org.bouncycastle.util.encoders.Hex.toHexString(addressBytes()) + "]";
    }
}
