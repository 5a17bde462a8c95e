package io.evmore.secrets;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.evmore.secrets.testing.Moto;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.iam.model.AccessKey;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Provider {@code aws} against a real moto server (plain and JSON secrets, a missing one, IAM access denied), and
 * against an HTTP emulation for what moto cannot produce: Secrets Manager throttling, answered as AWS documents its
 * JSON errors ({@code HTTP 400}, {@code {"__type": "ThrottlingException", "message": ...}}).
 */
class AwsSecretsProviderIT {
    static final String KEY = "0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63";
    static final StaticCredentialsProvider TEST_CREDENTIALS = StaticCredentialsProvider.create(AwsBasicCredentials.create("testing", "testing"));

    @TempDir
    static Path dir;
    static Moto moto;
    static SecretsManagerClient admin;

    @BeforeAll
    static void start() throws Exception {
        moto = Moto.start(dir);
        admin = SecretsManagerClient.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint).credentialsProvider(TEST_CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        admin.createSecret(b -> b.name("evmore/ethereum-private-key").secretString(KEY));
        admin.createSecret(b -> b.name("evmore-json/ethereum-private-key").secretString("{\"key\":\"" + KEY + "\",\"address\":\"0xabc\"}"));
        admin.createSecret(b -> b.name("evmore-json/cosmos-mnemonic").secretString("{\"other\":\"x\"}"));
        admin.createSecret(b -> b.name("evmore-json/database-password").secretString("plain-not-json"));
    }

    @AfterAll
    static void stop() {
        if (admin != null) admin.close();
        if (moto != null) moto.close();
    }

    static AwsSecretsProvider provider(URI endpoint, String prefix, String jsonKey, int attempts) {
        return provider(endpoint, prefix, jsonKey, attempts, TEST_CREDENTIALS);
    }

    static AwsSecretsProvider provider(URI endpoint, String prefix, String jsonKey, int attempts, StaticCredentialsProvider creds) {
        return new AwsSecretsProvider(new AwsSecretsProvider.Settings("us-east-1", prefix, endpoint, jsonKey, attempts, Duration.ofMillis(200),
                Duration.ofSeconds(20)), creds);
    }

    @Test
    void aPlainStringSecretUnderThePrefix() {
        try (AwsSecretsProvider p = provider(moto.endpoint, "evmore/", "", 3)) {
            Fetched f = p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow();
            assertThat(f.value().reveal()).isEqualTo(KEY);
            assertThat(f.source()).startsWith("aws secretsmanager us-east-1 evmore/ethereum-private-key (version ").doesNotContain(KEY);
            assertThat(p.fetch(SecretName.COSMOS_MNEMONIC)).as("no such secret: missing").isEmpty();
        }
    }

    @Test
    void aJsonSecretWithAKeySelector() {
        try (AwsSecretsProvider p = provider(moto.endpoint, "evmore-json/", "key", 3)) {
            Fetched f = p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow();
            assertThat(f.value().reveal()).isEqualTo(KEY);
            assertThat(f.source()).contains("evmore-json/ethereum-private-key key key");
            assertThatThrownBy(() -> p.fetch(SecretName.COSMOS_MNEMONIC)).isInstanceOf(SecretsException.class)
                    .hasMessage("secrets provider aws (secretsmanager us-east-1 at " + moto.endpoint + "): cosmos-mnemonic: secret "
                            + "evmore-json/cosmos-mnemonic has no string member \"key\" (secrets.aws.jsonKey)");
            assertThatThrownBy(() -> p.fetch(SecretName.DATABASE_PASSWORD)).isInstanceOf(SecretsException.class)
                    .hasMessageEndingWith("secret evmore-json/database-password is not a JSON object, but secrets.aws.jsonKey is set (\"key\")")
                    .message().doesNotContain("plain-not-json");
        }
    }

    @Test
    void accessDeniedByAnIamPolicy() throws Exception {
        // moto authorises Secrets Manager calls by action (its resource is "*"): one user may read, the other may only list.
        StaticCredentialsProvider reader = iamUser("reader", "secretsmanager:GetSecretValue");
        StaticCredentialsProvider lister = iamUser("lister", "secretsmanager:ListSecrets");
        moto.enforceIamAfter("0");
        try (AwsSecretsProvider p = provider(moto.endpoint, "evmore/", "", 3, reader);
                AwsSecretsProvider denied = provider(moto.endpoint, "evmore/", "", 3, lister)) {
            assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).as("allowed by the policy").isPresent();
            assertThatThrownBy(() -> denied.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                    .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.DENIED))
                    .hasMessage("secrets provider aws (secretsmanager us-east-1 at " + moto.endpoint + "): ethereum-private-key: access denied "
                            + "reading evmore/ethereum-private-key (HTTP 403)");
        } finally {
            moto.enforceIamAfter("Infinity");
        }
    }

    static StaticCredentialsProvider iamUser(String name, String action) {
        try (IamClient iam = IamClient.builder().region(Region.AWS_GLOBAL).endpointOverride(moto.endpoint).credentialsProvider(TEST_CREDENTIALS)
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            iam.createUser(b -> b.userName(name));
            iam.putUserPolicy(b -> b.userName(name).policyName(name).policyDocument("{\"Version\": \"2012-10-17\", \"Statement\": "
                    + "[{\"Effect\": \"Allow\", \"Action\": \"" + action + "\", \"Resource\": \"*\"}]}"));
            AccessKey k = iam.createAccessKey(b -> b.userName(name)).accessKey();
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(k.accessKeyId(), k.secretAccessKey()));
        }
    }

    static final String THROTTLED = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";

    @Test
    void throttlingIsRetriedByTheSdkWithBackoff() {
        WireMockServer aws = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        aws.start();
        try {
            String target = "secretsmanager.GetSecretValue";
            aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).inScenario("throttle")
                    .whenScenarioStateIs(Scenario.STARTED).willReturn(throttled()).willSetStateTo("once"));
            aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).inScenario("throttle")
                    .whenScenarioStateIs("once").willReturn(throttled()).willSetStateTo("twice"));
            aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).inScenario("throttle")
                    .whenScenarioStateIs("twice").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"ARN\":\"arn:aws:secretsmanager:us-east-1:123456789012:secret:evmore/ethereum-private-key-AbCdEf\","
                                    + "\"Name\":\"evmore/ethereum-private-key\",\"SecretString\":\"" + KEY + "\",\"VersionId\":"
                                    + "\"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1\",\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.523477145713E9}")));
            URI endpoint = URI.create("http://127.0.0.1:" + aws.port());
            try (AwsSecretsProvider p = provider(endpoint, "evmore/", "", 3)) {
                assertThat(p.fetch(SecretName.ETHEREUM_PRIVATE_KEY).orElseThrow().value().reveal()).isEqualTo(KEY);
            }
            List<LoggedRequest> calls = aws.findAll(postRequestedFor(urlEqualTo("/")));
            assertThat(calls).hasSize(3);
            long first = calls.get(1).getLoggedDate().getTime() - calls.get(0).getLoggedDate().getTime();
            long second = calls.get(2).getLoggedDate().getTime() - calls.get(1).getLoggedDate().getTime();
            assertThat(first).as("throttling backoff: 2 × 200 ms").isGreaterThanOrEqualTo(390);
            assertThat(second).as("then twice as long").isGreaterThanOrEqualTo(790);

            // Throttled for good: the call fails after its attempts, naming the throttling.
            aws.resetAll();
            aws.stubFor(post(urlEqualTo("/")).willReturn(throttled()));
            try (AwsSecretsProvider p = provider(endpoint, "evmore/", "", 3)) {
                assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY))
                        .isInstanceOfSatisfying(SecretsException.class, e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.THROTTLED))
                        .hasMessage("secrets provider aws (secretsmanager us-east-1 at " + endpoint + "): ethereum-private-key: throttled reading "
                                + "evmore/ethereum-private-key (ThrottlingException, HTTP 400) after 3 attempts with backoff");
            }
            assertThat(aws.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(3);
        } finally {
            aws.stop();
        }
    }

    @Test
    void noServerAtTheEndpoint() {
        int closed = io.evmore.secrets.testing.SecretServers.freePort();
        try (AwsSecretsProvider p = provider(URI.create("http://127.0.0.1:" + closed), "evmore/", "", 2)) {
            assertThatThrownBy(() -> p.fetch(SecretName.ETHEREUM_PRIVATE_KEY)).isInstanceOfSatisfying(SecretsException.class,
                    e -> assertThat(e.kind()).isEqualTo(SecretsException.Kind.UNREACHABLE))
                    .hasMessageContaining("ethereum-private-key: cannot reach Secrets Manager reading evmore/ethereum-private-key (ConnectException, after 2 attempts)");
        }
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder throttled() {
        return aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1").withHeader("x-amzn-RequestId",
                "c8b2a3c1-0000-4000-8000-000000000000").withBody(THROTTLED);
    }
}
