package io.evmore.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The suite-wide rule "nothing can hang CI": the build gives every test and lifecycle method a time limit
 * ({@code junit.jupiter.execution.timeout.default}, set for every module in the root pom's surefire
 * configuration). This fails when that setting is removed or made unbounded.
 */
class SuiteTimeLimitTest {
    private static final String KEY = "junit.jupiter.execution.timeout.default";

    static final class ConfigCapture implements BeforeEachCallback {
        volatile Optional<String> value = Optional.empty();

        @Override
        public void beforeEach(ExtensionContext context) {
            value = context.getConfigurationParameter(KEY);
        }
    }

    @RegisterExtension
    final ConfigCapture capture = new ConfigCapture();

    @Test
    void everyTestHasAFiniteGenerousTimeLimit() {
        String text = capture.value.orElseThrow(() -> new AssertionError(KEY + " is not set for the test run"));
        Matcher m = Pattern.compile("\\s*(\\d+)\\s*(ns|μs|ms|s|m|h|d)\\s*", Pattern.CASE_INSENSITIVE).matcher(text);
        assertThat(m.matches()).as(KEY + " = '" + text + "' is a JUnit duration").isTrue();
        long n = Long.parseLong(m.group(1));
        Duration limit = switch (m.group(2).toLowerCase()) {
            case "ns" -> Duration.ofNanos(n);
            case "μs" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        // generous enough for slow ITs on a loaded 2-core machine, short enough that a hang fails the build
        assertThat(limit).isBetween(Duration.ofMinutes(2), Duration.ofMinutes(15));
    }
}
