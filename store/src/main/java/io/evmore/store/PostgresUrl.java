package io.evmore.store;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A PostgreSQL location parsed from {@code DATABASE_URL}: the libpq URI operators also give to
 * {@code pg_dump} ({@code postgresql://user:pass@host:5432/db?sslmode=require}, or {@code postgres://}), or a
 * pgjdbc URL ({@code jdbc:postgresql://host:5432/db?user=…}).
 *
 * <p>The credentials are split off: {@link #jdbcUrl()} never carries the password, so pool and driver errors that
 * echo the URL cannot leak it. Parse errors name the faulty part but never echo it, because a malformed URL
 * usually means a password with an unencoded special character.
 */
public final class PostgresUrl {
    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");
    /** libpq keyword → pgjdbc property, for the libpq parameters that have a pgjdbc counterpart. */
    private static final Map<String, String> LIBPQ_TO_PGJDBC = Map.of(
            "sslmode", "sslmode",
            "sslrootcert", "sslrootcert",
            "sslcert", "sslcert",
            "sslkey", "sslkey",
            "application_name", "ApplicationName",
            "connect_timeout", "connectTimeout",
            "options", "options",
            "target_session_attrs", "targetServerType");
    private static final Map<String, String> TARGET_SESSION_ATTRS = Map.of(
            "any", "any",
            "read-write", "primary",
            "primary", "primary",
            "read-only", "secondary",
            "standby", "secondary",
            "prefer-standby", "preferSecondary");

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final List<String> hosts;
    private final String database;

    private PostgresUrl(String jdbcUrl, String user, String password, List<String> hosts, String database) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.hosts = List.copyOf(hosts);
        this.database = database;
    }

    /** True if {@code url} is in one of the forms {@link #parse} accepts (by scheme only). */
    public static boolean looksLikePostgres(String url) {
        return url != null && (url.startsWith("postgresql://") || url.startsWith("postgres://")
                || url.startsWith("jdbc:postgresql://"));
    }

    /**
     * Parses a DATABASE_URL.
     *
     * @throws IllegalArgumentException naming the faulty part (never its value)
     */
    public static PostgresUrl parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DATABASE_URL is empty");
        }
        String s = url.strip();
        boolean jdbc;
        String rest;
        if (s.startsWith("jdbc:postgresql://")) {
            jdbc = true;
            rest = s.substring("jdbc:postgresql://".length());
        } else if (s.startsWith("postgresql://")) {
            jdbc = false;
            rest = s.substring("postgresql://".length());
        } else if (s.startsWith("postgres://")) {
            jdbc = false;
            rest = s.substring("postgres://".length());
        } else {
            int colon = s.indexOf(':');
            String scheme = colon > 0 && colon < 20 && s.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")
                    ? "'" + s.substring(0, colon) + ":'" : "none";
            throw new IllegalArgumentException("DATABASE_URL has an unsupported scheme (" + scheme
                    + "): expected postgresql://, postgres:// or jdbc:postgresql://; leave it empty for the embedded"
                    + " SQLite database");
        }

        // Userinfo cannot contain '/' or '?' (libpq rule); it may contain a raw '@', so take the last one.
        int authEnd = indexOfAny(rest, "/?");
        String authority = authEnd < 0 ? rest : rest.substring(0, authEnd);
        String afterAuthority = authEnd < 0 ? "" : rest.substring(authEnd);
        String user = null;
        String password = null;
        String hostPart = authority;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            hostPart = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                user = decode(userInfo.substring(0, colon), "user name");
                password = decode(userInfo.substring(colon + 1), "password");
            } else {
                user = decode(userInfo, "user name");
            }
        }
        List<String> hosts = parseHosts(hostPart);

        String database = null;
        String query = "";
        if (afterAuthority.startsWith("/")) {
            int q = afterAuthority.indexOf('?');
            String path = q < 0 ? afterAuthority.substring(1) : afterAuthority.substring(1, q);
            query = q < 0 ? "" : afterAuthority.substring(q + 1);
            if (path.contains("/") || path.contains("@") || path.contains(":")) {
                throw new IllegalArgumentException("DATABASE_URL has an invalid database name (it contains '/', ':' or"
                        + " '@'); percent-encode special characters in the user name and password");
            }
            database = path.isEmpty() ? null : decode(path, "database name");
        } else if (afterAuthority.startsWith("?")) {
            query = afterAuthority.substring(1);
        }

        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("DATABASE_URL has a query parameter without a name or value");
            }
            String key = decode(pair.substring(0, eq), "query parameter name");
            if (!key.matches("[A-Za-z][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("DATABASE_URL has an invalid query parameter name");
            }
            String value = decode(pair.substring(eq + 1), "value of query parameter '" + key + "'");
            if (params.put(key, value) != null) {
                throw new IllegalArgumentException("DATABASE_URL repeats query parameter '" + key + "'");
            }
        }
        String queryUser = params.remove("user");
        String queryPassword = params.remove("password");
        if (queryUser != null) user = queryUser;
        if (queryPassword != null) password = queryPassword;

        Map<String, String> jdbcParams = jdbc ? params : libpqToJdbc(params);
        StringBuilder j = new StringBuilder("jdbc:postgresql://").append(String.join(",", hosts)).append('/');
        if (database != null) j.append(encode(database));
        String sep = "?";
        for (Map.Entry<String, String> e : jdbcParams.entrySet()) {
            j.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
            sep = "&";
        }
        return new PostgresUrl(j.toString(), emptyToNull(user), emptyToNull(password), hosts, database);
    }

    private static Map<String, String> libpqToJdbc(Map<String, String> params) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            String jdbcKey = LIBPQ_TO_PGJDBC.get(key);
            if (jdbcKey == null) {
                throw new IllegalArgumentException("DATABASE_URL has unsupported parameter '" + key
                        + "'; supported: " + String.join(", ", LIBPQ_TO_PGJDBC.keySet().stream().sorted().toList())
                        + ", user, password");
            }
            switch (key) {
                case "sslmode" -> {
                    if (!SSL_MODES.contains(value)) {
                        throw new IllegalArgumentException("DATABASE_URL has invalid sslmode '" + value
                                + "'; expected one of " + SSL_MODES.stream().sorted().toList());
                    }
                }
                case "connect_timeout" -> {
                    if (!value.matches("[0-9]{1,6}")) {
                        throw new IllegalArgumentException(
                                "DATABASE_URL has invalid connect_timeout '" + value + "'; expected whole seconds");
                    }
                }
                case "target_session_attrs" -> {
                    String mapped = TARGET_SESSION_ATTRS.get(value);
                    if (mapped == null) {
                        throw new IllegalArgumentException("DATABASE_URL has invalid target_session_attrs '" + value
                                + "'; expected one of " + TARGET_SESSION_ATTRS.keySet().stream().sorted().toList());
                    }
                    value = mapped;
                }
                default -> { }
            }
            out.put(jdbcKey, value);
        }
        return out;
    }

    private static List<String> parseHosts(String hostPart) {
        if (hostPart.isEmpty()) {
            throw new IllegalArgumentException("DATABASE_URL has no host: give host[:port] (Unix-socket connections"
                    + " are not supported)");
        }
        List<String> hosts = new ArrayList<>();
        for (String h : hostPart.split(",", -1)) {
            String host;
            String port = null;
            if (h.startsWith("[")) {
                int close = h.indexOf(']');
                if (close < 0) throw new IllegalArgumentException("DATABASE_URL has an unterminated IPv6 host");
                host = h.substring(0, close + 1);
                String tail = h.substring(close + 1);
                if (!tail.isEmpty()) {
                    if (!tail.startsWith(":")) throw new IllegalArgumentException("DATABASE_URL has an invalid host");
                    port = tail.substring(1);
                }
                if (!host.substring(1, host.length() - 1).matches("[0-9A-Fa-f:.%a-z]+")) {
                    throw new IllegalArgumentException("DATABASE_URL has an invalid IPv6 host");
                }
            } else {
                int colon = h.indexOf(':');
                host = colon < 0 ? h : h.substring(0, colon);
                port = colon < 0 ? null : h.substring(colon + 1);
                if (!host.matches("[A-Za-z0-9._-]+")) {
                    // Do not echo: a password with a raw ':' or '/' ends up here.
                    throw new IllegalArgumentException("DATABASE_URL has an invalid host name; percent-encode special"
                            + " characters in the user name and password");
                }
            }
            if (port != null) {
                int p;
                try {
                    p = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
                } catch (NumberFormatException e) {
                    p = -1;
                }
                if (p < 1 || p > 65535) {
                    throw new IllegalArgumentException("DATABASE_URL has an invalid port; expected 1-65535");
                }
                hosts.add(host + ":" + p);
            } else {
                hosts.add(host);
            }
        }
        return hosts;
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }

    /** Percent-decoding as libpq does it: '+' stays a plus. The value is never put in the error. */
    private static String decode(String s, String what) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DATABASE_URL has an invalid percent-encoding in the " + what);
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** pgjdbc URL without user or password. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /** User from the URL, or null. */
    public String user() {
        return user;
    }

    /** Password from the URL, or null. */
    public String password() {
        return password;
    }

    /** Same location with credentials given separately (null keeps the URL's); explicit settings win. */
    public PostgresUrl withCredentials(String explicitUser, String explicitPassword) {
        return new PostgresUrl(jdbcUrl, explicitUser != null ? explicitUser : user,
                explicitPassword != null ? explicitPassword : password, hosts, database);
    }

    /** {@code postgresql://user@host:port/db}: safe to log. */
    public String redacted() {
        StringBuilder r = new StringBuilder("postgresql://");
        if (user != null) r.append(user).append('@');
        r.append(String.join(",", hosts)).append('/');
        if (database != null) r.append(database);
        return r.toString();
    }

    @Override
    public String toString() {
        return redacted();
    }
}
