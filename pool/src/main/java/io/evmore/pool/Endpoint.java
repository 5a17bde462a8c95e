package io.evmore.pool;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * One RPC endpoint of a chain. The {@code name} is what metrics, logs and the admin API show (a bounded,
 * configured label); the {@code url} may carry credentials (user info, an API key in the path or query) and is
 * therefore never shown: {@link #toString()} and {@link #redact(String)} replace it.
 */
public record Endpoint(String name, String url) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public Endpoint {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid endpoint name '" + name
                    + "': 1-64 characters of letters, digits, '_', '.', '-' (it is used as a metric label)");
        }
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("endpoint '" + name + "' has no url");
        }
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("endpoint '" + name + "' has a malformed url", null);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https") || scheme.equals("ws") || scheme.equals("wss"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("endpoint '" + name + "' url must be http(s):// or ws(s):// with a host");
        }
    }

    /** A chain's endpoints in preference order, named {@code rpc-0}, {@code rpc-1}, … (the bounded metric label). */
    public static java.util.List<Endpoint> numbered(java.util.List<String> urls) {
        java.util.List<Endpoint> out = new java.util.ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            out.add(new Endpoint("rpc-" + i, urls.get(i)));
        }
        return java.util.List.copyOf(out);
    }

    /** Scheme and host:port only: safe to show. */
    public String safeUrl() {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    /** Whether the url carries anything that may be secret: user info, a path (API keys live there) or a query. */
    public boolean hasCredentials() {
        URI uri = URI.create(url);
        return uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || (uri.getRawPath() != null && uri.getRawPath().length() > 1);
    }

    public boolean isWebSocket() {
        return url.startsWith("ws://") || url.startsWith("wss://");
    }

    /** Replaces any occurrence of the full url (which may hold credentials) in a message with the endpoint name. */
    public String redact(String message) {
        if (message == null) {
            return null;
        }
        String out = message.replace(url, "<" + name + ">");
        URI uri = URI.create(url);
        if (uri.getRawUserInfo() != null) {
            out = out.replace(uri.getRawUserInfo(), "***");
        }
        if (uri.getRawPath() != null && uri.getRawPath().length() > 1) {
            out = out.replace(uri.getRawPath(), "/***");
        }
        if (uri.getRawQuery() != null) {
            out = out.replace(uri.getRawQuery(), "***");
        }
        return out;
    }

    @Override
    public String toString() {
        return "Endpoint[" + name + " " + safeUrl() + "]";
    }
}
