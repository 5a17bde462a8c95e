package io.evmore.app.deploy;

import static io.evmore.app.monitoring.ObservabilityTools.ROOT;
import static io.evmore.app.monitoring.ObservabilityTools.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The deployment files, checked where Docker cannot run: docker-compose.yml through compose-go (the Compose
 * specification's JSON schema, interpolation of the required variables, references between services) and the
 * structure the runbook relies on; the Dockerfile against the rules that matter (hadolint cannot be installed here):
 * multi-stage, pinned base images, a non-root user, a health check, no secret in ENV or ARG, the jar's main class.
 */
class DeploymentFilesIT {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final String[] ENV = {"ETHEREUM_RPC_URL=https://eth.example", "COSMOS_RPC_URL=https://osmo.example", "POSTGRES_PASSWORD=pw",
            "ADMIN_TOKEN=0123456789abcdef0123", "ETHEREUM_PRIVATE_KEY=key", "COSMOS_MNEMONIC=words", "GRAFANA_PASSWORD=gp"};

    @Test
    void composeFileIsValidUnderTheComposeSpecification() throws Exception {
        List<String> args = new ArrayList<>(List.of("compose", "docker-compose.yml"));
        args.addAll(List.of(ENV));
        var ok = run(ROOT, 60, "OBSCHECK", args.toArray(String[]::new));
        assertThat(ok.exit()).as(ok.output()).isZero();
        // a missing secret stops `docker compose up` with its name, instead of starting with an empty one
        var missing = run(ROOT, 60, "OBSCHECK", "compose", "docker-compose.yml", "ETHEREUM_RPC_URL=x");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.output()).contains("required variable GRAFANA_PASSWORD is missing", "required variable ADMIN_TOKEN is missing");
        // a control: the schema refuses a key the specification does not have
        Path bad = Files.createTempFile(ROOT.resolve("app/target"), "compose", ".yml");
        try {
            Files.writeString(bad, Files.readString(ROOT.resolve("docker-compose.yml")).replace("    read_only: true\n", "    read_only: true\n    readonly_rootfs: true\n"));
            args.set(1, bad.toString());
            var refused = run(ROOT, 60, "OBSCHECK", args.toArray(String[]::new));
            assertThat(refused.exit()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("readonly_rootfs");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    @Test
    void composeWiresTheServicesAsTheGuideShows() throws Exception {
        JsonNode c = YAML.readTree(ROOT.resolve("docker-compose.yml").toFile());
        JsonNode s = c.path("services");
        assertThat(fieldNames(s)).containsExactlyInAnyOrder("relayer", "postgres", "prometheus", "alertmanager", "grafana", "jaeger");
        JsonNode relayer = s.path("relayer");
        assertThat(texts(relayer.path("ports"))).containsExactly("3000:3000");
        assertThat(texts(relayer.path("environment"))).contains("FUSION_ENV=production", "LOG_LEVEL=${LOG_LEVEL:-info}")
                .anyMatch(e -> e.startsWith("ETHEREUM_RPC_URL=${ETHEREUM_RPC_URL"))
                .anyMatch(e -> e.startsWith("COSMOS_RPC_URL=${COSMOS_RPC_URL"))
                .anyMatch(e -> e.startsWith("ENABLE_TRACING=${ENABLE_TRACING"))
                .anyMatch(e -> e.startsWith("DATABASE_URL=postgresql://evmore:${POSTGRES_PASSWORD"));
        assertThat(texts(relayer.path("volumes"))).containsExactly("./config:/app/config:ro");
        assertThat(relayer.path("read_only").asBoolean()).as("read-only root filesystem").isTrue();
        assertThat(texts(relayer.path("tmpfs"))).singleElement().asString().startsWith("/tmp");
        assertThat(relayer.path("restart").asText()).isEqualTo("unless-stopped");
        assertThat(texts(s.path("prometheus").path("ports"))).containsExactly("9090:9090");
        assertThat(texts(s.path("prometheus").path("volumes"))).contains("./monitoring/prometheus.yml:/etc/prometheus/prometheus.yml:ro",
                "./monitoring/alerts.yml:/etc/prometheus/alerts.yml:ro");
        assertThat(texts(s.path("grafana").path("ports"))).containsExactly("3001:3000");
        assertThat(texts(s.path("grafana").path("environment"))).anyMatch(e -> e.startsWith("GF_SECURITY_ADMIN_PASSWORD=${GRAFANA_PASSWORD"));
        // every file a service mounts from the repository exists
        for (JsonNode svc : s) {
            for (String v : texts(svc.path("volumes"))) {
                if (v.startsWith("./")) assertThat(ROOT.resolve(v.substring(2, v.indexOf(':')))).as(v).exists();
            }
        }
        // the relayer's command names the production config the image ships and the mount provides
        assertThat(texts(relayer.path("command"))).containsExactly("run", "--config", "/app/config/production.yaml");
        assertThat(ROOT.resolve("config/production.yaml")).exists();
        // OTLP to Jaeger over the monitoring network
        assertThat(Files.readString(ROOT.resolve("config/production.yaml"))).contains("otlpEndpoint: http://jaeger:4318");
        assertThat(texts(s.path("jaeger").path("networks"))).contains("monitoring");
        assertThat(c.path("networks").path("monitoring").path("internal").asBoolean()).isTrue();
    }

    @Test
    void dockerfileKeepsTheRulesThatMatter() throws Exception {
        String d = Files.readString(ROOT.resolve("Dockerfile"));
        List<String> from = lines(d, "FROM");
        assertThat(from).as("multi-stage").hasSizeGreaterThanOrEqualTo(2);
        for (String f : from) {
            String image = f.split("\\s+")[1];
            assertThat(image).as("pinned base image " + f).contains(":").doesNotEndWith(":latest").matches(".*:[^:]*[0-9][^:]*");
        }
        List<String> users = lines(d, "USER");
        assertThat(users).as("runs as a user").isNotEmpty();
        String user = users.getLast().split("\\s+")[1];
        assertThat(user).as("the last USER is not root").doesNotStartWith("root").doesNotStartWith("0:").isNotEqualTo("0");
        assertThat(d.indexOf("USER ")).as("USER comes in the final stage").isGreaterThan(d.lastIndexOf("\nFROM "));
        assertThat(lines(d, "HEALTHCHECK")).singleElement().asString().contains("/health");
        Pattern secretish = Pattern.compile("(?i)(KEY|TOKEN|PASSWORD|PASSWD|MNEMONIC|SECRET|CREDENTIAL)");
        for (String e : joinedInstructions(d, "ENV", "ARG")) {
            assertThat(secretish.matcher(e).find()).as("no secret in " + e).isFalse();
        }
        assertThat(d).doesNotContain("ADD http").contains("chmod -R 555 /app").contains("VOLUME [\"/tmp\"]");
        // the entrypoint runs the shaded jar, whose main class is the CLI EntrypointIT runs
        assertThat(lines(d, "ENTRYPOINT")).singleElement().asString().contains("\"-jar\", \"/app/evmore.jar\"");
        assertThat(Files.readString(ROOT.resolve("app/pom.xml"))).contains("<finalName>evmore</finalName>")
                .contains("<mainClass>io.evmore.app.cli.EvmoreCli</mainClass>");
    }

    static List<String> lines(String dockerfile, String instruction) {
        return joinedInstructions(dockerfile, instruction);
    }

    /** Instructions with their continuation lines joined. */
    static List<String> joinedInstructions(String dockerfile, String... instructions) {
        String joined = dockerfile.replaceAll("\\\\\\n", " ");
        List<String> out = new ArrayList<>();
        for (String l : joined.split("\n")) {
            String t = l.strip();
            for (String i : instructions) if (t.startsWith(i + " ")) out.add(t);
        }
        return out;
    }

    static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    static List<String> texts(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asText()));
        return out;
    }

    static String group(Matcher m) {
        return m.find() ? m.group(1) : null;
    }
}
