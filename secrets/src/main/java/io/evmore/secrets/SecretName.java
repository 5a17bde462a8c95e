package io.evmore.secrets;

import java.util.Locale;

/** The relayer's secrets, under the operations guide's names. */
public enum SecretName {
    ETHEREUM_PRIVATE_KEY("ethereum-private-key"),
    COSMOS_MNEMONIC("cosmos-mnemonic"),
    DATABASE_PASSWORD("database-password");

    private final String id;

    SecretName(String id) {
        this.id = id;
    }

    /** The guide's name: {@code ethereum-private-key}, {@code cosmos-mnemonic}, {@code database-password}. */
    public String id() {
        return id;
    }

    /** The environment variable of provider {@code env}: ETHEREUM_PRIVATE_KEY, COSMOS_MNEMONIC, DATABASE_PASSWORD. */
    public String envVar() {
        return id.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    @Override
    public String toString() {
        return id;
    }
}
