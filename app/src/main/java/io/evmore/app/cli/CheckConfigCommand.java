package io.evmore.app.cli;

import io.evmore.app.config.ConfigException;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.ConfigRedactor;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.http.HttpApi;
import io.evmore.app.logging.LoggingSetup;
import io.evmore.app.secrets.RelayerSecrets;
import io.evmore.secrets.SecretsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ./evmore check-config: validate a config file (with the environment) and print the effective, redacted result. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = {"Validate a config file with the current environment overrides; print the effective configuration (secrets redacted).",
                "Then read each secret from the configured provider and say where it came from (never its value); exit 1 if one cannot be read."})
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "config/relayer.yaml", description = "YAML config file (default: ${DEFAULT-VALUE})")
    Path config;

    @Option(names = "--no-secrets", description = "Do not read the secrets from their provider (by default each one is read and its source shown).")
    boolean skipSecrets;

    @Override
    public Integer call() throws Exception {
        RelayerConfig cfg;
        try {
            cfg = ConfigLoader.load(config);
            System.out.println(HttpApi.JSON.writeValueAsString(ConfigRedactor.redactedTree(cfg)));
        } catch (ConfigException e) {
            System.err.println("config error: " + e.getMessage());
            return RunCommand.EXIT_CONFIG;
        }
        if (skipSecrets) {
            System.err.println("config ok: " + config + " (secrets not read: --no-secrets)");
            return 0;
        }
        // The secrets as the relayer would resolve them at start: where each one comes from, never its value.
        LoggingSetup.configure("warn", false);
        try (RelayerSecrets secrets = RelayerSecrets.open(cfg.secrets(), System.getenv())) {
            RelayerSecrets.Resolved r = secrets.resolve(cfg);
            System.err.println("secrets: provider " + secrets.describe());
            r.sourceView().forEach((name, source) -> System.err.println("  " + name + ": " + source));
        } catch (SecretsException e) {
            System.err.println("secrets error: " + e.getMessage());
            return RunCommand.EXIT_START_FAILED;
        }
        System.err.println("config ok: " + config);
        return 0;
    }
}
