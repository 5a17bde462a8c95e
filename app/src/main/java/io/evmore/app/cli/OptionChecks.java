package io.evmore.app.cli;

import io.evmore.devnet.DevnetMain;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import sun.misc.Signal;

/**
 * The checks of option values picocli cannot make by itself (ranges, formats, combinations), for every command: a bad
 * value is a {@link ParameterException} whose message names the option and the value, so that it ends where an unknown
 * option ends: one line on stderr from {@link EvmoreCli#commandLine()}'s handler and exit code 2, nothing started.
 */
final class OptionChecks {
    private final CommandSpec spec;

    private OptionChecks(CommandSpec spec) {
        this.spec = spec;
    }

    static OptionChecks of(CommandSpec spec) {
        return new OptionChecks(spec);
    }

    /** Throws with {@code message} (which names the option and the value) unless {@code ok}. */
    OptionChecks require(boolean ok, String message) {
        if (!ok) throw new ParameterException(spec.commandLine(), message);
        return this;
    }

    /** The constant of {@code type} that {@code value} names, in any case and with '-' for '_'; else the message. */
    <E extends Enum<E>> E choice(Class<E> type, String value, String message) {
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    /** {@code --block-interval}, as every way to start local chains reads it ({@link DevnetMain#parseBlockInterval}). */
    Duration blockInterval(String value) {
        try {
            return DevnetMain.parseBlockInterval(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** A latch that SIGTERM and SIGINT (Ctrl-C) count down: the local-world commands run until it opens. */
    static CountDownLatch stopSignal() {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        return stop;
    }
}
