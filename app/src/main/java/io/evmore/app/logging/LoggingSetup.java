package io.evmore.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.BasicSequenceNumberGenerator;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback in code: one console appender (stdout, so `docker logs` sees it), human-readable
 * lines in development, JSON lines in production, every line passed through {@link SecretRedactor}.
 */
public final class LoggingSetup {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";

    private LoggingSetup() {}

    public static void configure(String level, boolean json) {
        configure(level, json, false);
    }

    /**
     * Client commands (the swapper CLI): library logs at {@code level} on stderr, so stdout carries only the command's
     * own output (and {@code --json} stays parseable).
     */
    public static void configureForClient(String level) {
        configure(level, false, true);
    }

    private static void configure(String level, boolean json, boolean stderr) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Encoder<ILoggingEvent> inner;
        // After reset: events get increasing sequence numbers (JSON "sequenceNumber" was always 0 without one).
        BasicSequenceNumberGenerator sequence = new BasicSequenceNumberGenerator();
        sequence.setContext(ctx);
        ctx.setSequenceNumberGenerator(sequence);
        if (json) {
            JsonEncoder enc = new JsonEncoder();
            enc.setContext(ctx);
            // The message as written ("formattedMessage"), not the {} template plus an argument list.
            enc.setWithFormattedMessage(true);
            enc.setWithMessage(false);
            enc.setWithArguments(false);
            inner = enc;
        } else {
            PatternLayoutEncoder enc = new PatternLayoutEncoder();
            enc.setContext(ctx);
            enc.setPattern(PATTERN);
            inner = enc;
        }
        RedactingEncoder encoder = new RedactingEncoder(inner);
        encoder.setContext(ctx);
        encoder.start();
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(ctx);
        console.setName("console");
        if (stderr) console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        setLevel(level);
        // Chatty libraries: keep their noise at WARN unless debugging them explicitly. The JDK's own
        // java.lang.ProcessBuilder logger (JDK 24+) writes every child's full command line and a stack trace at DEBUG:
        // with LOG_LEVEL=debug that would be a trace per `op`, Hardhat or wasmd start, and command lines are not
        // for logs.
        for (String noisy : new String[] {"org.eclipse.jetty", "io.javalin", "com.zaxxer.hikari", "org.flywaydb",
                "java.lang.ProcessBuilder"}) {
            ctx.getLogger(noisy).setLevel(Level.WARN);
        }
    }

    /** Changes the root level at run time (config reload). */
    public static void setLevel(String level) {
        LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.toUpperCase(Locale.ROOT), Level.INFO));
    }
}
