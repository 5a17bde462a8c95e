package io.evmore.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps another encoder (pattern or JSON) and removes registered secret values: from the event's text before it
 * is encoded ({@link RedactedEvent}), and from the encoded line after, so the redaction covers the message,
 * arguments, MDC and stack traces alike.
 */
public final class RedactingEncoder extends EncoderBase<ILoggingEvent> {
    private final Encoder<ILoggingEvent> inner;

    public RedactingEncoder(Encoder<ILoggingEvent> inner) {
        this.inner = inner;
    }

    @Override
    public byte[] headerBytes() {
        return inner.headerBytes();
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        // Redact the raw text first (JSON escaping would hide a secret containing " / or \ from a later match),
        // then the encoded line too, for what the event wrapper does not cover (e.g. thread names).
        byte[] raw = inner.encode(new RedactedEvent(event));
        if (raw == null) return null;
        String text = new String(raw, StandardCharsets.UTF_8);
        String clean = SecretRedactor.redact(text);
        return clean == text ? raw : clean.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] footerBytes() {
        return inner.footerBytes();
    }

    @Override
    public void start() {
        inner.start();
        super.start();
    }

    @Override
    public void stop() {
        inner.stop();
        super.stop();
    }
}
