package io.evmore.secrets;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a provider's transient failures (unreachable, throttled, 5xx) on the {@link Backoff} schedule; permanent
 * ones (403, missing field, sealed, malformed) fail at once. The last failure names the attempts made.
 */
public final class RetryingSecretsProvider implements SecretsProvider {
    private static final Logger log = LoggerFactory.getLogger(RetryingSecretsProvider.class);

    /** Sleeps between attempts; tests record the waits instead. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final SecretsProvider inner;
    private final Backoff backoff;
    private final Sleeper sleeper;

    public RetryingSecretsProvider(SecretsProvider inner, Backoff backoff) {
        this(inner, backoff, d -> Thread.sleep(d.toMillis()));
    }

    public RetryingSecretsProvider(SecretsProvider inner, Backoff backoff, Sleeper sleeper) {
        this.inner = inner;
        this.backoff = backoff;
        this.sleeper = sleeper;
    }

    public SecretsProvider inner() {
        return inner;
    }

    @Override
    public String kind() {
        return inner.kind();
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public Optional<Fetched> fetch(SecretName name) {
        List<Duration> delays = backoff.delays();
        for (int attempt = 1; ; attempt++) {
            try {
                return inner.fetch(name);
            } catch (SecretsException e) {
                if (!e.retryable()) throw e;
                if (attempt > delays.size()) throw e.exhausted(attempt);
                Duration wait = delays.get(attempt - 1);
                log.warn("{} (attempt {} of {}; trying again in {} ms)", e.getMessage(), attempt, backoff.attempts(), wait.toMillis());
                try {
                    sleeper.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @Override
    public String where(SecretName name) {
        return inner.where(name);
    }

    @Override
    public void close() {
        inner.close();
    }
}
