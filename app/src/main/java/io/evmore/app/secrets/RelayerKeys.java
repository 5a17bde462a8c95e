package io.evmore.app.secrets;

import io.evmore.app.config.ConfigException;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Set;

/**
 * The relayer's signing keys under the guide's secret names: {@code ethereum-private-key} and {@code cosmos-mnemonic}.
 * Provider {@code env} reads ETHEREUM_PRIVATE_KEY / COSMOS_MNEMONIC; provider {@code file} reads one file per name from
 * {@code secrets.dir} and refuses files others may read. Every value is registered with the log redactor as soon as it
 * is read, and no error message quotes one.
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

    /** Keys as configured; {@code localDefaults} fills what is not configured (local chains' funded accounts). */
    public static RelayerKeys load(RelayerConfig.Secrets s, Map<String, String> env, RelayerKeys localDefaults) {
        String eth = read(s, env, ETHEREUM_PRIVATE_KEY);
        String cosmos = read(s, env, COSMOS_MNEMONIC);
        if (eth == null && localDefaults != null) eth = localDefaults.ethereumPrivateKey;
        if (cosmos == null && localDefaults != null) cosmos = localDefaults.cosmosMnemonic;
        if (eth != null) {
            eth = eth.strip();
            if (!eth.matches("(0x)?[0-9a-fA-F]{64}")) {
                throw new ConfigException("secrets." + ETHEREUM_PRIVATE_KEY, "is not a 32-byte hex private key (value not shown)");
            }
        }
        if (cosmos != null) {
            cosmos = cosmos.strip().replaceAll("\\s+", " ");
            int words = cosmos.split(" ").length;
            if (words != 12 && words != 15 && words != 18 && words != 21 && words != 24) {
                throw new ConfigException("secrets." + COSMOS_MNEMONIC, "is not a BIP-39 mnemonic of 12-24 words (value not shown)");
            }
        }
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

    private static String read(RelayerConfig.Secrets s, Map<String, String> env, String name) {
        if (s.provider().equals("env")) {
            String v = env.get(name.toUpperCase().replace('-', '_'));
            return v == null || v.isBlank() ? null : register(v);
        }
        Path file = Path.of(s.dir()).resolve(name);
        if (!Files.exists(file)) return null;
        try {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.GROUP_READ)) {
                    throw new ConfigException("secrets.dir", "secret file " + file + " is readable by others; chmod 600 it");
                }
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing to check
            }
            String v = Files.readString(file);
            return v.isBlank() ? null : register(v.strip());
        } catch (IOException e) {
            throw new ConfigException("secrets.dir", "cannot read secret file " + file + ": " + e.getClass().getSimpleName());
        }
    }

    private static String register(String v) {
        SecretRedactor.register(v);
        SecretRedactor.register(v.strip());
        return v;
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
