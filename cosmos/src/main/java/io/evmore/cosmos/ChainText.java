package io.evmore.cosmos;

/**
 * Text a node or a chain supplied (error messages, logs, event attributes) made fit for our own messages and
 * log lines: bounded in length and on one line, so a broken or hostile node can neither bloat nor forge them.
 */
public final class ChainText {
    private ChainText() {}

    /** At most {@code max} chars (then "…"); control characters (newlines, escapes) become '?'. Null → "". */
    public static String bounded(String s, int max) {
        if (s == null) return "";
        String t = s.length() > max ? s.substring(0, max) + "…" : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
