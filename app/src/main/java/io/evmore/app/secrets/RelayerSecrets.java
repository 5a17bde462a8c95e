package io.evmore.app.secrets;

import io.evmore.app.config.RelayerConfig;
import io.evmore.app.logging.SecretRedactor;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.secrets.AwsSecretsProvider;
import io.evmore.secrets.Backoff;
import io.evmore.secrets.EnvSecretsProvider;
import io.evmore.secrets.Fetched;
import io.evmore.secrets.FileSecretsProvider;
import io.evmore.secrets.OnePasswordCliProvider;
import io.evmore.secrets.OnePasswordConnectProvider;
import io.evmore.secrets.RetryingSecretsProvider;
import io.evmore.secrets.SecretName;
import io.evmore.secrets.SecretsException;
import io.evmore.secrets.SecretsProvider;
import io.evmore.secrets.VaultSecretsProvider;
import io.evmore.store.PostgresUrl;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The relayer's secrets from the configured provider: which of them the configuration needs, reading them (transient
 * errors retried with backoff), checking their form (a 32-byte key, a BIP-39 mnemonic with a good checksum), and
 * registering every value with the log redactor before anything else sees it. Every failure is one line naming the
 * provider and the secret, never the value.
 */
public final class RelayerSecrets implements AutoCloseable {
    /** Environment variables that hold credentials of the providers: registered with the redactor at start. */
    public static final List<String> CREDENTIAL_ENV = List.of("VAULT_TOKEN", "VAULT_SECRET_ID", "VAULT_ROLE_ID",
            OnePasswordCliProvider.TOKEN_ENV, OnePasswordConnectProvider.TOKEN_ENV, "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "ETHEREUM_PRIVATE_KEY", "COSMOS_MNEMONIC", "DATABASE_PASSWORD");
    /** secp256k1's group order: a private key must be in [1, n). */
    private static final BigInteger SECP256K1_N = new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);

    private final SecretsProvider provider;

    private RelayerSecrets(SecretsProvider provider) {
        this.provider = provider;
    }

    /** The provider configured in {@code s}, reading credentials from {@code env}. */
    public static RelayerSecrets open(RelayerConfig.Secrets s, Map<String, String> env) {
        for (String k : CREDENTIAL_ENV) register(env.get(k));
        register(s.vault() == null ? null : s.vault().roleId());
        Duration timeout = Duration.ofSeconds(s.timeoutSeconds());
        SecretsProvider p = switch (s.provider()) {
            case "env" -> new EnvSecretsProvider(env);
            case "file" -> new FileSecretsProvider(Path.of(s.dir()));
            case "vault" -> new RetryingSecretsProvider(new VaultSecretsProvider(new VaultSecretsProvider.Settings(URI.create(s.vault().endpoint()),
                    s.vault().mountPath(), s.vault().field(), s.vault().namespace(), env.get("VAULT_TOKEN"), s.vault().roleId(),
                    env.get("VAULT_SECRET_ID"), s.vault().appRolePath(), timeout)), Backoff.DEFAULT);
            // the SDK retries throttling and transient errors itself, with exponential backoff
            case "aws" -> new AwsSecretsProvider(new AwsSecretsProvider.Settings(s.aws().region(), s.aws().secretPrefix(),
                    s.aws().endpoint() == null || s.aws().endpoint().isBlank() ? null : URI.create(s.aws().endpoint()), s.aws().jsonKey(),
                    s.aws().maxAttempts(), Duration.ofMillis(200), timeout.multipliedBy(3)));
            case "onepassword" -> s.onepassword().connectHost() == null || s.onepassword().connectHost().isBlank()
                    ? new RetryingSecretsProvider(new OnePasswordCliProvider(new OnePasswordCliProvider.Settings(s.onepassword().opPath(),
                            s.onepassword().vault(), s.onepassword().field(), timeout.multipliedBy(3)), env), Backoff.DEFAULT)
                    : new RetryingSecretsProvider(new OnePasswordConnectProvider(new OnePasswordConnectProvider.Settings(
                            URI.create(s.onepassword().connectHost()), s.onepassword().vault(), s.onepassword().field(),
                            env.get(OnePasswordConnectProvider.TOKEN_ENV), timeout)), Backoff.DEFAULT);
            default -> throw new IllegalArgumentException("secrets.provider " + s.provider()); // the validator refused it already
        };
        return new RelayerSecrets(p);
    }

    /** For tests: a given provider. */
    public static RelayerSecrets of(SecretsProvider provider) {
        return new RelayerSecrets(provider);
    }

    public String kind() {
        return provider.kind();
    }

    public String describe() {
        return provider.describe();
    }

    /** Whether a secret must be there, and why (or why not), for this configuration. */
    public record Need(SecretName name, boolean required, String why) {}

    public static List<Need> needs(RelayerConfig c) {
        boolean local = c.localChains().enabled();
        List<Need> out = new ArrayList<>();
        if (local) {
            out.add(new Need(SecretName.ETHEREUM_PRIVATE_KEY, false, "local chains: Hardhat's first development account when not set"));
            out.add(new Need(SecretName.COSMOS_MNEMONIC, false, "local chains: the devnet's relayer account when not set"));
        } else {
            boolean eth = c.chains() != null && c.chains().ethereum() != null;
            boolean cosmos = c.chains() != null && c.chains().cosmos() != null && !c.chains().cosmos().isEmpty();
            out.add(new Need(SecretName.ETHEREUM_PRIVATE_KEY, eth, eth ? "chains.ethereum is configured" : "no chains.ethereum"));
            out.add(new Need(SecretName.COSMOS_MNEMONIC, cosmos, cosmos ? "chains.cosmos is configured" : "no chains.cosmos"));
        }
        String url = c.database().url() == null ? "" : c.database().url().trim();
        boolean inUrl = false;
        if (!url.isEmpty()) {
            try {
                inUrl = PostgresUrl.parse(url).password() != null;
            } catch (IllegalArgumentException e) {
                // the store names what is wrong with the URL
            }
        }
        boolean inConfig = c.database().password() != null && !c.database().password().isEmpty();
        boolean dbNeeded = !url.isEmpty() && !inUrl && !inConfig;
        out.add(new Need(SecretName.DATABASE_PASSWORD, dbNeeded, url.isEmpty() ? "embedded database"
                : inUrl ? "DATABASE_URL has a password (the secret overrides it when set)"
                : inConfig ? "database.password is set (the secret overrides it when set)" : "PostgreSQL (DATABASE_URL) without a password"));
        return out;
    }

    /**
     * The secrets this configuration uses, read and checked: a required one that is missing, a malformed one, or a
     * provider that cannot answer fails here.
     *
     * @throws SecretsException one line naming the provider and the secret
     */
    public Resolved resolve(RelayerConfig c) {
        Map<SecretName, Fetched> values = new EnumMap<>(SecretName.class);
        Map<SecretName, String> notes = new LinkedHashMap<>();
        for (Need need : needs(c)) {
            Optional<Fetched> f = provider.fetch(need.name());
            if (f.isEmpty()) {
                if (need.required()) {
                    throw new SecretsException(provider.describe(), need.name(), SecretsException.Kind.CONFIG, "not found at "
                            + provider.where(need.name()) + " (required: " + need.why() + ")", false);
                }
                notes.put(need.name(), "not set (" + need.why() + ")");
                continue;
            }
            Fetched v = f.get();
            registerValue(need.name(), v.value().reveal());
            check(need.name(), v);
            values.put(need.name(), v);
            notes.put(need.name(), v.source());
        }
        return new Resolved(provider.kind(), values, notes);
    }

    /** What {@link #resolve} found: the values and, per name, where it came from (or why it is not set). */
    public record Resolved(String provider, Map<SecretName, Fetched> values, Map<SecretName, String> sources) {
        public String ethereumPrivateKey() {
            Fetched f = values.get(SecretName.ETHEREUM_PRIVATE_KEY);
            return f == null ? null : f.value().reveal();
        }

        public String cosmosMnemonic() {
            Fetched f = values.get(SecretName.COSMOS_MNEMONIC);
            return f == null ? null : f.value().reveal();
        }

        public String databasePassword() {
            Fetched f = values.get(SecretName.DATABASE_PASSWORD);
            return f == null ? null : f.value().reveal();
        }

        /** Names whose value differs from {@code before} (set, changed or cleared). Never the values. */
        public List<SecretName> rotatedSince(Resolved before) {
            List<SecretName> out = new ArrayList<>();
            for (SecretName n : SecretName.values()) {
                Fetched a = before == null ? null : before.values().get(n);
                Fetched b = values.get(n);
                if (a == null && b == null) continue;
                if (a == null || b == null || !a.value().sameAs(b.value())) out.add(n);
            }
            return out;
        }

        /** {name: source} for the status and check-config (no values). */
        public Map<String, String> sourceView() {
            Map<String, String> m = new LinkedHashMap<>();
            sources.forEach((k, v) -> m.put(k.id(), v));
            return m;
        }
    }

    /** The form of each value: refused with a message that says what is wrong and never shows it. */
    private void check(SecretName name, Fetched f) {
        String v = f.value().reveal();
        switch (name) {
            case ETHEREUM_PRIVATE_KEY -> {
                String hex = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
                if (!hex.matches("[0-9a-fA-F]+")) {
                    throw malformed(name, f, "is not a hex private key (value not shown)");
                }
                if (hex.length() != 64) {
                    throw malformed(name, f, "is not a 32-byte private key: " + hex.length() + " hex digits instead of 64 (value not shown)");
                }
                BigInteger k = new BigInteger(hex, 16);
                if (k.signum() == 0 || k.compareTo(SECP256K1_N) >= 0) {
                    throw malformed(name, f, "is not a valid secp256k1 private key: out of range (value not shown)");
                }
            }
            case COSMOS_MNEMONIC -> {
                try {
                    CosmosSigner.fromMnemonic(v);
                } catch (IllegalArgumentException e) {
                    // CosmosSigner's messages never quote the mnemonic
                    throw malformed(name, f, "is not a valid BIP-39 mnemonic: " + e.getMessage() + " (value not shown)");
                }
            }
            case DATABASE_PASSWORD -> {
                if (v.isBlank()) throw malformed(name, f, "is empty");
            }
        }
    }

    private SecretsException malformed(SecretName name, Fetched f, String problem) {
        return new SecretsException(provider.describe(), name, SecretsException.Kind.MALFORMED, "the value at " + provider.where(name) + " " + problem,
                false);
    }

    /** Registers a value and the forms it may be printed in (a key with and without 0x, in either case). */
    static void registerValue(SecretName name, String v) {
        register(v);
        if (name == SecretName.ETHEREUM_PRIVATE_KEY) {
            String hex = v.startsWith("0x") || v.startsWith("0X") ? v.substring(2) : v;
            for (String h : List.of(hex, hex.toLowerCase(), hex.toUpperCase())) {
                register(h);
                register("0x" + h);
            }
        }
    }

    private static void register(String v) {
        if (v == null || v.isBlank()) return;
        SecretRedactor.register(v);
        SecretRedactor.register(v.strip());
    }

    @Override
    public void close() {
        provider.close();
    }
}
