package io.evmore.app.cli;

import io.evmore.app.config.ConfigException;
import io.evmore.app.config.ConfigLoader;
import io.evmore.app.config.ConfigRedactor;
import io.evmore.app.config.RelayerConfig;
import io.evmore.app.http.HttpApi;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ./evmore check-config: validate a config file (with the environment) and print the effective, redacted result. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Validate a config file with the current environment overrides; print the effective configuration (secrets redacted).")
final class CheckConfigCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "config/relayer.yaml", description = "YAML config file (default: ${DEFAULT-VALUE})")
    Path config;

    @Override
    public Integer call() throws Exception {
        try {
            RelayerConfig cfg = ConfigLoader.load(config);
            System.out.println(HttpApi.JSON.writeValueAsString(ConfigRedactor.redactedTree(cfg)));
            System.err.println("config ok: " + config);
            return 0;
        } catch (ConfigException e) {
            System.err.println("config error: " + e.getMessage());
            return RunCommand.EXIT_CONFIG;
        }
    }
}
