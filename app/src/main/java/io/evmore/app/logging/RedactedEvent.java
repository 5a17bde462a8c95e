package io.evmore.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.LoggerContextVO;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Marker;
import org.slf4j.event.KeyValuePair;

/**
 * A logging event as the encoder sees it after {@link SecretRedactor}: message, arguments, MDC, key-value pairs and
 * exception messages (causes and suppressed too) are redacted on the raw text, before any encoding. Redacting the
 * encoded line instead misses a secret that JSON escaping changed (one containing {@code "}, {@code /} or {@code \}).
 */
final class RedactedEvent implements ILoggingEvent {
    private final ILoggingEvent e;
    private final String formatted;
    private final String message;
    private final IThrowableProxy throwable;

    RedactedEvent(ILoggingEvent e) {
        this.e = e;
        this.formatted = SecretRedactor.redact(e.getFormattedMessage());
        this.message = SecretRedactor.redact(e.getMessage());
        this.throwable = e.getThrowableProxy() == null ? null : new RedactedThrowable(e.getThrowableProxy());
    }

    @Override public String getThreadName() { return e.getThreadName(); }
    @Override public Level getLevel() { return e.getLevel(); }
    @Override public String getMessage() { return message; }

    @Override
    public Object[] getArgumentArray() {
        Object[] args = e.getArgumentArray();
        if (args == null) return null;
        Object[] out = new Object[args.length];
        for (int i = 0; i < args.length; i++) out[i] = args[i] == null ? null : SecretRedactor.redact(String.valueOf(args[i]));
        return out;
    }

    @Override public String getFormattedMessage() { return formatted; }
    @Override public String getLoggerName() { return e.getLoggerName(); }
    @Override public LoggerContextVO getLoggerContextVO() { return e.getLoggerContextVO(); }
    @Override public IThrowableProxy getThrowableProxy() { return throwable; }
    @Override public StackTraceElement[] getCallerData() { return e.getCallerData(); }
    @Override public boolean hasCallerData() { return e.hasCallerData(); }
    @Override public List<Marker> getMarkerList() { return e.getMarkerList(); }

    @Override
    public Map<String, String> getMDCPropertyMap() {
        Map<String, String> mdc = e.getMDCPropertyMap();
        if (mdc == null || mdc.isEmpty()) return mdc;
        Map<String, String> out = new LinkedHashMap<>();
        mdc.forEach((k, v) -> out.put(k, SecretRedactor.redact(v)));
        return out;
    }

    @Override public Map<String, String> getMdc() { return getMDCPropertyMap(); }
    @Override public long getTimeStamp() { return e.getTimeStamp(); }
    @Override public int getNanoseconds() { return e.getNanoseconds(); }
    @Override public java.time.Instant getInstant() { return e.getInstant(); }
    @Override public long getSequenceNumber() { return e.getSequenceNumber(); }

    @Override
    public List<KeyValuePair> getKeyValuePairs() {
        List<KeyValuePair> kvs = e.getKeyValuePairs();
        if (kvs == null || kvs.isEmpty()) return kvs;
        return kvs.stream().map(kv -> new KeyValuePair(kv.key, kv.value == null ? null : SecretRedactor.redact(String.valueOf(kv.value)))).toList();
    }

    @Override public void prepareForDeferredProcessing() { e.prepareForDeferredProcessing(); }

    private static final class RedactedThrowable implements IThrowableProxy {
        private final IThrowableProxy t;

        RedactedThrowable(IThrowableProxy t) {
            this.t = t;
        }

        @Override public String getMessage() { return SecretRedactor.redact(t.getMessage()); }
        @Override public String getOverridingMessage() { return SecretRedactor.redact(t.getOverridingMessage()); }
        @Override public String getClassName() { return t.getClassName(); }
        @Override public StackTraceElementProxy[] getStackTraceElementProxyArray() { return t.getStackTraceElementProxyArray(); }
        @Override public int getCommonFrames() { return t.getCommonFrames(); }
        @Override public IThrowableProxy getCause() { return t.getCause() == null ? null : new RedactedThrowable(t.getCause()); }

        @Override
        public IThrowableProxy[] getSuppressed() {
            IThrowableProxy[] s = t.getSuppressed();
            if (s == null) return null;
            IThrowableProxy[] out = new IThrowableProxy[s.length];
            for (int i = 0; i < s.length; i++) out[i] = new RedactedThrowable(s[i]);
            return out;
        }

        @Override public boolean isCyclic() { return t.isCyclic(); }
    }
}
