package io.evmore.app.secrets;

import io.evmore.app.logging.SecretRedactor;

/**
 * The relayer's signing keys under the guide's secret names: {@code ethereum-private-key} and {@code cosmos-mnemonic},
 * as {@link RelayerSecrets} read them from the configured provider (env, file, vault, aws, onepassword). Every value is
 * registered with the log redactor as soon as it is read, and no error message quotes one.
 */
public final class RelayerKeys {
    public static final String ETHEREUM_PRIVATE_KEY = "ethereum-private-key";
    public static final String COSMOS_MNEMONIC = "cosmos-mnemonic";

    private final String ethereumPrivateKey;
    private final String cosmosMnemonic;

    private RelayerKeys(String ethereumPrivateKey, String cosmosMnemonic) {
        this.ethereumPrivateKey = ethereumPrivateKey;
        this.cosmosMnemonic = cosmosMnemonic;
    }

    /**
     * Keys as resolved from the configured provider (read, checked and registered with the redactor by
     * {@link RelayerSecrets}); {@code localDefaults} fills what is not configured (local chains' funded accounts).
     */
    public static RelayerKeys from(RelayerSecrets.Resolved resolved, RelayerKeys localDefaults) {
        String eth = resolved.ethereumPrivateKey();
        String cosmos = resolved.cosmosMnemonic();
        if (eth == null && localDefaults != null) eth = localDefaults.ethereumPrivateKey;
        if (cosmos == null && localDefaults != null) cosmos = localDefaults.cosmosMnemonic;
        if (cosmos != null) cosmos = cosmos.strip().replaceAll("\\s+", " ");
        return of(eth, cosmos);
    }

    /** Keys given directly (local chains); registered with the redactor. */
    public static RelayerKeys of(String ethereumPrivateKey, String cosmosMnemonic) {
        if (ethereumPrivateKey != null) {
            SecretRedactor.register(ethereumPrivateKey);
            SecretRedactor.register(ethereumPrivateKey.startsWith("0x") ? ethereumPrivateKey.substring(2) : "0x" + ethereumPrivateKey);
        }
        if (cosmosMnemonic != null) SecretRedactor.register(cosmosMnemonic);
        return new RelayerKeys(ethereumPrivateKey, cosmosMnemonic);
    }

    /** Hex private key (with or without 0x), or null when none is configured. Never log it. */
    public String ethereumPrivateKey() {
        return ethereumPrivateKey;
    }

    /** BIP-39 mnemonic, or null when none is configured. Never log it. */
    public String cosmosMnemonic() {
        return cosmosMnemonic;
    }

    @Override
    public String toString() {
        return "RelayerKeys[ethereum " + (ethereumPrivateKey == null ? "missing" : "set") + ", cosmos "
                + (cosmosMnemonic == null ? "missing" : "set") + "]";
    }
}
