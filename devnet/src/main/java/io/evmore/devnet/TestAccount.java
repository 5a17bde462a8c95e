package io.evmore.devnet;

import io.evmore.devnet.crypto.DevnetKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.web3j.crypto.MnemonicUtils;

/** A funded devnet account: a name and a key (same key on every chain, each with its own bech32 prefix). */
public record TestAccount(String name, DevnetKey key) {
    /** A deterministic 24-word mnemonic per name, so test accounts are stable across runs. */
    public static TestAccount deterministic(String name) {
        try {
            byte[] entropy = MessageDigest.getInstance("SHA-256")
                    .digest(("evmore-devnet/account/" + name).getBytes(StandardCharsets.UTF_8));
            return new TestAccount(name, DevnetKey.fromMnemonic(MnemonicUtils.generateMnemonic(entropy)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public String address(String prefix) {
        return key.address(prefix);
    }

    public String mnemonic() {
        return key.mnemonic();
    }

    @Override
    public String toString() {
        return "TestAccount[" + name + "]";
    }
}
