package io.evmore.secrets;

import java.util.Optional;

/**
 * Where the relayer's secrets come from. Implementations never put a value in a message, an exception or a log line.
 */
public interface SecretsProvider extends AutoCloseable {
    /** The provider's name as configured: env, file, vault, aws, onepassword. */
    String kind();

    /** Where it reads from, for messages (no credentials): e.g. {@code vault http://127.0.0.1:8200 secret/evmore}. */
    String describe();

    /**
     * The secret {@code name}, or empty when the provider has no such secret (a missing path, item or variable).
     *
     * @throws SecretsException when the provider cannot answer or the secret is malformed (a missing field included)
     */
    Optional<Fetched> fetch(SecretName name);

    /** Where {@code name} is looked for (a path, a variable, a reference), for messages such as "not found at ...". */
    String where(SecretName name);

    @Override
    default void close() {}
}
