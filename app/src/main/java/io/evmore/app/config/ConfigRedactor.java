package io.evmore.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns the configuration into JSON fit for /admin/config and logs: secret keys replaced by a marker, and
 * credentials inside URLs (user:password@, query strings, API keys in the path) removed.
 */
public final class ConfigRedactor {
    public static final String REDACTED = "***redacted***";
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    /** Keys whose values are secrets wherever they appear. */
    private static final Pattern SECRET_KEY = Pattern.compile("(?i).*(token|password|secret|mnemonic|privatekey|private_key|apikey|api_key).*");
    /** Keys whose values are URLs that may embed credentials. */
    private static final Pattern URL_KEY = Pattern.compile("(?i).*(url|urls|endpoint|connecthost)$");
    /** Keys the secret pattern would catch that hold no secret (secrets.aws.secretPrefix: a name prefix). */
    private static final java.util.Set<String> NOT_SECRET = java.util.Set.of("secretPrefix");
    /** Keys outside the secret pattern that are credentials all the same (secrets.vault.roleId: half an AppRole login). */
    private static final java.util.Set<String> ALSO_SECRET = java.util.Set.of("roleId");
    /** Path segments that look like API keys (Infura/Alchemy style). */
    private static final Pattern KEY_LIKE_SEGMENT = Pattern.compile("[A-Za-z0-9_-]{20,}");

    private ConfigRedactor() {}

    public static ObjectNode redactedTree(RelayerConfig config) {
        ObjectNode tree = JSON.valueToTree(config);
        redact(tree);
        return tree;
    }

    private static void redact(ObjectNode node) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            var e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if ((SECRET_KEY.matcher(key).matches() && !NOT_SECRET.contains(key) || ALSO_SECRET.contains(key)) && v.isTextual()) {
                e.setValue(node.textNode(v.asText().isEmpty() ? "" : REDACTED));
            } else if (URL_KEY.matcher(key).matches() && v.isTextual()) {
                e.setValue(node.textNode(redactUrl(v.asText())));
            } else if (URL_KEY.matcher(key).matches() && v instanceof ArrayNode arr) {
                for (int i = 0; i < arr.size(); i++) {
                    if (arr.get(i).isTextual()) arr.set(i, arr.textNode(redactUrl(arr.get(i).asText())));
                }
            } else if (v instanceof ObjectNode o) {
                redact(o);
            } else if (v instanceof ArrayNode arr) {
                for (JsonNode item : arr) {
                    if (item instanceof ObjectNode o) redact(o);
                }
            }
        }
    }

    /**
     * Removes the password of the user info, the query and key-like path segments from a URL. A value that does not
     * parse as a URL (the very one an operator must see to fix it) is shown with the same parts masked by their
     * shape instead: see {@link #redactLoosely}.
     */
    public static String redactUrl(String url) {
        if (url == null || url.isEmpty()) return url;
        try {
            URI u = new URI(url.startsWith("jdbc:") ? url.substring(5) : url);
            if (u.getScheme() == null || u.getRawAuthority() == null) return redactLoosely(url);
            StringBuilder sb = new StringBuilder();
            if (url.startsWith("jdbc:")) sb.append("jdbc:");
            sb.append(u.getScheme()).append("://");
            if (u.getRawUserInfo() != null) {
                String user = u.getRawUserInfo();
                int colon = user.indexOf(':');
                sb.append(colon >= 0 ? user.substring(0, colon) + ":" + REDACTED : user).append('@');
            }
            sb.append(u.getHost() == null ? "" : u.getHost());
            if (u.getPort() >= 0) sb.append(':').append(u.getPort());
            if (u.getRawPath() != null && !u.getRawPath().isEmpty()) {
                String[] segs = u.getRawPath().split("/", -1);
                for (int i = 1; i < segs.length; i++) {
                    sb.append('/').append(KEY_LIKE_SEGMENT.matcher(segs[i]).matches() ? REDACTED : segs[i]);
                }
            }
            if (u.getRawQuery() != null) sb.append("?").append(REDACTED);
            return sb.toString();
        } catch (Exception e) {
            return redactLoosely(url);
        }
    }

    /** Runs of key-like characters anywhere in a value that is not a URL (an API key, a hex private key). */
    private static final Pattern KEY_LIKE_RUN = Pattern.compile("[A-Za-z0-9_-]{20,}");

    /**
     * For text that is not a parseable URL: masks what sits where credentials would (the part after ':' before the
     * last '@', everything after '?' or '#') and every key-like run; the rest stays readable.
     */
    static String redactLoosely(String s) {
        String rest = s;
        String tail = "";
        int q = indexOfAny(rest, '?', '#');
        if (q >= 0) {
            tail = rest.charAt(q) + REDACTED;
            rest = rest.substring(0, q);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            int sep = rest.indexOf("//");
            int start = sep >= 0 && sep < at ? sep + 2 : 0;
            String userInfo = rest.substring(start, at);
            int colon = userInfo.indexOf(':');
            String masked = colon >= 0 ? userInfo.substring(0, colon) + ":" + REDACTED : userInfo;
            rest = rest.substring(0, start) + masked + rest.substring(at);
        }
        return KEY_LIKE_RUN.matcher(rest).replaceAll(java.util.regex.Matcher.quoteReplacement(REDACTED)) + tail;
    }

    private static int indexOfAny(String s, char a, char b) {
        int i = s.indexOf(a), j = s.indexOf(b);
        return i < 0 ? j : j < 0 ? i : Math.min(i, j);
    }

    static boolean isSecretKey(String dottedKey) {
        String last = dottedKey.substring(dottedKey.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        if (NOT_SECRET.stream().anyMatch(k -> k.equalsIgnoreCase(last))) return false;
        return SECRET_KEY.matcher(last).matches() || ALSO_SECRET.stream().anyMatch(k -> k.equalsIgnoreCase(last));
    }
}
