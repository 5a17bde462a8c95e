package io.evmore.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's configuration from the first logger until {@link LoggingSetup} configures logging from the relayer's
 * configuration, and for the CLI's other commands: one console appender, {@code HH:mm:ss.SSS LEVEL logger - message},
 * chatty libraries at WARN, the rest at INFO. Registered as logback's {@link Configurator} service (META-INF/services), so
 * logback does not look for and parse a {@code logback.xml} (its XML configurator was ~10% of the relayer's start-up
 * profile, docs/BENCHMARKS.md "Start-up"). An operator's {@code -Dlogback.configurationFile=…} is still honoured: then
 * this steps aside and logback reads that file as usual.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_NORMAL_PRIORITY)
public final class DefaultLogging extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n";
    static final String[] AT_WARN = {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb"};

    @Override
    public ExecutionStatus configure(LoggerContext ctx) {
        String file = System.getProperty("logback.configurationFile");
        if (file != null && !file.isBlank()) return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("console");
        console.setEncoder(encoder);
        console.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(console);
        for (String name : AT_WARN) ctx.getLogger(name).setLevel(Level.WARN);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }
}
