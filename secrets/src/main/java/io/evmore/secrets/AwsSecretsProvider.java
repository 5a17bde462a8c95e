package io.evmore.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

/**
 * Provider {@code aws}: AWS Secrets Manager through the AWS SDK for Java v2 (the JDK's URL connection as HTTP client).
 * Each name is the secret {@code secretPrefix + name} ({@code evmore/ethereum-private-key}); its SecretString is the
 * value, or, with {@code jsonKey} set, the JSON object's member of that name. Credentials come from the SDK's standard
 * chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, container or instance role).
 * Throttling and other transient errors are retried by the SDK with exponential backoff.
 */
public final class AwsSecretsProvider implements SecretsProvider {
    private static final Logger log = LoggerFactory.getLogger(AwsSecretsProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param region       e.g. us-east-1
     * @param secretPrefix prepended to each name, e.g. evmore/
     * @param endpoint     endpoint override (a VPC endpoint, a test server), null for AWS's own
     * @param jsonKey      when set, each SecretString is a JSON object and this member holds the value
     * @param maxAttempts  SDK attempts per call, retries with backoff included
     * @param firstBackoff base of the SDK's exponential backoff (throttling waits twice as long)
     * @param timeout      bound on each call, its retries included
     */
    public record Settings(String region, String secretPrefix, URI endpoint, String jsonKey, int maxAttempts, Duration firstBackoff,
            Duration timeout) {
        public Settings {
            secretPrefix = secretPrefix == null ? "" : secretPrefix;
            jsonKey = jsonKey == null ? "" : jsonKey;
            if (maxAttempts < 1) maxAttempts = 1;
            firstBackoff = firstBackoff == null ? Duration.ofMillis(200) : firstBackoff;
            timeout = timeout == null ? Duration.ofSeconds(30) : timeout;
        }
    }

    private final Settings s;
    private final SecretsManagerClient client;
    private final String name;

    public AwsSecretsProvider(Settings settings) {
        this(settings, DefaultCredentialsProvider.builder().build());
    }

    public AwsSecretsProvider(Settings settings, AwsCredentialsProvider credentials) {
        this.s = settings;
        this.name = "aws (secretsmanager " + settings.region() + (settings.endpoint() == null ? "" : " at " + settings.endpoint()) + ")";
        SecretsManagerClientBuilder b = SecretsManagerClient.builder()
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).socketTimeout(Duration.ofSeconds(10)))
                .overrideConfiguration(o -> o.apiCallTimeout(settings.timeout())
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(settings.maxAttempts())
                                .circuitBreakerEnabled(false)
                                .backoffStrategy(BackoffStrategy.exponentialDelayWithoutJitter(settings.firstBackoff(), Duration.ofSeconds(5)))
                                .throttlingBackoffStrategy(BackoffStrategy.exponentialDelayWithoutJitter(settings.firstBackoff().multipliedBy(2),
                                        Duration.ofSeconds(10)))
                                .build()));
        if (settings.endpoint() != null) b.endpointOverride(settings.endpoint());
        this.client = b.build();
    }

    @Override
    public String kind() {
        return "aws";
    }

    @Override
    public String describe() {
        return name;
    }

    @Override
    public String where(SecretName secret) {
        return "secret " + s.secretPrefix() + secret.id() + (s.jsonKey().isEmpty() ? "" : " key " + s.jsonKey());
    }

    @Override
    public Optional<Fetched> fetch(SecretName secret) {
        String id = s.secretPrefix() + secret.id();
        GetSecretValueResponse r;
        try {
            r = client.getSecretValue(b -> b.secretId(id));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        } catch (AwsServiceException e) {
            throw service(secret, id, e);
        } catch (SdkClientException e) {
            throw client(secret, id, e);
        }
        String text = r.secretString();
        if (text == null && r.secretBinary() != null) text = new String(r.secretBinary().asByteArray(), StandardCharsets.UTF_8);
        if (text == null || text.isBlank()) return Optional.empty();
        String where = "aws secretsmanager " + s.region() + " " + id;
        if (!s.jsonKey().isEmpty()) {
            JsonNode json;
            try {
                json = JSON.readTree(text);
            } catch (Exception e) {
                json = null; // no cause: the parser's message quotes the text
            }
            if (json == null || !json.isObject()) {
                throw new SecretsException(name, secret, SecretsException.Kind.MALFORMED,
                        "secret " + id + " is not a JSON object, but secrets.aws.jsonKey is set (\"" + s.jsonKey() + "\")");
            }
            JsonNode v = json.get(s.jsonKey());
            if (v == null || !v.isTextual()) {
                throw new SecretsException(name, secret, SecretsException.Kind.MALFORMED,
                        "secret " + id + " has no string member \"" + s.jsonKey() + "\" (secrets.aws.jsonKey)");
            }
            text = v.asText();
            where += " key " + s.jsonKey();
            if (text.isBlank()) return Optional.empty();
        }
        return Optional.of(new Fetched(secret, SecretValue.of(text), where + (r.versionId() == null ? "" : " (version " + r.versionId() + ")")));
    }

    private SecretsException service(SecretName secret, String id, AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        int status = e.statusCode();
        String at = " reading " + id + " (" + (code == null ? "" : code + ", ") + "HTTP " + status + ")";
        if (code == null) code = "";
        return switch (code) {
            case "AccessDeniedException", "AccessDenied" -> new SecretsException(name, secret, SecretsException.Kind.DENIED, "access denied" + at);
            case "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded" -> new SecretsException(name, secret,
                    SecretsException.Kind.THROTTLED, "throttled" + at + " after " + s.maxAttempts() + " attempts with backoff", false);
            case "DecryptionFailure" -> new SecretsException(name, secret, SecretsException.Kind.DENIED, "cannot decrypt the secret with its KMS key" + at);
            case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId",
                    "SignatureDoesNotMatch" -> new SecretsException(name, secret, SecretsException.Kind.AUTH, "the AWS credentials were refused" + at);
            case "InternalServiceError", "InternalFailure", "ServiceUnavailable" -> new SecretsException(name, secret,
                    SecretsException.Kind.UNAVAILABLE, "service error" + at + " after " + s.maxAttempts() + " attempts", false);
            default -> status == 403
                    ? new SecretsException(name, secret, SecretsException.Kind.DENIED, "access denied" + at)
                    : new SecretsException(name, secret, status >= 500 ? SecretsException.Kind.UNAVAILABLE : SecretsException.Kind.CONFIG,
                            "refused" + at, false);
        };
    }

    private SecretsException client(SecretName secret, String id, SdkClientException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (msg.contains("Unable to load credentials")) {
            return new SecretsException(name, secret, SecretsException.Kind.AUTH, "no AWS credentials found in the SDK's standard chain "
                    + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, web identity, container or instance role)");
        }
        if (root instanceof ConnectException || root instanceof UnknownHostException || root instanceof java.net.SocketTimeoutException
                || root instanceof java.io.IOException) {
            return new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "cannot reach Secrets Manager reading " + id + " ("
                    + root.getClass().getSimpleName() + ", after " + s.maxAttempts() + " attempts)", false);
        }
        if (e instanceof software.amazon.awssdk.core.exception.ApiCallTimeoutException) {
            return new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "no answer within " + s.timeout().toSeconds()
                    + " s reading " + id, false);
        }
        log.debug("aws: client error class {}", e.getClass().getName());
        return new SecretsException(name, secret, SecretsException.Kind.UNREACHABLE, "client error reading " + id + " ("
                + e.getClass().getSimpleName() + ")", false);
    }

    @Override
    public void close() {
        client.close();
    }
}
