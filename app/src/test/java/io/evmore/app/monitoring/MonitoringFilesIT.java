package io.evmore.app.monitoring;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The monitoring files of the repository, checked with the real tools (no relayer needed): promtool on prometheus.yml
 * and the alert rules and their unit tests (every alert has a firing and a quiet case), amtool on the Alertmanager
 * routing, grafana-foundation-sdk's strict decoder on every dashboard, and the provisioning that ties them together.
 */
class MonitoringFilesIT {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Path MONITORING = ROOT.resolve("monitoring");

    @Test
    void promtoolAcceptsTheConfigAndTheRules() throws Exception {
        var config = run(MONITORING, 60, "PROMTOOL", "check", "config", "prometheus.yml");
        assertThat(config.exit()).as(config.output()).isZero();
        assertThat(config.output()).contains("SUCCESS: 1 rule files found");
        var rules = run(MONITORING, 60, "PROMTOOL", "check", "rules", "alerts.yml");
        assertThat(rules.exit()).as(rules.output()).isZero();
    }

    @Test
    void theGuidesScrapeJobIsThere() throws Exception {
        JsonNode c = YAML.readTree(MONITORING.resolve("prometheus.yml").toFile());
        JsonNode job = null;
        for (JsonNode j : c.path("scrape_configs")) if (j.path("job_name").asText().equals("evmore-relayer")) job = j;
        assertThat(job).as("job evmore-relayer").isNotNull();
        assertThat(job.path("static_configs").get(0).path("targets").get(0).asText()).isEqualTo("relayer:3000");
        assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
        assertThat(job.path("scrape_interval").asText()).isEqualTo("10s");
        assertThat(c.path("global").path("scrape_interval").asText()).isEqualTo("15s");
    }

    @Test
    void everyAlertFiresAndStaysQuietInTheRuleUnitTests() throws Exception {
        var result = run(MONITORING, 120, "PROMTOOL", "test", "rules", "tests/alerts_test.yml");
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");

        JsonNode tests = YAML.readTree(MONITORING.resolve("tests/alerts_test.yml").toFile());
        List<String> firing = new ArrayList<>();
        List<String> quiet = new ArrayList<>();
        for (JsonNode t : tests.path("tests")) {
            for (JsonNode c : t.path("alert_rule_test")) {
                (c.path("exp_alerts").isEmpty() ? quiet : firing).add(c.path("alertname").asText());
            }
        }
        List<String> alerts = alertNames();
        assertThat(alerts).hasSizeGreaterThanOrEqualTo(10);
        assertThat(firing).as("alerts with a case where they fire").containsAll(alerts);
        assertThat(quiet).as("alerts with a case where they stay quiet").containsAll(alerts);
    }

    @Test
    void everyAlertHasASeverityAndARunbookSection() throws Exception {
        String runbook = Files.readString(ROOT.resolve("docs/RUNBOOK.md"));
        for (JsonNode rule : rules()) {
            String name = rule.path("alert").asText();
            assertThat(rule.path("labels").path("severity").asText()).as(name).isIn("critical", "warning");
            assertThat(rule.path("annotations").path("runbook_url").asText()).as(name)
                    .isEqualTo("docs/RUNBOOK.md#" + name.toLowerCase());
            assertThat(runbook).as("docs/RUNBOOK.md has a section for " + name).contains("\n### " + name + "\n");
        }
    }

    @Test
    void alertmanagerRoutesCriticalToThePageAndWarningsToTheTicket() throws Exception {
        var check = run(MONITORING, 60, "AMTOOL", "check-config", "alertmanager.yml");
        assertThat(check.exit()).as(check.output()).isZero();
        var critical = run(MONITORING, 60, "AMTOOL", "config", "routes", "test", "--config.file=alertmanager.yml",
                "--verify.receivers=evmore-page", "alertname=EvmorePoolDown", "severity=critical");
        assertThat(critical.exit()).as(critical.output()).isZero();
        var warning = run(MONITORING, 60, "AMTOOL", "config", "routes", "test", "--config.file=alertmanager.yml",
                "--verify.receivers=evmore-ticket", "alertname=EvmoreEndpointDown", "severity=warning");
        assertThat(warning.exit()).as(warning.output()).isZero();
        var wrong = run(MONITORING, 60, "AMTOOL", "config", "routes", "test", "--config.file=alertmanager.yml",
                "--verify.receivers=evmore-ticket", "severity=critical");
        assertThat(wrong.exit()).as("a control: a critical alert is not routed to the ticket receiver").isNotZero();
    }

    @Test
    void everyDashboardPassesTheStrictGrafanaSchemaCheck() throws Exception {
        List<String> files;
        try (Stream<Path> s = Files.list(MONITORING.resolve("grafana/dashboards"))) {
            files = s.filter(p -> p.toString().endsWith(".json")).map(Path::toString).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        var result = run(MONITORING, 60, "OBSCHECK", Stream.concat(Stream.of("dashboards"), files.stream()).toArray(String[]::new));
        assertThat(result.exit()).as(result.output()).isZero();

        // a control: the checker refuses a dashboard with a field Grafana does not know
        Path bad = Files.createTempFile("dashboard", ".json");
        try {
            Files.writeString(bad, Files.readString(Path.of(files.getFirst())).replaceFirst("\"gridPos\": \\{", "\"gridPos\": {\"depth\": 1,"));
            var refused = run(MONITORING, 60, "OBSCHECK", "dashboards", bad.toString());
            assertThat(refused.exit()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).contains("unexpected field 'depth'");
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    @Test
    void theDashboardsHaveTheGuidesPanelsAndUseTheProvisionedDatasource() throws Exception {
        JsonNode ds = YAML.readTree(MONITORING.resolve("grafana/provisioning/datasources/prometheus.yml").toFile());
        String uid = ds.path("datasources").get(0).path("uid").asText();
        assertThat(ds.path("datasources").get(0).path("url").asText()).isEqualTo("http://prometheus:9090");
        JsonNode d = new ObjectMapper().readTree(MONITORING.resolve("grafana/dashboards/evmore-operations.json").toFile());
        List<String> titles = new ArrayList<>();
        for (JsonNode p : d.path("panels")) {
            titles.add(p.path("title").asText());
            assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo(uid);
            for (JsonNode t : p.path("targets")) assertThat(t.path("datasource").path("uid").asText()).isEqualTo(uid);
        }
        assertThat(titles).contains("Swap Success Rate", "Connection Pool Utilization", "Swaps by state", "Relay duration percentiles",
                "Follower lag", "RPC errors per endpoint", "Inventory available (base units)", "Swaps AT RISK");
        JsonNode provider = YAML.readTree(MONITORING.resolve("grafana/provisioning/dashboards/evmore.yml").toFile());
        assertThat(provider.path("providers").get(0).path("options").path("path").asText()).isEqualTo("/var/lib/grafana/dashboards");
    }

    static List<JsonNode> rules() throws Exception {
        JsonNode doc = YAML.readTree(MONITORING.resolve("alerts.yml").toFile());
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode g : doc.path("groups")) for (JsonNode r : g.path("rules")) if (r.has("alert")) out.add(r);
        return out;
    }

    static List<String> alertNames() throws Exception {
        return rules().stream().map(r -> r.path("alert").asText()).toList();
    }
}
