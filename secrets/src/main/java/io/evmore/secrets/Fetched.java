package io.evmore.secrets;

/**
 * A secret read from a provider: its value and where it came from ({@code source}: the provider and the location, e.g.
 * {@code vault http://127.0.0.1:8200 secret/evmore/ethereum-private-key field value (version 3)}; never the value).
 */
public record Fetched(SecretName name, SecretValue value, String source) {}
