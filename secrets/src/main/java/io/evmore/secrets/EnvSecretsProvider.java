package io.evmore.secrets;

import java.util.Map;
import java.util.Optional;

/** Provider {@code env}: ETHEREUM_PRIVATE_KEY, COSMOS_MNEMONIC, DATABASE_PASSWORD from the process environment. */
public final class EnvSecretsProvider implements SecretsProvider {
    private final Map<String, String> env;

    public EnvSecretsProvider(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public String kind() {
        return "env";
    }

    @Override
    public String describe() {
        return "env";
    }

    @Override
    public String where(SecretName name) {
        return "environment variable " + name.envVar();
    }

    @Override
    public Optional<Fetched> fetch(SecretName name) {
        String v = env.get(name.envVar());
        if (v == null || v.isBlank()) return Optional.empty();
        return Optional.of(new Fetched(name, SecretValue.of(v), "environment variable " + name.envVar()));
    }
}
