package io.evmore.app.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.app.e2e.SwapWorld;
import io.evmore.app.testing.RelayerProcess;
import io.evmore.cosmos.key.CosmosSigner;
import io.evmore.secrets.testing.ConnectEmulator;
import io.evmore.secrets.testing.Moto;
import io.evmore.secrets.testing.OpenBao;
import io.evmore.secrets.testing.StandInOp;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * No secret value leaks. The real relayer process starts, once per provider, on real local chains with known values
 * (keys, mnemonic, database password) from that provider; it runs at DEBUG, answers every endpoint, refuses a reload
 * whose new key is malformed, and stops. None of the values — nor the malformed one, nor the provider's own
 * credentials — appears in anything captured: its output, every HTTP answer, its command line; the values are not in
 * its environment either. Controls show the values were really read and used (the source lines, the relayer's addresses
 * derived from those keys in /admin/services/status, DEBUG lines present).
 */
class SecretsLeakIT {
    static final SecureRandom RANDOM = new SecureRandom();
    static final String VAULT_TOKEN_ROOT = OpenBao.ROOT_TOKEN;
    static final String OP_TOKEN = "ops_" + hex(24) + "_leaktest";
    static final String CONNECT_TOKEN = "connect." + hex(24) + ".leaktest";
    static final String AWS_SECRET = "aws-" + hex(16);

    @TempDir
    static Path dir;
    static SwapWorld world;
    static OpenBao bao;
    static Moto moto;
    static ConnectEmulator connect;

    @BeforeAll
    static void start() throws Exception {
        world = SwapWorld.start(dir);
        bao = OpenBao.start(dir);
        moto = Moto.start(dir);
        connect = ConnectEmulator.start(CONNECT_TOKEN);
    }

    @AfterAll
    static void stop() {
        if (connect != null) connect.close();
        if (moto != null) moto.close();
        if (bao != null) bao.close();
        if (world != null) world.close();
    }

    /** Known values for one provider (fresh per provider, so a leak names its provider). */
    record Values(String key, String mnemonic, String dbPassword, String malformedKey) {
        static Values fresh() {
            byte[] entropy = new byte[16];
            RANDOM.nextBytes(entropy);
            return new Values("0x" + hex(32), org.web3j.crypto.MnemonicUtils.generateMnemonic(entropy), "dbpw-" + hex(12), hex(31) + "a");
        }

        List<String> forms() {
            String h = key.substring(2);
            return List.of(h, h.toUpperCase(), "0x" + h.toUpperCase(), mnemonic, mnemonic.replace(' ', '\n'), dbPassword, malformedKey);
        }

        String ethAddress() {
            return org.web3j.crypto.Credentials.create(key).getAddress();
        }

        String cosmosAddress() {
            return CosmosSigner.fromMnemonic(mnemonic).address("cosmos").toString();
        }
    }

    /** How one provider is set up: its config section, the relayer's environment, and how to break the key. */
    interface Setup {
        String secretsYaml();

        Map<String, String> env();

        void breakKey(Values v) throws Exception;

        /** Writes another valid key (a rotation); false where the test does not rotate. */
        default boolean rotateKey(String newKey) throws Exception {
            return false;
        }

        List<String> credentials();
    }

    @Test
    void vault() throws Exception {
        Values v = Values.fresh();
        bao.put("evmore-leak/ethereum-private-key", Map.of("value", v.key()));
        bao.put("evmore-leak/cosmos-mnemonic", Map.of("value", v.mnemonic()));
        bao.put("evmore-leak/database-password", Map.of("value", v.dbPassword()));
        bao.policy("leak-read", "path \"secret/data/evmore-leak/*\" { capabilities = [\"read\"] }");
        String token = bao.token(List.of("leak-read"), "1h", null, true);
        run("vault", v, new Setup() {
            public String secretsYaml() {
                return "secrets: {provider: vault, vault: {endpoint: \"" + bao.address + "\", mountPath: secret/evmore-leak}}\n";
            }

            public Map<String, String> env() {
                return Map.of("VAULT_TOKEN", token);
            }

            public void breakKey(Values x) {
                bao.put("evmore-leak/ethereum-private-key", Map.of("value", x.malformedKey()));
            }

            @Override
            public boolean rotateKey(String newKey) {
                bao.put("evmore-leak/ethereum-private-key", Map.of("value", newKey));
                return true;
            }

            public List<String> credentials() {
                return List.of(token, VAULT_TOKEN_ROOT);
            }
        });
    }

    @Test
    void aws() throws Exception {
        Values v = Values.fresh();
        try (SecretsManagerClient admin = SecretsManagerClient.builder().region(Region.US_EAST_1).endpointOverride(moto.endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIALEAKTEST", AWS_SECRET)))
                .httpClientBuilder(UrlConnectionHttpClient.builder()).build()) {
            admin.createSecret(b -> b.name("leak/ethereum-private-key").secretString(v.key()));
            admin.createSecret(b -> b.name("leak/cosmos-mnemonic").secretString("{\"value\":\"" + v.mnemonic() + "\"}"));
            admin.createSecret(b -> b.name("leak/database-password").secretString("{\"value\":\"" + v.dbPassword() + "\"}"));
            admin.putSecretValue(b -> b.secretId("leak/ethereum-private-key").secretString("{\"value\":\"" + v.key() + "\"}"));
            run("aws", v, new Setup() {
                public String secretsYaml() {
                    return "secrets: {provider: aws, aws: {region: us-east-1, secretPrefix: leak/, jsonKey: value, endpoint: \"" + moto.endpoint + "\"}}\n";
                }

                public Map<String, String> env() {
                    return Map.of("AWS_ACCESS_KEY_ID", "AKIALEAKTEST", "AWS_SECRET_ACCESS_KEY", AWS_SECRET);
                }

                public void breakKey(Values x) {
                    admin.putSecretValue(b -> b.secretId("leak/ethereum-private-key").secretString("{\"value\":\"" + x.malformedKey() + "\"}"));
                }

                public List<String> credentials() {
                    return List.of(AWS_SECRET);
                }
            });
        }
    }

    @Test
    void onePasswordServiceAccount() throws Exception {
        Values v = Values.fresh();
        StandInOp op = StandInOp.install(Files.createTempDirectory(dir, "op"), OP_TOKEN);
        op.put("evmore-production", "ethereum-private-key", "password", v.key());
        op.put("evmore-production", "cosmos-mnemonic", "password", v.mnemonic());
        op.put("evmore-production", "database-password", "password", v.dbPassword());
        run("onepassword (op, vault evmore-production)", v, new Setup() {
            public String secretsYaml() {
                return "secrets: {provider: onepassword, onepassword: {vault: evmore-production}}\n";
            }

            public Map<String, String> env() {
                return Map.of("OP_SERVICE_ACCOUNT_TOKEN", OP_TOKEN, "PATH", op.path());
            }

            public void breakKey(Values x) throws Exception {
                op.put("evmore-production", "ethereum-private-key", "password", x.malformedKey());
            }

            public List<String> credentials() {
                return List.of(OP_TOKEN);
            }
        });
        assertThat(op.calls()).isNotEmpty().allSatisfy(call -> {
            assertThat(call).endsWith("token=ok");
            v.forms().forEach(f -> assertThat(call).doesNotContain(f));
        });
    }

    @Test
    void onePasswordConnect() throws Exception {
        Values v = Values.fresh();
        String vault = connect.vault("evmore-production");
        connect.item(vault, "ethereum-private-key", "password", v.key());
        connect.item(vault, "cosmos-mnemonic", "password", v.mnemonic());
        connect.item(vault, "database-password", "password", v.dbPassword());
        run("onepassword (Connect", v, new Setup() {
            public String secretsYaml() {
                return "secrets: {provider: onepassword, onepassword: {vault: evmore-production, connectHost: \"" + connect.uri() + "\"}}\n";
            }

            public Map<String, String> env() {
                return Map.of("OP_CONNECT_TOKEN", CONNECT_TOKEN);
            }

            public void breakKey(Values x) {
                connect.item(vault, "ethereum-private-key", "password", x.malformedKey()); // the newer stub answers
            }

            public List<String> credentials() {
                return List.of(CONNECT_TOKEN);
            }
        });
    }

    @Test
    void file() throws Exception {
        Values v = Values.fresh();
        Path secrets = Files.createTempDirectory(dir, "secrets");
        for (var e : Map.of("ethereum-private-key", v.key(), "cosmos-mnemonic", v.mnemonic(), "database-password", v.dbPassword()).entrySet()) {
            Path f = secrets.resolve(e.getKey());
            Files.writeString(f, e.getValue() + "\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        }
        run("file", v, new Setup() {
            public String secretsYaml() {
                return "secrets: {provider: file, dir: \"" + secrets + "\"}\n";
            }

            public Map<String, String> env() {
                return Map.of();
            }

            public void breakKey(Values x) throws Exception {
                Files.writeString(secrets.resolve("ethereum-private-key"), x.malformedKey() + "\n");
            }

            public List<String> credentials() {
                return List.of();
            }
        });
    }

    void run(String providerName, Values v, Setup setup) throws Exception {
        int port = RelayerProcess.freePort();
        Path config = Files.createTempFile(dir, "relayer-leak", ".yaml");
        String yaml = world.relayerConfigText().replaceFirst("port: [0-9]+\\}", "port: " + port + "}")
                .replace(world.dir.resolve("data/evmore.db").toString(), dir.resolve("data-" + port + "/evmore.db").toString())
                + "logLevel: debug\nadmin: {token: \"" + SwapWorld.TOKEN + "\"}\n" + setup.secretsYaml();
        Files.writeString(config, yaml);
        Map<String, String> env = new LinkedHashMap<>(setup.env());
        List<String> captured = new ArrayList<>();
        List<String> rotated = new ArrayList<>();
        String status;
        try (RelayerProcess relayer = RelayerProcess.startWithOnly(dir, port, env, "run", "--config", config.toString())) {
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(120))).as("healthy:\n" + relayer.output()).isTrue();
            for (String path : List.of("/health", "/health/live", "/metrics", "/admin/config", "/admin/services/status", "/admin/pools/status",
                    "/admin/swaps/pending")) {
                HttpResponse<String> r = relayer.get(path, SwapWorld.TOKEN);
                assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
                captured.add(path + " " + r.headers().map() + " " + r.body());
            }
            for (String[] call : new String[][] {{"POST", "/admin/services/pause"}, {"POST", "/admin/services/resume"}, {"POST", "/admin/pools/drain"},
                    {"POST", "/admin/pools/refresh"}, {"GET", "/admin/swaps/" + "ab".repeat(32)}, {"GET", "/admin/nothing"}, {"GET", "/admin/config"}}) {
                HttpResponse<String> r = relayer.send(call[0], call[1], SwapWorld.TOKEN);
                captured.add(call[1] + " " + r.statusCode() + " " + r.body());
            }
            captured.add(relayer.get("/admin/config", "wrong-token").body());
            assertThat(relayer.awaitHealthy(Duration.ofSeconds(60))).as("healthy again after the pools' refresh").isTrue();
            status = relayer.get("/admin/services/status", SwapWorld.TOKEN).body();
            HttpResponse<String> ok = relayer.post("/admin/config/reload", SwapWorld.TOKEN);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            assertThat(ok.body().replaceAll("\\s", "")).contains("\"rotated\":[]");
            captured.add(ok.body());

            // A rotation with no swap in flight is applied: the engine restarts on the new key (its address in the status).
            String rotatedKey = "0x" + hex(32);
            if (setup.rotateKey(rotatedKey)) {
                HttpResponse<String> rot = relayer.post("/admin/config/reload", SwapWorld.TOKEN);
                assertThat(rot.statusCode()).as(rot.body()).isEqualTo(200);
                assertThat(rot.body().replaceAll("\\s", "")).contains("\"rotated\":[\"ethereum-private-key\"],\"applied\":[\"ethereum-private-key\"]");
                captured.add(rot.body());
                String after = relayer.get("/admin/services/status", SwapWorld.TOKEN).body();
                captured.add(after);
                assertThat(after).containsIgnoringCase(org.web3j.crypto.Credentials.create(rotatedKey).getAddress().substring(2))
                        .doesNotContainIgnoringCase(v.ethAddress().substring(2));
                rotated.add(rotatedKey.substring(2));
            }

            setup.breakKey(v);
            HttpResponse<String> refused = relayer.post("/admin/config/reload", SwapWorld.TOKEN);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("ethereum-private-key").contains("is not a 32-byte private key");
            captured.add(refused.body());
            captured.add(relayer.get("/admin/services/status", SwapWorld.TOKEN).body());

            captured.add(Files.readString(Path.of("/proc/" + relayer.pid() + "/cmdline")).replace('\0', ' '));
            String environ = Files.readString(Path.of("/proc/" + relayer.pid() + "/environ")).replace('\0', '\n');
            for (String f : v.forms()) assertThat(environ).as("the relayer's environment holds no value").doesNotContain(f);

            assertThat(relayer.terminate(Duration.ofSeconds(60))).as("stops cleanly").isZero();
            captured.add(relayer.output());
        }
        String all = String.join("\n", captured);
        // Controls: the values were read from the provider and used; DEBUG was on.
        assertThat(all).contains("secret ethereum-private-key: " + (providerName.startsWith("onepassword") ? "onepassword" : providerName.split(" ")[0]));
        assertThat(all).contains(" DEBUG ");
        assertThat(status).containsIgnoringCase(v.ethAddress().substring(2)).contains(v.cosmosAddress());
        for (String f : v.forms()) assertThat(all).as("a value of " + providerName + " leaked").doesNotContain(f);
        for (String r : rotated) assertThat(all).as("the rotated key leaked").doesNotContainIgnoringCase(r);
        for (String c : setup.credentials()) assertThat(all).as("a credential of " + providerName + " leaked").doesNotContain(c);
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        b[0] = (byte) (b[0] & 0x7f); // a key below the curve order
        return HexFormat.of().formatHex(b);
    }
}
